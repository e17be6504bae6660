// hwy sweep with the torch engine: every run of the sweep trains on PyTorch, and the
// sweep's summary reads the runs as it reads tfjs runs.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonOrReason } from './cases.js';
import { sweep } from '../../../src/analysis/sweep.js';
import { loadBundledMnist } from '../../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../../src/data/dataset.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy sweep --engine torch (${python.path}, torch ${python.torch})` : `hwy sweep --engine torch: SKIPPED, ${reason}`;

describe.skipIf(!python)(TITLE, () => {
  it('trains every network with the torch engine and summarises them', async () => {
    const { trainval, test } = loadBundledMnist();
    const p = permutation(trainval.count, 5);
    const data: Splits = { train: subset(trainval, p.subarray(0, 400), 'train'), validation: subset(trainval, p.subarray(400, 500), 'validation'), test: subset(test, Array.from({ length: 50 }, (_, i) => i)), source: 'subset' };
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweep-torch-')), 'sweep');
    const r = await sweep({ depths: [3], kinds: ['plain', 'highway'], epochs: 1, trials: 1, out, preloaded: data, engine: 'torch', device: 'cpu' });
    expect(r.best.map((b) => b.network)).toEqual(['plain-3', 'highway-3']);
    for (const b of r.best) {
      expect(Number.isFinite(b.finalLoss), b.network).toBe(true);
      const record = JSON.parse(readFileSync(join(b.runDir, 'run.json'), 'utf8'));
      expect(record).toMatchObject({ engine: 'torch', device: 'cpu' });
      expect(existsSync(join(b.runDir, 'model', 'torch.pt'))).toBe(true);
    }
    expect(existsSync(join(out, 'sweep.md'))).toBe(true);
  }, 180_000);
});
