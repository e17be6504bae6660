import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { hwy, ROOT } from '../helpers.js';
import { hwyCommand } from '../../src/cli/io.js';

describe('commands printed in hints run as shown', () => {
  it('quotes arguments for the shell and says npx hwy', () => {
    expect(hwyCommand('check', 'specs/a.hwy')).toBe('npx hwy check specs/a.hwy');
    expect(hwyCommand('eval', "runs/it's here")).toBe("npx hwy eval 'runs/it'\\''s here'");
  });

  it("summary's 'for details' command runs, from the project directory, on a path with spaces", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy hint '));
    try {
      const file = join(dir, 'bad spec.hwy');
      writeFileSync(file, 'let depth = 2\nnetwork n {\n  input 784\n  dense 0\n}\n');
      const r = hwy(['summary', file, '--set', 'depth=3']);
      expect(r.code).toBe(1);
      const shown = /for details run: (.*)$/m.exec(r.stderr)?.[1];
      expect(shown).toBeDefined();
      expect(shown!.startsWith('npx hwy check ')).toBe(true);
      const run = spawnSync('bash', ['-c', shown!], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_yes: 'false' }, timeout: 60_000 });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('bad spec.hwy:4:9: error HWY3001');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("explain's list command is the npx one", () => {
    const r = hwy(['explain', 'HWY30022']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('(npx hwy explain lists them all)');
  });
});
