import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

/** An absolute path into a machine's own folders, as a warning or a traceback prints it. */
const MACHINE_PATH = /(^|[\s'"(=])\/(work|home|root|tmp|mnt|scratch|data|Users|opt|srv)\//m;
const DIR = join(ROOT, 'scripts/gpu-check');

describe('scripts/gpu-check prints no paths of the machine it runs on', () => {
  it('a warning raised in a check script names the file by its own name only', () => {
    const code = 'import plain_warnings, warnings\nwarnings.warn("tensor with requires_grad", UserWarning)\n';
    const r = spawnSync('python3', ['-c', code], { cwd: DIR, encoding: 'utf8', env: { ...process.env, PYTHONPATH: DIR } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('<string>:2: UserWarning: tensor with requires_grad\n');
    expect(r.stderr).not.toMatch(MACHINE_PATH);
  });

  it('every Python script of the check imports it first, and prepare.sh copies it beside them', () => {
    const scripts = readdirSync(DIR).filter((f) => f.endsWith('.py') && f !== 'plain_warnings.py');
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const f of scripts) {
      const imports = readFileSync(join(DIR, f), 'utf8').split('\n').filter((l) => /^import |^from /.test(l));
      expect(imports[0], f).toMatch(/^import plain_warnings\b/);
    }
    expect(readFileSync(join(DIR, 'prepare.sh'), 'utf8')).toMatch(/cp "\$here"\/plain_warnings\.py /);
  });

  it('the recorded outputs in docs/gpu-check carry no machine paths', () => {
    for (const f of readdirSync(join(ROOT, 'docs/gpu-check'))) expect(readFileSync(join(ROOT, 'docs/gpu-check', f), 'utf8'), f).not.toMatch(MACHINE_PATH);
  });
});
