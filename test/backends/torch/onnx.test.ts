// hwy export --to onnx: the file runs in onnxruntime (its WebAssembly build, a dev dependency,
// so this needs no Python onnxruntime) and predicts what the tfjs model with the same weights predicts.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as ort from 'onnxruntime-web';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../../helpers.js';
import { pythonOrReason } from './cases.js';
import { compile } from '../../../src/core/compile.js';
import { initialModelFiles } from '../../../src/backends/torch/engine.js';
import { loadModel } from '../../../src/backends/tfjs/checkpoint.js';
import { rng } from '../../../src/data/dataset.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy export --to onnx (${python.path}, torch ${python.torch}; onnxruntime-web)` : `hwy export --to onnx: SKIPPED, ${reason}`;

// every kind the export must carry: a strided conv, highway convs (coupled and free carry), ceil
// max pooling and same-padded average pooling, a residual block, flatten in HWC order, highway dense
const SPEC = `network mix {
  input 12x12x2
  conv 4 3x3 relu stride=1
  highway conv 3x3 relu gate_bias=-1
  highway conv 3x3 tanh gate_bias=-2 carry=free
  maxpool 3x3 stride=2 round=ceil
  avgpool 2x2 stride=2 padding=same
  residual conv 3x3 relu
  flatten
  dense 8 relu
  highway dense relu gate_bias=-1
  dense 5 softmax
}
train {
  seed 3
}
`;

describe.skipIf(!python)(TITLE, () => {
  it('onnxruntime loads the file and gives the tfjs predictions (relative error <= 1e-5)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-onnx-'));
    writeFileSync(join(d, 'mix.hwy'), SPEC);
    const ex = hwy(['export', join(d, 'mix.hwy'), '--to', 'onnx', '--out', join(d, 'mix.onnx')]);
    expect(ex.code, ex.stderr).toBe(0);

    // the tfjs model with the weights the export started from (the spec's seed)
    const compiled = compile(SPEC, 'mix.hwy');
    if (!compiled.ok || !compiled.ir) throw new Error('the spec has errors');
    const ir = compiled.ir;
    const files = await initialModelFiles(ir, 3);
    mkdirTo(join(d, 'tfjs'), files);
    const model = await loadModel(join(d, 'tfjs'));
    const n = 7;
    const r = rng(11);
    const x = Float32Array.from({ length: n * 12 * 12 * 2 }, () => r() * 2 - 1);
    const want = (model.predict(tf.tensor(x, [n, 12, 12, 2])) as tf.Tensor).dataSync();

    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(readFileSync(join(d, 'mix.onnx')));
    const out = await session.run({ x: new ort.Tensor('float32', x, [n, 12, 12, 2]) });
    const got = out.y.data as Float32Array;
    expect(out.y.dims).toEqual([n, 5]);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1e-6, Math.abs(want[i])));
    expect(worst).toBeLessThanOrEqual(1e-5);
    // and the predicted classes agree
    const arg = (v: ArrayLike<number>, i: number) => [0, 1, 2, 3, 4].reduce((b, k) => (v[i * 5 + k] > v[i * 5 + b] ? k : b), 0);
    for (let i = 0; i < n; i++) expect(arg(got, i)).toBe(arg(want, i));
  });
});

function mkdirTo(dir: string, f: { modelJson: string; weights: Uint8Array }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), f.modelJson);
  writeFileSync(join(dir, 'weights.bin'), f.weights);
}
