import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lowerToModel } from '../../../src/backends/tfjs/lower.js';
import { registerLayers } from '../../../src/backends/tfjs/layers.js';
import { checkpointFiles, loadModel } from '../../../src/backends/tfjs/checkpoint.js';
import { lossFn, makeOptimizer, optimizerStep, setLr } from '../../../src/backends/tfjs/train.js';
import { emitModelPy, outputKind } from '../../../src/backends/torch/emit-model.js';
import { torchWeightMap } from '../../../src/backends/torch/weights.js';
import { windowOut } from '../../../src/language/shape.js';
import { rng } from '../../../src/data/dataset.js';
import type { NetworkIR, OptimizerConfig, TrainConfig } from '../../../src/ir/types.js';
import { ROOT } from '../../helpers.js';
import { CASES, caseIR, pythonOrReason, relErr } from './cases.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `tfjs and torch lowerings agree (${python.path}, torch ${python.torch})` : `tfjs and torch lowerings agree: SKIPPED, ${reason}`;

const BATCH = 3;
const STEPS = 3;
/**
 * tfjs's MomentumOptimizer keeps v <- m v + g and steps w <- w - lr v (Nesterov: w - lr (g + m v)),
 * its accumulator starting at 0; torch.optim.SGD with dampening 0 keeps the same buffer (started
 * at g, which is m 0 + g) and the same steps. Adam, AdamW and RMSprop are hwy_train.py's own
 * (HwyAdam, HwyRMSprop), built by its make_optimizer as the torch engine builds them. The rate
 * changes at every step (as in a warm-up), so a rule that applies it in another place (RMSprop:
 * inside the momentum term) shows. Three steps check each from the first on.
 */
const OPTIMIZERS: { name: string; lr: number; optimizer: OptimizerConfig }[] = [
  { name: 'sgd', lr: 0.1, optimizer: { name: 'sgd', momentum: 0, nesterov: false } },
  { name: 'momentum', lr: 0.1, optimizer: { name: 'sgd', momentum: 0.9, nesterov: false } },
  { name: 'nesterov', lr: 0.1, optimizer: { name: 'sgd', momentum: 0.9, nesterov: true } },
  { name: 'adam', lr: 0.01, optimizer: { name: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
  // a large decay, so that decaying biases too, or after the step, would show
  { name: 'adamw', lr: 0.01, optimizer: { name: 'adamw', beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 5 } },
  { name: 'rmsprop', lr: 0.01, optimizer: { name: 'rmsprop', rho: 0.9, momentum: 0, epsilon: 1e-7 } },
  { name: 'rmsprop-momentum', lr: 0.01, optimizer: { name: 'rmsprop', rho: 0.8, momentum: 0.9, epsilon: 1e-3 } },
];
/** The rate of step s (0-based): it grows as in a warm-up. */
const lrOf = (o: (typeof OPTIMIZERS)[number], s: number) => (o.lr * (s + 1)) / STEPS;


const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function trainConfig(o: (typeof OPTIMIZERS)[number]): TrainConfig {
  return {
    data: { name: 'mnist', normalize: 'scale', augment: [], validation: 0.1 },
    optimizer: o.optimizer,
    lr: { value: o.lr, schedule: 'constant', gamma: 1, steps: [], minLr: 0, warmup: 0, warmupSteps: 0 },
    weightDecay: 0,
    batch: BATCH,
    epochs: 1,
    seed: 1,
  };
}

/** Weights scaled to their fan-in, biases non-zero: every weight matters to the output. */
function randomise(model: tfl.LayersModel, seed: number): void {
  const r = rng(seed);
  model.setWeights(
    model.getWeights().map((w) => {
      const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : 4;
      const a = Math.sqrt(3 / fanIn);
      return tf.tensor(Float32Array.from({ length: w.size }, () => (2 * r() - 1) * a), w.shape);
    }),
  );
}

/** All weights of a model in manifest order, concatenated, with each tensor's span. */
function flatWeights(ws: tf.Tensor[]): { data: Float32Array; spans: [number, number][] } {
  const spans: [number, number][] = [];
  let n = 0;
  for (const w of ws) {
    spans.push([n, n + w.size]);
    n += w.size;
  }
  const data = new Float32Array(n);
  ws.forEach((w, i) => data.set(w.dataSync(), spans[i][0]));
  return { data, spans };
}

interface Prepared {
  name: string;
  ir: NetworkIR;
  dir: string;
  spans: [number, number][];
  weightNames: string[];
  weights: Float32Array;
  /** tfjs's own initial weights, before the test replaced them. */
  init: Float32Array;
  out: Float32Array;
  grads: Float32Array;
  loss: number;
  steps: Record<string, Float32Array>;
}

const work = mkdtempSync(join(tmpdir(), 'hwy-equiv-'));
const prepared: Prepared[] = [];
let poolSizes: [number, number, number][] = [];
let jobResult: { pool_sizes: [number, number][] } = { pool_sizes: [] };

async function prepare(c: (typeof CASES)[number], i: number): Promise<Prepared> {
  const ir = caseIR(c);
  const dir = join(work, `case${i}`);
  mkdirSync(dir);
  const model = lowerToModel(ir, { seed: 1 + i });
  const init = flatWeights(model.getWeights()).data;
  randomise(model, 100 + i);
  const inShape = ir.layers[0].outShape!;
  const outShape = ir.layers[ir.layers.length - 1].outShape!;
  const r = rng(7 + i);
  const x = tf.tensor(Float32Array.from({ length: BATCH * inShape.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1), [BATCH, ...inShape]);
  const classes = outShape[outShape.length - 1];
  const lead = BATCH * outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const labels = Array.from({ length: lead }, () => Math.floor(r() * classes));
  const y = tf.cast(tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), classes), [BATCH, ...outShape]), 'float32');
  const probs = outputKind(ir) !== 'logits';

  const files = await checkpointFiles(model, makeOptimizer(trainConfig(OPTIMIZERS[0])), { epoch: 0, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, status: 'running', savedAt: '' });
  writeFileSync(join(dir, 'model.json'), files.modelJson);
  writeFileSync(join(dir, 'weights.bin'), files.weights);
  writeFileSync(join(dir, 'model.py'), emitModelPy(ir));
  writeFileSync(join(dir, 'map.json'), JSON.stringify(torchWeightMap(ir)));
  writeFileSync(join(dir, 'x.bin'), bytesOf(Float32Array.from(x.dataSync())));
  // tfjs may keep a cast tensor's data in an Int32Array: copy into float32 before writing bytes
  writeFileSync(join(dir, 'y.bin'), bytesOf(Float32Array.from(y.dataSync())));

  // getWeights gives the variables themselves, which the optimizer steps below change
  const start = model.getWeights().map((w) => w.clone());
  const { data: weights, spans } = flatWeights(start);
  const out = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => lossFn(probs, y, model.apply(x) as tf.Tensor), vars);
  const flatGrads = flatWeights(vars.map((v) => grads[v.name]));
  const steps: Record<string, Float32Array> = {};
  for (const o of OPTIMIZERS) {
    model.setWeights(start);
    const opt = makeOptimizer(trainConfig(o));
    const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.originalName ?? w.name)).map((w) => w.read() as tf.Variable);
    for (let s = 0; s < STEPS; s++) {
      setLr(opt, lrOf(o, s));
      tf.tidy(() => optimizerStep(opt, o.optimizer, () => lossFn(probs, y, model.apply(x) as tf.Tensor), vars, kernels, lrOf(o, s)));
    }
    steps[o.name] = flatWeights(model.getWeights()).data;
    opt.dispose();
  }
  model.setWeights(start);
  return {
    name: c.name,
    ir,
    dir,
    spans,
    weightNames: model.weights.map((w) => w.originalName),
    weights,
    init,
    out,
    grads: flatGrads.data,
    loss: value.dataSync()[0],
    steps,
  };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!python)(TITLE, () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerLayers();
    for (const [i, c] of CASES.entries()) prepared.push(await prepare(c, i));
    for (let n = 1; n <= 12; n++) for (let k = 1; k <= Math.min(n, 5); k++) for (let s = 1; s <= 4; s++) poolSizes.push([n, k, s]);
    const job = {
      python_dir: join(ROOT, 'src/backends/torch/python'),
      out_dir: work,
      pool_sizes: poolSizes,
      cases: prepared.map((p, i) => {
        const inShape = p.ir.layers[0].outShape!;
        const outShape = p.ir.layers[p.ir.layers.length - 1].outShape!;
        return { dir: p.dir, x_shape: [BATCH, ...inShape], y_shape: [BATCH, ...outShape], steps: STEPS, optimizers: OPTIMIZERS.map((o) => ({ ...o, lrs: Array.from({ length: STEPS }, (_, s) => lrOf(o, s)) })), seed: i };
      }),
    };
    writeFileSync(join(work, 'job.json'), JSON.stringify(job));
    const r = spawnSync(python!.path, [join(ROOT, 'test/backends/torch/equiv_runner.py'), join(work, 'job.json')], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    if (r.status !== 0) throw new Error(`the torch side failed (${r.status ?? r.error?.message}):\n${r.stderr}`);
    jobResult = JSON.parse(readFileSync(join(work, 'job_result.json'), 'utf8'));
  });

  it("PyTorch's ceil_mode gives the IR's pooled sizes (windowOut, ceil) for every small size", () => {
    const want = poolSizes.map(([n, k, s]) => windowOut(n, k, s, 'valid', 'ceil'));
    expect(jobResult.pool_sizes.map((p) => p[0])).toEqual(want);
    expect(jobResult.pool_sizes.map((p) => p[1])).toEqual(want);
  });

  describe.each(CASES.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const p = () => prepared[i];
    const result = () => JSON.parse(readFileSync(join(p().dir, 'result.json'), 'utf8')) as { state_keys: string[]; out_shape: number[]; loss: number; fresh_roundtrip: boolean };

    it('the state dict holds exactly the weight map’s keys', () => {
      expect([...result().state_keys].sort()).toEqual([...new Set(torchWeightMap(p().ir).map((e) => e.torch))].sort());
    });

    it('forward outputs agree (relative error <= 1e-5), in the IR’s layout', () => {
      const outShape = p().ir.layers[p().ir.layers.length - 1].outShape!;
      expect(result().out_shape).toEqual([BATCH, ...outShape]);
      expect(relErr(f32(join(p().dir, 'out.bin')), p().out)).toBeLessThanOrEqual(1e-5);
    });

    it('the loss and its gradient with respect to every weight agree', () => {
      expect(Math.abs(result().loss - p().loss) / Math.abs(p().loss)).toBeLessThanOrEqual(1e-5);
      const g = f32(join(p().dir, 'grads.bin'));
      for (const [k, [a, b]] of p().spans.entries()) {
        const err = relErr(g.subarray(a, b), p().grads.subarray(a, b));
        expect(err, `gradient of ${p().weightNames[k]}`).toBeLessThanOrEqual(1e-5);
      }
    });

    it.each(OPTIMIZERS.map((o) => [o.name, o.optimizer.name] as const))('%s: three optimizer steps give the same weights', (opt, kind) => {
      const torchW = f32(join(p().dir, `step_${opt}.bin`));
      const tfW = p().steps[opt];
      const start = p().weights;
      // Adam and RMSprop divide each gradient by its own running size, so an element whose
      // gradient is small (and so, relative to itself, less exactly computed: the gradients agree
      // to 1e-5 of each tensor's largest) moves by a full step either way: a looser bound
      const adaptive = kind !== 'sgd';
      for (const [k, [a, b]] of p().spans.entries()) {
        expect(relErr(torchW.subarray(a, b), tfW.subarray(a, b)), `${p().weightNames[k]} after ${STEPS} steps`).toBeLessThanOrEqual(adaptive ? 1e-4 : 1e-5);
        // the updates themselves, so that a different momentum rule cannot hide in the weights' size
        const du = (w: Float32Array) => Float32Array.from(w.subarray(a, b), (v, j) => v - start[a + j]);
        expect(relErr(du(torchW), du(tfW)), `update of ${p().weightNames[k]}`).toBeLessThanOrEqual(1e-3);
      }
    });

    it('tfjs -> torch -> tfjs weights are the identity, byte for byte', () => {
      expect(readFileSync(join(p().dir, 'roundtrip.bin')).equals(readFileSync(join(p().dir, 'weights.bin')))).toBe(true);
      expect(result().fresh_roundtrip).toBe(true);
    });

    it('torch initialises as tfjs: the same bias and gate-bias constants, kernels from the same distribution', () => {
      const torchInit = f32(join(p().dir, 'fresh.bin'));
      const tfInit = p().init;
      const stats = (a: Float32Array) => {
        const mean = a.reduce((x, y) => x + y, 0) / a.length;
        return { std: Math.sqrt(a.reduce((x, y) => x + (y - mean) ** 2, 0) / a.length), max: a.reduce((x, y) => Math.max(x, Math.abs(y)), 0) };
      };
      for (const [k, [a, b]] of p().spans.entries()) {
        const name = p().weightNames[k];
        const [t, f] = [torchInit.subarray(a, b), tfInit.subarray(a, b)];
        if (!/kernel/.test(name) || f.every((v) => v === 0)) {
          expect(Array.from(t), name).toEqual(Array.from(f));
        } else if (b - a >= 2000) {
          // 2,000 samples: the estimates agree within ~2%, a wrong fan or distribution is off by 10% or more
          const [st, sf] = [stats(t), stats(f)];
          expect(Math.abs(st.std - sf.std) / sf.std, `${name}: std ${st.std} vs ${sf.std}`).toBeLessThan(0.1);
          // uniform: both reach close to the limit; normal: both are cut at 2 std
          expect(Math.abs(st.max - sf.max) / sf.max, `${name}: max ${st.max} vs ${sf.max}`).toBeLessThan(0.1);
        }
      }
    });

    it('weights torch initialised, written as weights.bin next to model.json, load in tfjs and compute what torch computes', async () => {
      const dir = join(p().dir, 'from-torch');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), readFileSync(join(p().dir, 'model.json')));
      writeFileSync(join(dir, 'weights.bin'), readFileSync(join(p().dir, 'fresh.bin')));
      const model = await loadModel(dir);
      const inShape = p().ir.layers[0].outShape!;
      const xs = f32(join(p().dir, 'x.bin'));
      const out = tf.tidy(() => (model.predict(tf.tensor(xs, [BATCH, ...inShape])) as tf.Tensor).dataSync() as Float32Array);
      expect(relErr(out, f32(join(p().dir, 'fresh_out.bin')))).toBeLessThanOrEqual(1e-5);
    });
  });
});
