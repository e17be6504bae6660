// The run page's fixture: a tiny highway network trained for three epochs (tfjs), analysed
// by `hwy analyze` (the four figures, on 200 examples) and evaluated by `hwy eval --save`:
// everything a run's page shows, made by the commands that make it, in some seconds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

export const HIGHWAY_SPEC = '# a tiny highway network\nlet width = 16\nnetwork tiny_highway {\n  input 28x28x1\n  flatten\n  dense width relu\n  repeat 2 {\n    highway dense relu gate_bias=-1\n  }\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 3\n}\n';

export function trainAnalysed(work: string, out: string): void {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'tiny-highway.hwy'), HIGHWAY_SPEC);
  const steps = [
    ['train', join(work, 'tiny-highway.hwy'), '--out', out, '--device', 'wasm', '--set', 'train.seed=7'],
    ['analyze', out, '--samples', '200', '--device', 'wasm'],
    ['eval', out, '--save', '--device', 'wasm'],
  ];
  for (const args of steps) {
    const r = hwy(args);
    if (r.code !== 0) throw new Error(`hwy ${args[0]} failed: ${r.stderr}`);
  }
}
