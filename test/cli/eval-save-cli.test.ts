// hwy eval --save: the evaluation recorded in the run directory (eval/CHECKPOINT-SPLIT.json),
// as --format json prints it; a link in eval/'s place is refused, never written through;
// --save with other data (--data) is refused.
import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

describe('hwy eval --save', () => {
  it('records the result where hwy studio reads it, and refuses what it cannot honour', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-eval-save-'));
    try {
      writeFileSync(join(d, 'tiny.hwy'), SPEC);
      const run = join(d, 'run');
      const t = hwy(['train', join(d, 'tiny.hwy'), '--out', run, '--device', 'wasm']);
      expect(t.code, t.stderr).toBe(0);

      // without --save nothing is written
      const plain = hwy(['eval', run, '--device', 'wasm', '--format', 'json']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(existsSync(join(run, 'eval'))).toBe(false);

      const r = hwy(['eval', run, '--device', 'wasm', '--save', '--split', 'test']);
      expect(r.code, r.stderr).toBe(0);
      const path = join(run, 'eval', 'latest-test.json');
      expect(r.stderr).toContain(`saved ${path}`);
      const saved = JSON.parse(readFileSync(path, 'utf8'));
      const printed = JSON.parse(hwy(['eval', run, '--device', 'wasm', '--format', 'json', '--split', 'test']).stdout);
      expect(saved).toMatchObject({ which: 'latest', split: 'test', count: printed.count, confusion: printed.confusion, accuracy: printed.accuracy });
      expect(Date.parse(saved.savedAt)).toBeGreaterThan(0);
      expect(readdirSync(join(run, 'eval'))).toEqual(['latest-test.json']);

      // other data is not the run's split: refused before anything is evaluated
      const other = hwy(['eval', run, '--save', '--data', 'mnist']);
      expect(other.code).toBe(2);
      expect(other.stderr.trim()).toBe("hwy: --save records an evaluation on the run's own data, not on --data: leave out one of the two");

      // eval/ a link to a directory outside the run: refused, nothing written there
      rmSync(join(run, 'eval'), { recursive: true });
      mkdirSync(join(d, 'elsewhere'));
      symlinkSync(join(d, 'elsewhere'), join(run, 'eval'));
      const linked = hwy(['eval', run, '--device', 'wasm', '--save']);
      expect(linked.code).toBe(2);
      expect(linked.stderr.trim()).toBe(`hwy: ${join(run, 'eval')} is a symbolic link: hwy writes only inside the run directory, never through a link; remove it, then try again`);
      expect(readdirSync(join(d, 'elsewhere'))).toEqual([]);
      expect(lstatSync(join(run, 'eval')).isSymbolicLink()).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});
