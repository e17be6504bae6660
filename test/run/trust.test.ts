import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining, type TrainRequest } from '../../src/run/session.js';
import { readMetrics } from '../../src/run/run-dir.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';

// Tiny real runs: a depth-2 network, a few hundred examples, one epoch.
let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 5);
  data = { train: subset(trainval, p.subarray(0, 300), 'train'), validation: subset(trainval, p.subarray(300, 400), 'validation'), test: subset(test, permutation(test.count, 6).subarray(0, 100), 'test'), source: 'test subset' };
});

const SPEC = `network tiny {
  input 28x28x1
  flatten
  dense 16 relu
  highway dense relu gate_bias=-1
  dense 10 softmax
}
train {
  lr 0.05
  batch 50
  epochs 1
  seed 2
}
`;

const fresh = () => mkdtempSync(join(tmpdir(), 'hwy-trust-'));
const req = (over: Partial<TrainRequest> = {}): TrainRequest => ({ specFile: 'tiny.hwy', specText: SPEC, backend: 'wasm', data, out: join(fresh(), 'run'), ...over });
async function trained(over: Partial<TrainRequest> = {}) {
  const r = await runTraining(req(over));
  if (r.kind !== 'trained') throw new Error('spec errors');
  return r;
}

describe('--force deletes only what hwy wrote', () => {
  it('a directory that is not a run directory is never written into, with or without --force', async () => {
    const project = fresh();
    writeFileSync(join(project, 'net.hwy'), SPEC);
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'src', 'notes.txt'), 'mine');
    const before = readdirSync(project).sort();
    for (const force of [false, true]) {
      const err = await runTraining(req({ out: project, force })).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/is not a hwy run directory.*hwy does not write into it, with or without --force/);
      expect(err?.message).not.toMatch(/^run directory/);
    }
    expect(readdirSync(project).sort()).toEqual(before);
    expect(readFileSync(join(project, 'src', 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('a run.json that is not a valid run record does not make a directory a run directory', async () => {
    const d = fresh();
    writeFileSync(join(d, 'run.json'), '{"hello": 1}');
    writeFileSync(join(d, 'keep.txt'), 'x');
    await expect(runTraining(req({ out: d, force: true }))).rejects.toThrow(/not a hwy run directory/);
    expect(existsSync(join(d, 'keep.txt'))).toBe(true);
  });

  it('with --force on a run directory, only the run is replaced; what the user put there stays and is named', async () => {
    const first = await trained();
    const dir = first.runDir;
    writeFileSync(join(dir, 'notes.md'), 'my notes');
    mkdirSync(join(dir, 'analysis'));
    writeFileSync(join(dir, 'analysis', 'fig.svg'), '<svg/>');
    writeFileSync(join(dir, 'metrics.jsonl'), readFileSync(join(dir, 'metrics.jsonl'), 'utf8') + readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    const lines: string[] = [];
    const again = await trained({ out: dir, force: true, log: (l) => lines.push(l) });
    expect(again.outcome.status).toBe('done');
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(dir, 'analysis', 'fig.svg'), 'utf8')).toBe('<svg/>');
    // the old metrics went: the new run has one epoch, not three
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1]);
    expect(lines.join('\n')).toMatch(/kept what hwy did not write there: .*(analysis, notes\.md|notes\.md, analysis)/);
  });

  it('without --force a run directory is refused and left as it was', async () => {
    const first = await trained();
    const weights = readFileSync(join(first.runDir, 'model', 'weights.bin'));
    await expect(runTraining(req({ out: first.runDir }))).rejects.toThrow(/^run directory .* already exists: use --force/);
    expect(readFileSync(join(first.runDir, 'model', 'weights.bin'))).toEqual(weights);
    rmSync(first.runDir, { recursive: true });
  });
});

describe('--resume never starts over', () => {
  for (const [what, remove] of [
    ['model/state.json', 'model/state.json'],
    ['all of model/', 'model'],
  ] as const) {
    it(`with ${what} missing it is refused, saying what is missing, and nothing is overwritten`, async () => {
      const r = await trained();
      const metrics = readFileSync(join(r.runDir, 'metrics.jsonl'), 'utf8');
      const weights = existsSync(join(r.runDir, 'model', 'weights.bin')) ? readFileSync(join(r.runDir, 'model', 'weights.bin')) : undefined;
      rmSync(join(r.runDir, remove), { recursive: true });
      const err = await runTraining({ resume: r.runDir, backend: 'wasm', data, overrides: { epochs: 2 } }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(new RegExp(`cannot resume .*missing ${remove === 'model' ? 'model/' : 'model/state\\.json'}.*metrics\\.jsonl records 1 epoch.*hwy train .*spec\\.hwy --out`));
      expect(readFileSync(join(r.runDir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
      if (weights && remove !== 'model') expect(readFileSync(join(r.runDir, 'model', 'weights.bin'))).toEqual(weights);
      expect(existsSync(join(r.runDir, remove))).toBe(false);
    });
  }
});
