import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { DirLockedError, lockDir } from '../../src/run/lock.js';
import { join } from 'node:path';
import { runEval, runTraining, type TrainRequest } from '../../src/run/session.js';
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

  it('a file put into model/ by hand is never deleted: --force refuses, and a checkpoint carries it over', async () => {
    const first = await trained();
    const dir = first.runDir;
    writeFileSync(join(dir, 'model', 'mine.txt'), 'mine');
    await expect(runTraining(req({ out: dir, force: true }))).rejects.toThrow(/--force: .*model holds files hwy did not write \(model\/mine\.txt\)/);
    expect(readFileSync(join(dir, 'model', 'mine.txt'), 'utf8')).toBe('mine');
    // a resumed run swaps in new checkpoints: the file moves on with model/
    const more = await runTraining({ resume: dir, data, overrides: { epochs: 2 } });
    expect(more.kind).toBe('trained');
    expect(readMetrics(dir).map((m) => m.epoch)).toEqual([1, 2]);
    expect(readFileSync(join(dir, 'model', 'mine.txt'), 'utf8')).toBe('mine');
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

describe('one writer per run directory', () => {
  it('a second lock on a directory is refused naming the holder; after release it can be taken', async () => {
    const d = fresh();
    const a = await lockDir(d, { command: 'hwy train a.hwy' });
    const err = await lockDir(d, { command: 'hwy train b.hwy' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(DirLockedError);
    expect(err?.message).toMatch(new RegExp(`is in use by another hwy process: pid ${process.pid} \\(hwy train a\\.hwy\\), running since \\d{4}-`));
    await a.release();
    expect(existsSync(join(d, '.hwy.lock'))).toBe(false);
    const b = await lockDir(d);
    await b.release();
  });

  it('a lock left by a killed process on this host is taken over at once; one held elsewhere is not', async () => {
    const d = fresh();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // has exited by now
    mkdirSync(join(d, '.hwy.lock'));
    writeFileSync(join(d, '.hwy.lock.json'), JSON.stringify({ pid: dead, host: hostname(), command: 'hwy train x.hwy', startedAt: new Date().toISOString() }));
    const l = await lockDir(d);
    expect(JSON.parse(readFileSync(join(d, '.hwy.lock.json'), 'utf8')).pid).toBe(process.pid);
    await l.release();
    mkdirSync(join(d, '.hwy.lock'));
    writeFileSync(join(d, '.hwy.lock.json'), JSON.stringify({ pid: dead, host: 'another-host', command: 'hwy train x.hwy', startedAt: new Date().toISOString() }));
    await expect(lockDir(d)).rejects.toThrow(new RegExp(`pid ${dead} on another-host`));
  });

  // The second writer starts while the first is in its first epoch (the hook); the first
  // trains long enough (20 tiny epochs) for the second to reach the directory meanwhile.
  const whileTraining = (start: () => Promise<unknown>) => {
    let second: Promise<Error | undefined> | undefined;
    return {
      hooks: { onEpochStart: () => void (second ??= start().then(() => undefined, (e: Error) => e)) },
      second: () => second!,
    };
  };

  it('two trainings into one --out at the same time: the second is refused with the pid, the first writes its metrics alone', async () => {
    const out = join(fresh(), 'run');
    const w = whileTraining(() => runTraining(req({ out, force: true })));
    const first = await trained({ out, hooks: w.hooks, overrides: { epochs: 20 } });
    expect(first.outcome.status).toBe('done');
    expect((await w.second())?.message).toMatch(new RegExp(`run directory '${out}' is in use by another hwy process: pid ${process.pid}`));
    expect(readMetrics(out).map((m) => m.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(existsSync(join(out, '.hwy.lock'))).toBe(false);
    expect(existsSync(join(out, '.hwy.lock.json'))).toBe(false);
  });

  it('two resumes of one run at the same time: the second is refused', async () => {
    const r = await trained();
    const resume = (hooks?: TrainRequest['hooks']) => runTraining({ resume: r.runDir, backend: 'wasm', data, overrides: { epochs: 20 }, hooks });
    const w = whileTraining(() => resume());
    await resume(w.hooks);
    expect((await w.second())?.message).toMatch(/is in use by another hwy process/);
    expect(readMetrics(r.runDir).map((m) => m.epoch)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('run records are checked, not trusted', () => {
  // records are edited as plain JSON: the point is to write values of the wrong type
  type Json = Record<string, any>;
  const edit = (path: string, f: (j: Json) => void) => {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    f(j);
    writeFileSync(path, JSON.stringify(j));
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: Error) => e.message,
    );
  const resume = (runDir: string, over: Partial<TrainRequest> = {}) => runTraining({ resume: runDir, backend: 'wasm', data, overrides: { epochs: 2 }, ...over });
  const evalRun = (runDir: string) => runEval({ runDir, preloaded: data, backend: 'wasm' });

  for (const [what, f, message] of [
    ['batch 0', (j: Json) => (j.config.batch = 0), /run\.json is not a valid hwy run record: config\.batch must be >= 1/],
    ['a string batch', (j: Json) => (j.config.batch = '50'), /config\.batch must be integer/],
    ['a fractional epoch count', (j: Json) => (j.config.epochs = 1.5), /config\.epochs must be integer/],
    ['an unknown optimizer', (j: Json) => (j.config.optimizer.name = 'adam'), /config\.optimizer\.name must be equal to constant/],
    ['no network name', (j: Json) => delete j.network, /must have required property 'network'/],
  ] as const) {
    it(`run.json with ${what} is refused by resume and eval`, async () => {
      const r = await trained();
      edit(join(r.runDir, 'run.json'), f);
      expect(await refusal(resume(r.runDir))).toMatch(message);
      expect(await refusal(evalRun(r.runDir))).toMatch(message);
      expect(readMetrics(r.runDir).map((m) => m.epoch)).toEqual([1]);
    });
  }

  for (const [what, f, message] of [
    ['a negative step', (j: Json) => (j.step = -1), /state\.json is not a valid hwy training state: step must be >= 0/],
    ['a string epoch', (j: Json) => (j.epoch = '1'), /epoch must be integer/],
    ['no partial sums', (j: Json) => delete j.partial, /must have required property 'partial'/],
  ] as const) {
    it(`model/state.json with ${what} is refused by resume and eval`, async () => {
      const r = await trained();
      edit(join(r.runDir, 'model', 'state.json'), f);
      expect(await refusal(resume(r.runDir))).toMatch(message);
      expect(await refusal(evalRun(r.runDir))).toMatch(message);
    });
  }

  it('a metrics line without a whole epoch number is refused, not compared as a string', async () => {
    const r = await trained();
    writeFileSync(join(r.runDir, 'metrics.jsonl'), '{"epoch":"1","loss":1}\n');
    expect(await refusal(resume(r.runDir))).toMatch(/metrics\.jsonl:1: not a metrics line/);
  });

  it('a step past the end of the epoch is refused before training, and by eval', async () => {
    const r = await trained();
    // an interrupted checkpoint in epoch 1, consistent but for the data: 300 examples, batch 50: steps 0-5
    edit(join(r.runDir, 'model', 'state.json'), (j) => Object.assign(j, { epoch: 0, step: 6, status: 'interrupted', partial: { lossSum: 1, correct: 10, seen: 300, seconds: 1 }, monitor: { ...j.monitor, best: null } }));
    expect(await refusal(resume(r.runDir))).toMatch(/model\/state\.json says step 6 of epoch 1, but an epoch has 6 steps .*does not belong to this run/);
    expect(await refusal(evalRun(r.runDir))).toMatch(/model\/state\.json says step 6 of epoch 1, but an epoch has 6 steps/);
    expect(readMetrics(r.runDir).map((m) => m.epoch)).toEqual([1]);
  });

  // values the schema accepts that no training writes: refused by name and value, before anything is used
  for (const [what, f, message] of [
    ['epoch 99 of a 1-epoch run', (j: Json) => (j.epoch = 99), /model\/state\.json: epoch 99 is beyond the 1 epoch run\.json records: the file was edited, or belongs to another run/],
    ['a step in an epoch past the last', (j: Json) => Object.assign(j, { step: 2, status: 'interrupted', partial: { lossSum: 1, correct: 1, seen: 100, seconds: 1 } }), /model\/state\.json: step 2 of epoch 2, but run\.json records 1 epoch/],
    ['a step whose partial sums count other examples', (j: Json) => Object.assign(j, { epoch: 0, step: 3, status: 'interrupted', monitor: { ...j.monitor, best: null } }), /model\/state\.json: step 3 with 0 examples seen, but 3 steps of batch 50 see 150/],
    ['partial sums at an epoch boundary', (j: Json) => (j.partial.seen = 7), /model\/state\.json: step 0 with 7 examples seen, but 0 steps of batch 50 see 0/],
    ['more correct than seen', (j: Json) => Object.assign(j, { epoch: 0, step: 2, status: 'interrupted', partial: { lossSum: 1, correct: 500, seen: 100, seconds: 1 }, monitor: { ...j.monitor, best: null } }), /model\/state\.json: 500 correct of 100 examples seen/],
    ['a mid-epoch step in a finished checkpoint', (j: Json) => Object.assign(j, { epoch: 0, step: 2, status: 'done', partial: { lossSum: 1, correct: 1, seen: 100, seconds: 1 }, monitor: { ...j.monitor, best: null } }), /model\/state\.json: step 2 within an epoch, but status 'done'/],
    ['a best epoch not reached yet', (j: Json) => (j.monitor.best.epoch = 5), /model\/state\.json: the best epoch 5 is after the checkpoint's epoch 1/],
    ['a negative epoch', (j: Json) => (j.epoch = -3), /model\/state\.json is not a valid hwy training state: epoch must be >= 0, not -3/],
  ] as const) {
    it(`model/state.json with ${what} is refused by resume and eval, naming the file and the value`, async () => {
      const r = await trained();
      edit(join(r.runDir, 'model', 'state.json'), f);
      const metrics = readFileSync(join(r.runDir, 'metrics.jsonl'), 'utf8');
      expect(await refusal(resume(r.runDir, { overrides: { epochs: 200 } }))).toMatch(message);
      expect(await refusal(evalRun(r.runDir))).toMatch(message);
      expect(readFileSync(join(r.runDir, 'metrics.jsonl'), 'utf8')).toBe(metrics);
    });
  }

  it('checkpoint weights carry a checksum: changed weights of the right size are refused by eval and resume', async () => {
    const r = await trained();
    const state = JSON.parse(readFileSync(join(r.runDir, 'model', 'state.json'), 'utf8'));
    expect(state.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    const w = readFileSync(join(r.runDir, 'model', 'weights.bin'));
    w[100] ^= 0xff;
    writeFileSync(join(r.runDir, 'model', 'weights.bin'), w);
    expect(await refusal(evalRun(r.runDir))).toMatch(/weights\.bin does not match the checksum in .*state\.json/);
    expect(await refusal(resume(r.runDir))).toMatch(/weights\.bin does not match the checksum/);
  });

  it('files from different runs do not belong together: ir.json, checkpoint, spec', async () => {
    const a = await trained();
    const b = await trained({ specText: SPEC.replace('dense 16 relu', 'dense 24 relu') });
    const mixed = join(fresh(), 'mixed');
    cpSync(a.runDir, mixed, { recursive: true });
    copyFileSync(join(b.runDir, 'ir.json'), join(mixed, 'ir.json'));
    expect(await refusal(evalRun(mixed))).toMatch(/ir\.json does not belong to the run's spec\.hwy \(layer 3 \('dense_1'\) differs\)/);
    expect(await refusal(resume(mixed))).toMatch(/ir\.json does not belong/);
    copyFileSync(join(a.runDir, 'ir.json'), join(mixed, 'ir.json'));
    rmSync(join(mixed, 'model'), { recursive: true });
    cpSync(join(b.runDir, 'model'), join(mixed, 'model'), { recursive: true });
    expect(await refusal(evalRun(mixed))).toMatch(/checkpoint .* holds \d+ weights, but the run's network 'tiny' has \d+ parameters/);
    expect(await refusal(resume(mixed))).toMatch(/belongs to another network/);
    rmSync(join(mixed, 'model'), { recursive: true });
    cpSync(join(a.runDir, 'model'), join(mixed, 'model'), { recursive: true });
    writeFileSync(join(mixed, 'spec.hwy'), SPEC.replace('network tiny', 'network other'));
    expect(await refusal(evalRun(mixed))).toMatch(/defines network 'other', but run\.json records 'tiny'/);
  });

  it('--resume restores a missing ir.json from spec.hwy and the recorded --set values; eval reads without it and writes nothing', async () => {
    const spec = SPEC.replace('dense 16 relu', 'dense width relu').replace('network tiny', 'let width = 8\nnetwork tiny');
    const r = await trained({ specText: spec, sets: { width: 12 } });
    const original = readFileSync(join(r.runDir, 'ir.json'), 'utf8');
    rmSync(join(r.runDir, 'ir.json'));
    const before = listing(r.runDir);
    expect((await evalRun(r.runDir)).epoch).toBe(1);
    expect(listing(r.runDir)).toEqual(before);
    const lines: string[] = [];
    const more = await resume(r.runDir, { log: (l) => lines.push(l) });
    expect(more.kind).toBe('trained');
    expect(readFileSync(join(r.runDir, 'ir.json'), 'utf8')).toBe(original);
    expect(lines.join('\n')).toMatch(/restored .*ir\.json from spec\.hwy with --set width=12/);
  });

  it('eval of a run whose checkpoint swap was cut short reads it where it is and changes nothing; resume repairs it', async () => {
    const r = await trained();
    renameSync(join(r.runDir, 'model'), join(r.runDir, '.checkpoint-new'));
    const before = listing(r.runDir);
    expect((await evalRun(r.runDir)).epoch).toBe(1);
    expect(listing(r.runDir)).toEqual(before);
    await resume(r.runDir);
    expect(existsSync(join(r.runDir, 'model', 'state.json'))).toBe(true);
    expect(existsSync(join(r.runDir, '.checkpoint-new'))).toBe(false);
  });
});

/** Every path under a directory with its size and modification time. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      const st = statSync(p);
      out.push(`${p} ${st.size} ${st.mtimeMs}`);
      if (n.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('flags with --resume', () => {
  for (const [flag, over, message] of [
    ['--batch', { overrides: { epochs: 2, batch: 25 } }, /^--batch: a resumed run keeps the batch size it was trained with \(50\)/],
    ['--seed', { overrides: { epochs: 2, seed: 9 } }, /^--seed: a resumed run keeps the seed it was trained with \(2\)/],
    ['--data', { overrides: { epochs: 2, data: 'mnist_full' } }, /^--data: a resumed run keeps the data set it was trained with \(mnist\)/],
    ['--set', { overrides: { epochs: 2 }, sets: { width: 3 } }, /^--set width=3: a resumed run keeps the network it was trained with \(--set values: none\)/],
    ['--backend', { overrides: { epochs: 2 }, backend: 'cpu' }, /^--backend cpu: a resumed run keeps the backend it was trained with \(wasm\); leave --backend out/],
    ['--out', { overrides: { epochs: 2 }, out: '/tmp/elsewhere' }, /^--out: a resumed run continues in its own directory/],
    ['--force', { overrides: { epochs: 2 }, force: true }, /^--force: a resume never replaces a run/],
  ] as const) {
    it(`${flag} is refused, naming the flag, and nothing changes`, async () => {
      const r = await trained();
      const before = listing(r.runDir);
      const err = await runTraining({ resume: r.runDir, data, ...over } as TrainRequest).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).toMatch(message);
      expect(listing(r.runDir)).toEqual(before);
    });
  }

  it('--epochs and --lr take effect and are recorded; run.json is rewritten with what the result depends on', async () => {
    const r = await trained({ command: ['hwy', 'train', 'tiny.hwy'] });
    const first = JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8'));
    expect(first.command).toEqual(['hwy', 'train', 'tiny.hwy']);
    expect(first.environment).toMatchObject({ hwy: expect.any(String), node: process.version, tfjs: expect.stringMatching(/^\d+\.\d+/), backend: 'wasm', platform: `${process.platform}-${process.arch}` });
    const more = await runTraining({ resume: r.runDir, data, overrides: { epochs: 3, lr: 0.02 }, command: ['hwy', 'train', '--resume', r.runDir, '--epochs', '3', '--lr', '0.02'] });
    if (more.kind !== 'trained') throw new Error();
    expect(more.engine.device).toBe('wasm'); // the run's own device, without --device
    const m = readMetrics(r.runDir);
    expect(m.map((x) => x.epoch)).toEqual([1, 2, 3]);
    expect(m.map((x) => x.lr)).toEqual([0.05, 0.02, 0.02]);
    const rec = JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8'));
    expect(rec.config.epochs).toBe(3);
    expect(rec.config.lr.value).toBe(0.02);
    expect(rec.createdAt).toBe(first.createdAt);
    expect(rec.history).toHaveLength(1);
    expect(rec.history[0]).toMatchObject({ fromEpoch: 1, epochs: 3, lr: 0.02, command: ['hwy', 'train', '--resume', r.runDir, '--epochs', '3', '--lr', '0.02'], environment: { backend: 'wasm' } });
    await runTraining({ resume: r.runDir, data, overrides: { epochs: 4 } });
    const again = JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8'));
    expect(again.history.map((h: { fromEpoch: number }) => h.fromEpoch)).toEqual([1, 3]);
    expect(readMetrics(r.runDir).map((x) => x.lr)).toEqual([0.05, 0.02, 0.02, 0.02]);
    expect(readdirSync(r.runDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
