import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { NetworkIR, OptimizerConfig, TrainConfig } from '../../ir/types.js';
import { augmentBatch, batches, permutation, rng, type Dataset, type Splits } from '../../data/dataset.js';
import type { MetricsLine, TrainHooks, TrainOutcome, TrainState } from '../engine.js';
import { setTrainingStep } from './layers.js';

// The tfjs engine's training loop and what it is made of, with nothing of Node: `hwy train`
// runs it through train.ts (checkpoints into a run directory), the playground's trainer in a
// page (snapshots in memory), so that both train the same function the same way.

export type { ProgressInfo, TrainHooks, TrainOutcome } from '../engine.js';

/** Where the loop puts what it produces: `hwy train` a run directory, the playground memory. */
export interface LoopSink {
  /** A checkpoint of the model and optimizer as they are now, with the state it stands at. */
  save(state: TrainState): Promise<void>;
  appendMetrics(line: MetricsLine): void;
}

export interface LoopArgs {
  ir: NetworkIR;
  model: tfl.LayersModel;
  optimizer: tf.Optimizer;
  config: TrainConfig;
  data: Splits;
  /** Receives metrics and checkpoints. */
  sink: LoopSink;
  state: TrainState;
  hooks?: TrainHooks;
  /**
   * Steps between read-backs of the loss (default 10), which are also where the event loop
   * runs: a GPU backend computes while the steps are queued, so reading less often is faster
   * there; on wasm each step computes on the calling thread, so a page reads after every step.
   */
  readEvery?: number;
}

/** Where in training a step is, for the learning rate: epoch 1-based, step 0-based within it. */
export interface LrAt {
  /** Epochs the run trains (cosine decays over them). */
  epochs: number;
  /** Step within the epoch (0-based) and steps per epoch: the warm-up counts steps. */
  step?: number;
  steps?: number;
}

/**
 * The learning rate of a step: the schedule's rate for the epoch (epoch is 1-based; the
 * schedules step between epochs), times the linear warm-up's factor, which grows step by
 * step: (k + 1) / W at the k-th step of the run (0-based) for a warm-up of W steps, then 1.
 * The torch engine's hwy_train.py computes the same, in the same order of operations.
 */
export function learningRate(cfg: TrainConfig['lr'], epoch: number, at: LrAt = { epochs: epoch }): number {
  const base = scheduled(cfg, epoch, at.epochs);
  const steps = at.steps ?? 1;
  // runs recorded before warm-up existed have no such fields
  const w = cfg.warmupSteps || (cfg.warmup ?? 0) * steps;
  if (!w) return base;
  const k = (epoch - 1) * steps + (at.step ?? 0);
  return base * Math.min(1, (k + 1) / w);
}

function scheduled(cfg: TrainConfig['lr'], epoch: number, epochs: number): number {
  switch (cfg.schedule) {
    case 'constant':
      return cfg.value;
    case 'exponential':
      return cfg.value * cfg.gamma ** (epoch - 1);
    case 'multistep':
      return cfg.value * cfg.gamma ** cfg.steps.filter((s) => epoch > s).length;
    case 'cosine': {
      // PyTorch's CosineAnnealingLR with T_max = epochs: the last epoch stays above the floor
      const floor = cfg.minLr ?? 0;
      return floor + ((cfg.value - floor) * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs))) / 2;
    }
  }
}

/** Does the rate change within an epoch (a warm-up), so that it is set every step? */
export function lrChangesEachStep(cfg: TrainConfig['lr']): boolean {
  return (cfg.warmupSteps ?? 0) > 0 || (cfg.warmup ?? 0) > 0;
}

/**
 * tfjs's own optimizers, whose updates are the ones src/language/optimizers.ts defines:
 * Momentum is PyTorch's SGD, Adam is PyTorch's Adam, RMSProp is Keras's. AdamW is Adam plus
 * a decoupled decay of the kernels that train() applies before each update.
 */
export function makeOptimizer(cfg: TrainConfig): tf.Optimizer {
  const lr = cfg.lr.value;
  const o = cfg.optimizer;
  switch (o.name) {
    case 'sgd':
      return o.momentum > 0 ? tf.train.momentum(lr, o.momentum, o.nesterov) : tf.train.sgd(lr);
    case 'adam':
    case 'adamw':
      return tf.train.adam(lr, o.beta1, o.beta2, o.epsilon);
    case 'rmsprop':
      // centered=false: tfjs's centered variant subtracts epsilon where it should add it
      return tf.train.rmsprop(lr, o.rho, o.momentum, o.epsilon, false);
  }
}

/**
 * One update of `vars` down the gradient of `f`; returns the loss. AdamW: the kernels shrink by
 * (1 - lr * weight_decay) after the gradients are taken and before the Adam step, as PyTorch's
 * AdamW does it. Call inside tf.tidy.
 */
export function optimizerStep(optimizer: tf.Optimizer, o: OptimizerConfig, f: () => tf.Scalar, vars: tf.Variable[], kernels: tf.Variable[], lr: number): tf.Scalar {
  if (o.name !== 'adamw' || o.weightDecay === 0) return optimizer.minimize(f, true, vars)!;
  const { value, grads } = optimizer.computeGradients(f, vars);
  const keep = 1 - lr * o.weightDecay;
  for (const k of kernels) k.assign(tf.mul(k, keep));
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  return value;
}

/**
 * Disposes an optimizer and all its tensors: tfjs's Momentum optimizer (4.22) keeps its
 * learning rate as a tensor that its own dispose() forgets, one tensor lost per optimizer.
 */
export function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  const rate = (opt as unknown as { c?: tf.Tensor }).c;
  if (rate && !rate.isDisposed) rate.dispose();
}

export function setLr(opt: tf.Optimizer, lr: number): void {
  // SGD and Momentum keep the rate as a tensor (setLearningRate); Adam and RMSProp read the number
  const o = opt as unknown as { learningRate: number; setLearningRate?: (x: number) => void };
  if (o.setLearningRate) o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The last layer gives probabilities (softmax) or logits; the loss follows. */
function outputsProbabilities(ir: NetworkIR): boolean {
  for (let i = ir.layers.length - 1; i >= 0; i--) {
    const l = ir.layers[i];
    if (l.kind === 'dropout') continue;
    return 'activation' in l && l.activation === 'softmax';
  }
  return false;
}

export function lossFn(probs: boolean, yOneHot: tf.Tensor, out: tf.Tensor): tf.Scalar {
  if (!probs) return tf.losses.softmaxCrossEntropy(yOneHot, out) as tf.Scalar;
  const p = tf.clipByValue(out, 1e-7, 1 - 1e-7);
  return tf.neg(tf.mean(tf.sum(tf.mul(yOneHot, tf.log(p)), -1))) as tf.Scalar;
}

/** A batch of inputs shaped for the network (feature maps, or vectors when the input is one). */
export function batchTensor(d: Dataset, idx: ArrayLike<number>, inputShape: number[], buf?: Float32Array): tf.Tensor {
  const size = d.shape[0] * d.shape[1] * d.shape[2];
  let x = buf;
  if (!x) {
    x = new Float32Array(idx.length * size);
    for (let i = 0; i < idx.length; i++) x.set(d.x.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
  }
  return tf.tensor(x, [idx.length, ...inputShape]);
}

/** Loss and accuracy of a model on a data set, in batches (no training-time dropout). */
export async function evaluate(model: tfl.LayersModel, ir: NetworkIR, d: Dataset, batch = 500): Promise<{ loss: number; accuracy: number; confusion: number[][] }> {
  const probs = outputsProbabilities(ir);
  const inputShape = ir.layers[0].outShape;
  let lossSum = 0;
  let correct = 0;
  const confusion = Array.from({ length: d.classes }, () => new Array<number>(d.classes).fill(0));
  for (const { idx } of batches(d.count, batch)) {
    const [l, pred] = tf.tidy(() => {
      const x = batchTensor(d, idx, inputShape);
      const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => d.labels[i]), 'int32'), d.classes);
      const out = model.predict(x) as tf.Tensor;
      return [tf.mul(lossFn(probs, y, out), idx.length), tf.argMax(out, -1)];
    });
    lossSum += (await l.data())[0];
    const p = await pred.data();
    tf.dispose([l, pred]);
    idx.forEach((i, k) => {
      confusion[d.labels[i]][p[k]]++;
      if (p[k] === d.labels[i]) correct++;
    });
  }
  return { loss: lossSum / d.count, accuracy: correct / d.count, confusion };
}

/**
 * 0 when every value of the tensors is finite, NaN when one is NaN or ±Infinity (x·0 is NaN
 * exactly for those). The clipped loss of a softmax output stays finite however broken the
 * weights are (-log 1e-7 = 16.1), so divergence is looked for in the outputs and weights too.
 */
function nonFinite(ts: tf.Tensor[]): tf.Scalar {
  return tf.addN(ts.map((t) => tf.sum(tf.mul(t, 0)))) as tf.Scalar;
}

/** Whether every trainable weight of the model is finite (read back from the device). */
async function weightsFinite(model: tfl.LayersModel): Promise<boolean> {
  const check = tf.tidy(() => nonFinite(model.trainableWeights.map((w) => w.read())));
  const v = (await check.data())[0];
  check.dispose();
  return Number.isFinite(v);
}

/**
 * Lets pending events run: Node's setImmediate; a page has none, and there a message to
 * itself does the same without the 4 ms a nested zero timeout waits.
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** How often (steps) the loss is read back: each read waits for the device. */
const READ_EVERY = 10;

/**
 * The training loop: the optimizer (SGD with momentum / Nesterov, Adam, AdamW, RMSprop), a
 * learning-rate schedule with an optional warm-up, L2 weight decay,
 * augmentation, per-epoch validation, metrics.jsonl and an atomic checkpoint every epoch.
 * The shuffle of epoch e depends only on (seed, e), so a resumed run sees the same batches.
 */
export async function trainLoop(args: LoopArgs): Promise<TrainOutcome> {
  const { ir, model, optimizer, config, data, sink, hooks } = args;
  const state: TrainState = structuredClone(args.state);
  const probs = outputsProbabilities(ir);
  const inputShape = ir.layers[0].outShape;
  const classes = data.train.classes;
  const n = data.train.count;
  const steps = Math.ceil(n / config.batch);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const translate = config.data.augment.includes('translate') ? Math.max(2, Math.round(data.train.shape[0] / 8)) : 0;
  const mirror = config.data.augment.includes('mirror');
  const decay = config.weightDecay;
  const kernels = model.trainableWeights.filter((w) => /kernel/.test(w.originalName ?? w.name)).map((w) => w.read());
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernelVars = kernels as tf.Variable[];
  const perStep = lrChangesEachStep(config.lr);
  const lrAt = (epoch: number, step: number) => learningRate(config.lr, epoch, { epochs: config.epochs, step, steps });

  // the newest checkpoint on disk (the one resumed from, or none yet): what a diverged run keeps
  let kept: TrainState = args.state;
  // a checkpoint never holds weights that are not finite: training has diverged instead
  const diverged = (epoch: number, step: number): TrainOutcome => ({ status: 'diverged', state: { ...kept, status: 'diverged' }, message: `training diverged in epoch ${epoch}, step ${step}: the weights are no longer finite (NaN or Infinity)` });
  const checkpoint = async (s: TrainState) => {
    const saved = { ...s, savedAt: new Date().toISOString() };
    await sink.save(saved);
    kept = saved;
  };

  for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
    let lr = lrAt(epoch, state.step);
    setLr(optimizer, lr);
    const order = permutation(n, config.seed * 100003 + epoch);
    let { lossSum, correct, seen, seconds } = state.partial;
    const t0 = performance.now();
    const seenAtStart = seen;
    let pending: tf.Tensor[] = [];
    let pendingSizes: number[] = [];
    hooks?.onEpochStart?.(epoch, config.epochs, steps, lr);
    const buf = translate || mirror ? new Float32Array(config.batch * size) : undefined;
    for (let step = state.step; step < steps; step++) {
      const idx = order.subarray(step * config.batch, Math.min(n, (step + 1) * config.batch));
      // augmentation draws depend on (seed, epoch, step) only, so a resumed epoch matches
      if (buf) augmentBatch(data.train, idx, buf, { translate, mirror }, rng(config.seed * 7919 + epoch * 100_003 + step));
      setTrainingStep((epoch - 1) * steps + step);
      if (perStep && step !== state.step) setLr(optimizer, (lr = lrAt(epoch, step)));
      const stats = tf.tidy(() => {
        const x = batchTensor(data.train, idx, inputShape, buf ? buf.subarray(0, idx.length * size) : undefined);
        const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => data.train.labels[i]), 'int32'), classes);
        let hits: tf.Tensor | undefined;
        let broken: tf.Tensor | undefined;
        const f = () => {
          const out = model.apply(x, { training: true }) as tf.Tensor;
          // the gradient computation disposes what its function made; keep the hit count for the stats
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), tf.argMax(y, -1)), 'float32')));
          // outside the loss (its gradient is unchanged): NaN when an output is, which the clipped loss hides
          broken = tf.keep(nonFinite([out]));
          let loss = lossFn(probs, y, out);
          if (decay > 0) loss = tf.add(loss, tf.mul(decay / 2, tf.addN(kernels.map((k) => tf.sum(tf.square(k)))))) as tf.Scalar;
          return loss;
        };
        const cost = optimizerStep(optimizer, config.optimizer, f, vars, kernelVars, lr);
        // the loss as reported: NaN when the outputs are (cost + 0 is the cost itself otherwise)
        const both = tf.stack([tf.add(cost, broken!), hits!]);
        tf.dispose([hits!, broken!]);
        return both;
      });
      pending.push(stats);
      pendingSizes.push(idx.length);
      const last = step === steps - 1;
      if (pending.length >= (args.readEvery ?? READ_EVERY) || last || hooks?.shouldStop?.()) {
        const stacked = tf.stack(pending);
        const vals = await stacked.data();
        // let the event loop run: signal handlers (Ctrl-C), timers and a page's events wait for it
        await yieldToEventLoop();
        tf.dispose([stacked, ...pending]);
        for (let k = 0; k < pendingSizes.length; k++) {
          const loss = vals[2 * k];
          if (!Number.isFinite(loss)) {
            const message = `training diverged in epoch ${epoch}, step ${step + 1 - pendingSizes.length + k + 1}: the loss is ${loss}`;
            return { status: 'diverged', state: { ...kept, status: 'diverged' }, message };
          }
          lossSum += loss * pendingSizes[k];
          correct += vals[2 * k + 1];
          seen += pendingSizes[k];
        }
        pending = [];
        pendingSizes = [];
        const here = (performance.now() - t0) / 1000;
        const elapsed = seconds + here;
        hooks?.onProgress?.({ epoch, epochs: config.epochs, step: step + 1, steps, loss: lossSum / seen, accuracy: correct / seen, samplesPerSec: (seen - seenAtStart) / Math.max(1e-9, here) });
        if (!last && hooks?.shouldStop?.()) {
          if (!(await weightsFinite(model))) return diverged(epoch, step + 1);
          const s: TrainState = { epoch: epoch - 1, step: step + 1, partial: { lossSum, correct, seen, seconds: elapsed }, status: 'interrupted', savedAt: '' };
          await checkpoint(s);
          return { status: 'interrupted', state: s };
        }
      }
    }
    seconds += (performance.now() - t0) / 1000;
    // the last step's update has not been through a forward pass yet: its weights are checked before they count as an epoch
    if (!(await weightsFinite(model))) return diverged(epoch, steps);
    // no validation examples: no validation metrics (a mean over none would be NaN)
    const val = data.validation.count > 0 ? await evaluate(model, ir, data.validation) : null;
    const line: MetricsLine = {
      epoch,
      loss: lossSum / seen,
      accuracy: correct / seen,
      valLoss: val?.loss ?? null,
      valAccuracy: val?.accuracy ?? null,
      lr,
      seconds,
      samplesPerSec: seen / seconds,
    };
    sink.appendMetrics(line);
    Object.assign(state, { epoch, step: 0, partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 }, status: epoch === config.epochs ? 'done' : 'running' });
    await checkpoint(state);
    hooks?.onEpochEnd?.(line);
    if (hooks?.shouldStop?.() && epoch < config.epochs) return { status: 'interrupted', state: { ...state, status: 'interrupted' } };
  }
  return { status: 'done', state: { ...state, status: 'done' } };
}
