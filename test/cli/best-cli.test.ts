// The CLI of early stopping, the best checkpoint and --tensorboard: what it says, and one-line refusals.
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 1.0\n  batch 100\n  epochs 3\n}\n';

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-best-cli-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return d;
}

describe('hwy train --patience / hwy eval --checkpoint', () => {
  it('says why it stopped and where the best checkpoint is; eval says which checkpoint it evaluated', () => {
    const d = setup();
    const out = join(d, 'run');
    // no later epoch can improve the first by more than 10: the patience of 1 ends the run after epoch 2 of 3
    // (at lr 1.0 the validation accuracy of epoch 2 is below epoch 1's, so best/ and model/ differ)
    const r = hwy(['train', join(d, 'tiny.hwy'), '--out', out, '--device', 'wasm', '--patience', '1', '--min-delta', '10', '--monitor', 'val_accuracy', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stopped early after epoch 2 of 3: val_accuracy has not improved by more than 10 for 1 epoch \(patience 1\); the best, [\d.]+, was at epoch 1/);
    expect(r.stderr).toMatch(new RegExp(`best checkpoint: epoch 1 \\(val_accuracy [\\d.]+\\) in ${join(out, 'best')}`));
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ outcome: 'stopped-early', epoch: 2, best: { monitor: 'val_accuracy', epoch: 1, dir: join(out, 'best') } });
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);

    const best = hwy(['eval', out, '--checkpoint', 'best']);
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout.split('\n')[0]).toBe(`${out}, best checkpoint (best/) after epoch ${j.best.epoch}, validation split (900 examples, wasm backend)`);
    const latest = hwy(['eval', out, '--format', 'json']);
    expect(JSON.parse(latest.stdout)).toMatchObject({ which: 'latest', epoch: 2 });
    const bad = hwy(['eval', out, '--checkpoint', 'worst']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("hwy: --checkpoint must be latest or best, not 'worst'");

    // export takes the same flag: the job starts from the best epoch's weights
    const job = join(d, 'job');
    const ex = hwy(['export', out, '--to', 'pytorch', '--out', job, '--no-data', '--checkpoint', 'best']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(readFileSync(join(job, 'weights.bin'))).toEqual(readFileSync(join(out, 'best', 'weights.bin')));
    expect(readFileSync(join(job, 'weights.bin'))).not.toEqual(readFileSync(join(out, 'model', 'weights.bin')));
    const spec = hwy(['export', join(d, 'tiny.hwy'), '--to', 'pytorch', '--out', join(d, 'job2'), '--checkpoint', 'best']);
    expect(spec.code).toBe(2);
    expect(spec.stderr).toContain("--checkpoint picks a run directory's checkpoint; a spec has only its initial weights");
  });

  it('refuses in one line what it cannot honour', () => {
    const d = setup();
    const monitor = hwy(['train', join(d, 'tiny.hwy'), '--monitor', 'val_los']);
    expect(monitor.code).toBe(2);
    expect(monitor.stderr).toContain("--monitor must be one of val_loss, val_accuracy, loss, accuracy, not 'val_los'");
    const delta = hwy(['train', join(d, 'tiny.hwy'), '--out', join(d, 'a'), '--min-delta', '0.1']);
    expect(delta.code).toBe(2);
    expect(delta.stderr.trim().split('\n').pop()).toBe('hwy: --min-delta is the least improvement early stopping counts: give --patience N too');
    expect(existsSync(join(d, 'a'))).toBe(false);

    // a Python without its site packages has no TensorBoard writer
    const py = join(d, 'python');
    writeFileSync(py, '#!/bin/sh\nexec python3 -S "$@"\n');
    chmodSync(py, 0o755);
    const tb = hwy(['train', join(d, 'tiny.hwy'), '--out', join(d, 'b'), '--tensorboard'], { env: { HWY_PYTHON: py } });
    expect(tb.code).toBe(2);
    expect(tb.stderr).toMatch(/^hwy: --tensorboard needs a Python with TensorBoard's writer: 'pip install tensorboard'/m);
    expect(tb.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(d, 'b'))).toBe(false);
  });
});
