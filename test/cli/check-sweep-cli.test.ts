import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, hwy } from '../helpers.js';

describe('hwy check on specs that declare a sweep', () => {
  it('checks figure1.hwy with its two networks and says how much it trains at most', () => {
    const r = hwy(['check', 'specs/paper/figure1.hwy']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('specs/paper/figure1.hwy: ok (0 errors, 0 warnings, 0 notes)\n  sweep figure1: 8 grid points x 10 trials x 1 seed: 80 training runs, at most 24,000 epochs\n');
  });
  it('hwy check specs/ checks the sweeps among the networks', () => {
    const r = hwy(['check', 'specs']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('specs/paper/figure1.hwy: ok');
    expect(r.stderr).toContain('specs/examples/conv-sweep.hwy: ok');
  });
  it('--set fixes a constant for the whole sweep; one no network defines is a usage error naming the flag', () => {
    expect(hwy(['check', 'specs/paper/figure1.hwy', '--set', 'depth=30']).stderr).toContain('sweep figure1: 2 grid points');
    const bad = hwy(['check', 'specs/paper/figure1.hwy', '--set', 'depht=3']);
    expect([bad.code, bad.stderr]).toEqual([2, "hwy: --set depht=3: no network of the sweep defines a constant 'depht' (did you mean 'depth'?)\n"]);
  });
  it('a grid point where a network no longer checks fails the file (exit 1), naming the point, with the network\'s location; --format json lists it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-sweep-'));
    try {
      for (const f of ['mlp-plain.hwy', 'mlp-highway.hwy']) copyFileSync(join(ROOT, 'specs/paper', f), join(dir, f));
      writeFileSync(join(dir, 's.hwy'), 'sweep s {\n  networks plain="mlp-plain.hwy"\n  grid depth [10, 0]\n}\n');
      const r = hwy(['check', 's.hwy'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("s.hwy:3:19: error HWY6004: at depth=0, network 'plain' (mlp-plain.hwy) does not check: a repeat count must be a whole number of at least 0, not -1");
      expect(r.stderr).toContain('= note: where mlp-plain.hwy fails (mlp-plain.hwy:11:3)');
      const j = JSON.parse(hwy(['check', 's.hwy', '--format', 'json'], { cwd: dir }).stdout) as { code: string; span: { file: string } }[];
      expect(j.map((d) => [d.code, d.span.file])).toEqual([['HWY6004', 's.hwy']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('hwy train on a file with a sweep and no network says how to run it', () => {
    const r = hwy(['train', 'specs/paper/figure1.hwy', '--epochs', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("this file declares sweep 'figure1' and no network of its own");
  });
});

describe('constants that hold names, on the command line', () => {
  it('--set activation=tanh reaches every layer the constant names; a name for a number is a usage error', () => {
    const r = hwy(['summary', 'specs/paper/mlp-plain.hwy', '--set', 'activation=tanh', '--format', 'json']);
    expect(r.code).toBe(0);
    const layers = (JSON.parse(r.stdout) as { layers: { kind: string; activation?: string }[] }).layers.filter((l) => l.kind === 'dense');
    expect(layers.map((l) => l.activation)).toEqual([...Array(10).fill('tanh'), 'softmax']);
    const bad = hwy(['summary', 'specs/paper/mlp-plain.hwy', '--set', 'depth=deep']);
    expect([bad.code, bad.stderr]).toEqual([2, "hwy: --set depth=deep: 'depth' holds a number, and 'deep' is not one (give a number, as in --set depth=10)\n"]);
  });
});
