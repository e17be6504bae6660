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

describe('help examples are commands that run as shown', () => {
  const COMMANDS = ['check', 'summary', 'compile', 'explain', 'train', 'eval', 'analyze', 'sweep', 'export', 'fmt', 'lsp'];
  /** The example lines of a help text: indented lines naming hwy as a command. */
  const examples = (help: string) =>
    help
      .split('\n')
      .filter((l) => /^\s+(npx )?hwy \w/.test(l))
      .map((l) => l.trim());

  it('every example says npx hwy, as the hints and the README do, and the main help says why', () => {
    const main = hwy(['--help']).stdout;
    expect(main).toMatch(/after npm install, hwy runs as npx hwy/);
    let count = 0;
    for (const c of ['', ...COMMANDS]) {
      const help = hwy(c ? [c, '--help'] : ['--help']).stdout;
      for (const e of examples(help)) {
        expect(e, `hwy ${c} --help`).toMatch(/^npx hwy /);
        count++;
      }
    }
    // each command that takes arguments shows at least one example
    expect(count).toBeGreaterThanOrEqual(COMMANDS.length);
  });

  it("the compiler commands' examples run from the project and succeed", () => {
    let ran = 0;
    for (const c of ['', 'check', 'summary', 'compile', 'explain']) {
      const help = hwy(c ? [c, '--help'] : ['--help']).stdout;
      for (const e of examples(help)) {
        // the command itself, without the explanation after it; those that write files or need other tools are left out
        const cmd = e.replace(/\s{2,}.*$/, '').replace(/\s+#.*$/, '');
        if (/[|>]| -o /.test(cmd) || !/^npx hwy (check|summary|compile|explain)\b/.test(cmd)) continue;
        const args = cmd.slice('npx hwy '.length).split(/\s+/);
        const r = hwy(args);
        expect(r.code, `${cmd}: ${r.stderr}`).toBe(0);
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(8);
  });
});
