import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../../helpers.js';
import { pythonOrReason } from './cases.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy export (${python.path}, torch ${python.torch})` : `hwy export: SKIPPED, ${reason}`;

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dropout 0.1\n  dense 10 softmax\n}\ntrain {\n  optimizer sgd momentum=0.9\n  lr 0.05\n  batch 100\n  epochs 1\n  seed 4\n}\n';
const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-export-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return d;
}

function pyIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(python!.path, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ONNX predictions are checked in onnxruntime by onnx.test.ts (its WebAssembly build: no Python module needed).

describe.skipIf(!python)(TITLE, () => {
  it('an exported job trains with plain python3 train.py exactly as hwy train --engine torch does, and resumes', () => {
    const d = setup();
    const ex = hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'job')]);
    expect(ex.code, ex.stderr).toBe(0);
    for (const f of ['model.py', 'train.py', 'hwy_weights.py', 'config.json', 'model.json', 'weights.bin', 'README.md', 'data/train_x.npy', 'data/validation_y.npy']) expect(existsSync(join(d, 'job', f)), f).toBe(true);
    const readme = readFileSync(join(d, 'job', 'README.md'), 'utf8');
    expect(readme).toContain('torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29500 train.py');
    expect(readme).toContain('#SBATCH');
    // no Node, no hwy: the job directory alone
    const alone = pyIn(join(d, 'job'), ['train.py'], { HWY_THREADS: '1' });
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/epoch 1: loss [\d.]+ acc [\d.]+ \| val loss/);
    for (const f of ['metrics.jsonl', 'model/torch.pt', 'model/model.json', 'model/weights.bin', 'model/state.json']) expect(existsSync(join(d, 'job/run', f)), f).toBe(true);
    const t = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'cpu', '--out', join(d, 'run')]);
    expect(t.code, t.stderr).toBe(0);
    const [a] = metrics(join(d, 'job/run'));
    const [b] = metrics(join(d, 'run'));
    expect(a.loss).toBeCloseTo(b.loss, 9);
    expect(a.valAccuracy).toBe(b.valAccuracy);
    expect(readFileSync(join(d, 'job/run/model/weights.bin'))).toEqual(readFileSync(join(d, 'run/model/weights.bin')));
    // a second run into the same directory is refused: it would mix its epochs with the first's
    const twice = pyIn(join(d, 'job'), ['train.py'], { HWY_THREADS: '1' });
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('already holds a run: --resume to continue it');
    expect(twice.stderr).not.toContain('Traceback');
    expect(metrics(join(d, 'job/run')).map((m) => m.epoch)).toEqual([1]);
    const more = pyIn(join(d, 'job'), ['train.py', '--resume', '--epochs', '2'], { HWY_THREADS: '1' });
    expect(more.code, more.stderr).toBe(0);
    // --no-data: the job names the files it expects; with them put in data/, it trains the same
    const bare = hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'bare'), '--no-data']);
    expect(bare.code, bare.stderr).toBe(0);
    expect(existsSync(join(d, 'bare', 'data', 'train_x.npy'))).toBe(false);
    cpSync(join(d, 'job', 'data'), join(d, 'bare', 'data'), { recursive: true });
    const fed = pyIn(join(d, 'bare'), ['train.py'], { HWY_THREADS: '1' });
    expect(fed.code, fed.stderr).toBe(0);
    expect(metrics(join(d, 'bare/run'))[0].loss).toBeCloseTo(a.loss, 9);
    expect(metrics(join(d, 'job/run')).map((m) => m.epoch)).toEqual([1, 2]);
  });

  it('--set train.… reaches the exported job: its train.py trains with RMSprop and a warm-up exactly as hwy train --engine torch does with the same flags', () => {
    const d = setup();
    const sets = ['--set', 'train.optimizer=rmsprop', '--set', 'train.momentum=0.5', '--set', 'train.lr=0.003', '--set', 'train.warmup_steps=10'];
    const ex = hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'job'), ...sets]);
    expect(ex.code, ex.stderr).toBe(0);
    const job = JSON.parse(readFileSync(join(d, 'job', 'config.json'), 'utf8'));
    expect(job.config.optimizer).toEqual({ name: 'rmsprop', rho: 0.9, momentum: 0.5, epsilon: 1e-7 });
    expect(job.config.lr).toMatchObject({ value: 0.003, warmupSteps: 10 });
    expect(readFileSync(join(d, 'job', 'README.md'), 'utf8')).toContain('optimizer rmsprop rho=0.9 momentum=0.5 epsilon=1e-7');
    const alone = pyIn(join(d, 'job'), ['train.py'], { HWY_THREADS: '1' });
    expect(alone.code, alone.stderr).toBe(0);
    const t = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'cpu', '--out', join(d, 'run'), ...sets]);
    expect(t.code, t.stderr).toBe(0);
    expect(metrics(join(d, 'job/run'))[0].loss).toBeCloseTo(metrics(join(d, 'run'))[0].loss, 9);
    expect(readFileSync(join(d, 'job/run/model/weights.bin'))).toEqual(readFileSync(join(d, 'run/model/weights.bin')));
    const bad = hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'job2'), '--set', 'train.rho=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--set train.rho=1: 'rho' is not a setting of sgd");
  });

  it("a run exports with its weights, also as a state dict that gives the run's validation accuracy; --force replaces only hwy's files", () => {
    const d = setup();
    const t = hwy(['train', join(d, 'tiny.hwy'), '--out', join(d, 'run'), '--device', 'wasm']);
    expect(t.code, t.stderr).toBe(0);
    const job = join(d, 'job');
    const ex = hwy(['export', join(d, 'run'), '--to', 'pytorch', '--out', job]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(readFileSync(join(job, 'weights.bin'))).toEqual(readFileSync(join(d, 'run/model/weights.bin')));
    const acc = pyIn(job, ['-c', "import json, numpy as np, torch, model\nnet = model.Net(); net.load_state_dict(torch.load('weights.pt', weights_only=True)); net.eval()\nx = model.Net.from_ir_layout(torch.from_numpy(np.load('data/validation_x.npy'))); y = np.load('data/validation_y.npy')\nprint(json.dumps(float((net(x).argmax(-1).numpy() == y).mean())))"]);
    expect(acc.code, acc.stderr).toBe(0);
    expect(Math.abs(JSON.parse(acc.stdout) - metrics(join(d, 'run'))[0].valAccuracy)).toBeLessThanOrEqual(1e-4);
    writeFileSync(join(job, 'notes.txt'), 'mine');
    const again = hwy(['export', join(d, 'run'), '--to', 'pytorch', '--out', job, '--no-data']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists and is not empty: use --force');
    const forced = hwy(['export', join(d, 'run'), '--to', 'pytorch', '--out', job, '--no-data', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(job, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(job, 'data/train_x.npy'))).toBe(false);
    expect(readFileSync(join(job, 'README.md'), 'utf8')).toContain('not exported: write train_x.npy');
    const bad = hwy(['export', join(d, 'run'), '--to', 'tensorflow']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--to must be pytorch or onnx, not 'tensorflow'");
  });

  it('--to onnx writes a model file holding the weights', () => {
    const d = setup();
    const ex = hwy(['export', join(d, 'tiny.hwy'), '--to', 'onnx', '--out', join(d, 'tiny.onnx')]);
    expect(ex.code, ex.stderr).toBe(0);
    expect(statSync(join(d, 'tiny.onnx')).size).toBeGreaterThan(statSync(join(d, 'tiny.hwy')).size + 4 * (784 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 10 + 10));
    expect(hwy(['export', join(d, 'tiny.hwy'), '--to', 'onnx', '--out', join(d, 'tiny.onnx')]).code).toBe(2);
  });
});
