import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy, ROOT, trainUntilFirstEpoch } from '../helpers.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-train-cli-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return d;
}

describe('hwy train / hwy eval', () => {
  it('trains on the bundled digits, says which backend and why, prints plain progress when not a terminal; eval reproduces it', () => {
    const d = setup();
    const out = join(d, 'run');
    const r = hwy(['train', join(d, 'tiny.hwy'), '--out', out, '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('engine: tfjs on wasm (as asked)');
    expect(r.stderr).toMatch(/epoch 1: loss [\d.]+ acc [\d.]+ \| val loss [\d.]+ val acc [\d.]+/);
    expect(r.stdout).toContain(`evaluate with: npx hwy eval ${out}`);
    // the README's example prints the same kinds of lines, in the same order (its numbers are another network's)
    const kinds = (lines: string[]) => lines.filter((l) => l).map((l) => (/^epoch \d+:/.test(l) ? 'epoch' : l.split(':')[0])).filter((k, i, a) => k !== a[i - 1]);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8').split('$ npx hwy train specs/paper/mlp-highway.hwy')[1].split('\n\n')[0].split('\n').slice(1);
    expect(kinds(readme)).toEqual(kinds([...r.stderr.split('\n'), ...r.stdout.split('\n')]));
    const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(1);
    const e = hwy(['eval', out, '--format', 'json']);
    expect(e.code, e.stderr).toBe(0);
    const j = JSON.parse(e.stdout);
    expect(j.accuracy).toBeCloseTo(metrics[0].valAccuracy, 10);
    expect(j.loss).toBeCloseTo(metrics[0].valLoss, 5);
    expect(j.confusion).toHaveLength(10);
    const t = hwy(['eval', out, '--split', 'test']);
    expect(t.stdout).toMatch(/test split \(1000 examples/);
    expect(t.stdout).toContain('confusion matrix');
    // never overwritten without --force
    const again = hwy(['train', join(d, 'tiny.hwy'), '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists: use --force');
  });

  it('usage and input problems: exit 2 with one line; spec errors: exit 1', () => {
    const d = setup();
    expect(hwy(['train']).code).toBe(2);
    const gpu = hwy(['train', join(d, 'tiny.hwy'), '--device', 'gpu', '--out', join(d, 'g')]);
    expect(gpu.code).toBe(2);
    expect(gpu.stderr).toMatch(/--device gpu: @tensorflow\/tfjs-node-gpu not installed; install it with: npm install @tensorflow\/tfjs-node-gpu/);
    const cifar = hwy(['train', join(d, 'tiny.hwy'), '--data', 'cifar10', '--data-dir', d, '--out', join(d, 'c')]);
    expect(cifar.code).toBe(2);
    expect(cifar.stderr).toContain(`${d}: missing data_batch_1.bin`);
    expect(hwy(['train', join(d, 'tiny.hwy'), '--epochs', '0']).code).toBe(2);
    const ev = hwy(['eval', join(d, 'nothing-here')]);
    expect(ev.code).toBe(2);
    expect(ev.stderr).toContain('is not a run directory');
    writeFileSync(join(d, 'bad.hwy'), 'network n {\n  input 28x28x1\n  dense 10\n}\n');
    const bad = hwy(['train', join(d, 'bad.hwy'), '--out', join(d, 'b')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('HWY3002');
    for (const r of [gpu, cifar, ev, bad]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('Ctrl-C checkpoints and exits; --resume continues from the checkpoint', async () => {
    const d = setup();
    const out = join(d, 'run');
    const { code, err } = await trainUntilFirstEpoch([join(d, 'tiny.hwy'), '--out', out, '--epochs', '40', '--backend', 'wasm'], 'SIGINT');
    expect(code).toBe(130);
    expect(err).toContain(`continue with: npx hwy train --resume ${out}`);
    // where it stopped, in words: "after epoch N", or "S steps into epoch N+1", never "… steps of the next"
    expect(err).toMatch(new RegExp(`\\nstopped (after epoch \\d+|\\d+ steps? into epoch \\d+); checkpoint in ${out}\\n`));
    const r = hwy(['train', '--resume', out, '--epochs', '3', '--backend', 'wasm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming .* after epoch \d/);
    const epochs = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch);
    expect(epochs).toEqual([1, 2, 3]);
  });

  it('one vocabulary: --engine and --device, a device of the other engine refused with a hint, --backend an alias of the tfjs device', () => {
    const d = setup();
    const cuda = hwy(['train', join(d, 'tiny.hwy'), '--device', 'cuda', '--out', join(d, 'x')]);
    expect(cuda.code).toBe(2);
    expect(cuda.stderr).toContain("--device cuda is not a device of the tfjs engine, which has auto, gpu, node, wasm, cpu ('cuda' is a device of the torch engine: add --engine torch)");
    const wasm = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'wasm', '--out', join(d, 'y')]);
    expect(wasm.code).toBe(2);
    expect(wasm.stderr).toContain('--device wasm is not a device of the torch engine, which has auto, cpu, cuda');
    const both = hwy(['train', join(d, 'tiny.hwy'), '--device', 'cpu', '--backend', 'cpu']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both --device and --backend');
    expect(hwy(['train', join(d, 'tiny.hwy'), '--engine', 'jax']).stderr).toContain('--engine must be one of tfjs, torch');
    const nproc = hwy(['train', join(d, 'tiny.hwy'), '--nproc', '2', '--out', join(d, 'z')]);
    expect(nproc.code).toBe(2);
    expect(nproc.stderr).toContain('the tfjs engine trains in one process');
    const ev = hwy(['eval', join(d, 'none'), '--device', 'cuda']);
    expect(ev.code).toBe(2);
    expect(ev.stderr).toContain('--device cuda is not a device of the tfjs engine');
    const help = hwy(['train', '--help']).stdout;
    expect(help).toContain('--engine');
    expect(help).not.toContain('--backend');
    for (const r of [cuda, wasm, both, nproc, ev]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
