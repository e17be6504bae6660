// The playground's in-page trainer (the contract is api.ts). It trains with the tfjs engine's
// own lowering, initialisers, optimizers, loss and training loop (src/backends/tfjs/loop.ts)
// on the same splits of the bundled digits as `hwy train`, so that a seed gives the same
// initial weights and batch order, and the same function, in a page as in Node.
//
// It runs on the page's main thread: predict() answers synchronously, and the loop lets the
// event loop run between read-backs (every few steps), while the GPU computes, so the page
// stays responsive. A snapshot of the weights and optimizer state is taken after each epoch:
// a diverged run or a lost WebGL context goes back to it.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { NetworkIR, TrainConfig } from '../../ir/types.js';
import { DataError, globalContrastNormalize, type Dataset, type Splits } from '../../data/dataset.js';
import { checkDataFits } from '../../data/fits.js';
import { refuseWhatCannotFit } from '../../backends/memory.js';
import { freshState, type TrainOutcome, type TrainState } from '../../backends/engine.js';
import { lowerToModel } from '../../backends/tfjs/lower.js';
import { withProbe } from '../../backends/tfjs/layers.js';
import { batchTensor, disposeOptimizer, makeOptimizer, trainLoop } from '../../backends/tfjs/loop.js';
import { modelFiles } from '../../backends/tfjs/model-files.js';
import type { BackendReport, CreateTrainer, EpochReport, StepReport, Trainer, TrainerOptions } from './api.js';
import { pageMemory, selectBrowserBackend, webglContext } from './backend.js';
import { checkPageData, fetchBundledMnist } from './data.js';

const BACKENDS: readonly NonNullable<TrainerOptions['backend']>[] = ['auto', 'webgpu', 'webgl', 'wasm'];

/** Examples of the validation split the gate heat map averages over. */
const GATE_BATCH = 256;

/** The weights and optimizer state of a finished epoch, in page memory (not on the GPU). */
interface Snapshot {
  state: TrainState;
  weights: { shape: number[]; values: Float32Array }[];
  optimizer: { name: string; shape: number[]; values: Float32Array }[];
}

async function takeSnapshot(model: tfl.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<Snapshot> {
  const weights = await Promise.all(model.getWeights().map(async (w) => ({ shape: w.shape.slice(), values: ((await w.data()) as Float32Array).slice() })));
  const named = await optimizer.getWeights();
  const opt = await Promise.all(named.map(async (n) => ({ name: n.name, shape: n.tensor.shape.slice(), values: ((await n.tensor.data()) as Float32Array).slice() })));
  // getWeights makes a fresh scalar for the iteration count; the slots are the optimizer's own variables
  for (const n of named) if (!(n.tensor instanceof tf.Variable)) n.tensor.dispose();
  return { state: structuredClone(state), weights, optimizer: opt };
}

function restoreWeights(model: tfl.LayersModel, snap: Snapshot): void {
  const ts = snap.weights.map((w) => tf.tensor(w.values, w.shape));
  model.setWeights(ts);
  tf.dispose(ts);
}

async function optimizerFrom(config: TrainConfig, snap: Snapshot): Promise<tf.Optimizer> {
  const o = makeOptimizer(config);
  await o.setWeights(snap.optimizer.map((n) => ({ name: n.name, tensor: tf.tensor(n.values, n.shape) })));
  return o;
}

/** Mean transform-gate output of each unit (channel, for convolutions) of every gated block, over a batch: hwy analyze's probe. */
async function gateActivity(model: tfl.LayersModel, ir: NetworkIR, d: Dataset): Promise<EpochReport['gates']> {
  const n = Math.min(d.count, GATE_BATCH);
  if (n === 0) return [];
  const recorded: [string, tf.Tensor][] = [];
  tf.tidy(() => {
    const x = batchTensor(d, Array.from({ length: n }, (_, i) => i), ir.layers[0].outShape);
    // apply, not predict: predict would cut the batch in 32s and record each part
    withProbe({ record: (layer, t) => recorded.push([layer, tf.keep(tf.mean(t, t.rank === 4 ? [0, 1, 2] : [0]))]) }, () => model.apply(x));
  });
  const gates: EpochReport['gates'] = [];
  for (const [layer, t] of recorded) {
    gates.push({ layer, mean: Array.from(await t.data()) });
    t.dispose();
  }
  return gates;
}

class PageTrainer implements Trainer {
  backend: BackendReport;
  private state: TrainState = freshState();
  /** The last finished epoch (epoch 0: the initial weights). */
  private kept!: Snapshot;
  private running = false;
  private stopAsked = false;
  private disposed = false;
  /** Set when the WebGL context is lost, until the model lives again on another backend. */
  private recovering: Promise<void> | undefined;
  private lostMessage: string | undefined;
  private onLost: (() => void) | undefined;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly ir: NetworkIR,
    private readonly config: TrainConfig,
    private readonly data: Splits,
    backend: BackendReport,
    private model: tfl.LayersModel,
    private optimizer: tf.Optimizer,
    private readonly wasmUrl: string | undefined,
  ) {
    this.backend = backend;
    this.watchContext();
  }

  async init(): Promise<void> {
    this.kept = await takeSnapshot(this.model, this.optimizer, this.state);
  }

  /** WebGL can lose its context (a GPU reset, a page using too much GPU memory): listen, so training stops and says so. */
  private watchContext(): void {
    const canvas = this.backend.name === 'webgl' ? (webglContext()?.canvas as unknown as EventTarget | undefined) : undefined;
    if (!canvas?.addEventListener) return;
    const lost = () => this.contextLost();
    canvas.addEventListener('webglcontextlost', lost);
    this.unwatch = () => canvas.removeEventListener('webglcontextlost', lost);
  }

  private contextLost(): void {
    if (this.recovering) return;
    const during = this.running ? ` during epoch ${this.kept.state.epoch + 1}` : '';
    this.lostMessage = `the WebGL context was lost${during} (the browser reset the GPU, or the page used too much of its memory): the weights of epoch ${this.kept.state.epoch} are kept`;
    this.recovering = this.recover();
    this.onLost?.();
  }

  /** The model again, from the last snapshot, on the backend that needs no GPU context. */
  private async recover(): Promise<void> {
    const snap = this.kept;
    this.unwatch?.();
    // their textures are gone with the context: disposing only forgets them
    try {
      this.model.dispose();
      disposeOptimizer(this.optimizer);
    } catch {}
    let next: BackendReport;
    try {
      next = await selectBrowserBackend('wasm', this.wasmUrl);
    } catch {
      await tf.setBackend('cpu');
      next = { name: 'cpu' };
    }
    this.backend = { name: next.name, why: `the WebGL context was lost; training goes on ${next.name === 'cpu' ? 'in plain JavaScript' : 'on wasm'} from the weights of epoch ${snap.state.epoch}` };
    this.model = lowerToModel(this.ir, { seed: this.config.seed });
    restoreWeights(this.model, snap);
    this.optimizer = await optimizerFrom(this.config, snap);
    this.state = structuredClone(snap.state);
  }

  /** Waits out a recovery from a lost context, and makes this trainer's backend tfjs's current one (several trainers may share a page). */
  private async ready(): Promise<void> {
    if (this.recovering) {
      await this.recovering;
      this.recovering = undefined;
      this.lostMessage = undefined;
    }
    if (tf.getBackend() !== this.backend.name) await tf.setBackend(this.backend.name);
  }

  async run(epochs: number, on: { step?(s: StepReport): void; epoch?(e: EpochReport): void } = {}): Promise<void> {
    if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`run(${epochs}): the number of epochs must be a whole number, at least 1`);
    if (this.disposed) throw new Error('the trainer was disposed: create another');
    if (this.running) throw new Error('the trainer is already running: stop() it, or wait for run() to end');
    this.running = true;
    this.stopAsked = false;
    try {
      await this.ready();
      const target = this.state.epoch + epochs;
      // the spec's epochs shape the schedule (cosine); training past them continues it
      const config = { ...this.config, epochs: Math.max(this.config.epochs, target) };
      const { model, optimizer } = this;
      const gateData = this.data.validation.count > 0 ? this.data.validation : this.data.train;
      let gates: EpochReport['gates'] = [];
      const loop = trainLoop({
        ir: this.ir,
        model,
        optimizer,
        config,
        data: this.data,
        state: this.state,
        // wasm and cpu compute each step on this thread: the page gets its turn after every one
        readEvery: this.backend.name === 'wasm' || this.backend.name === 'cpu' ? 1 : undefined,
        sink: {
          save: async (s) => {
            // the steps after a lost context computed nothing: they do not count
            if (this.lostMessage) return;
            if (s.step === 0) {
              gates = await gateActivity(model, this.ir, gateData);
              this.kept = await takeSnapshot(model, optimizer, s);
            }
            this.state = s;
          },
          appendMetrics: () => {},
        },
        hooks: {
          onProgress: (p) => on.step?.({ epoch: p.epoch, step: p.step, steps: p.steps, loss: p.loss, samplesPerSec: p.samplesPerSec }),
          onEpochEnd: (m) => on.epoch?.({ epoch: m.epoch, loss: m.loss, accuracy: m.accuracy, valLoss: m.valLoss, valAccuracy: m.valAccuracy, samplesPerSec: m.samplesPerSec, gates }),
          shouldStop: () => this.stopAsked || this.lostMessage !== undefined || this.state.epoch >= target,
        },
      });
      // a lost context may leave the loop waiting for a GPU that will never answer
      const lost = new Promise<'lost'>((resolve) => {
        this.onLost = () => resolve('lost');
        if (this.lostMessage) resolve('lost');
      });
      let outcome: TrainOutcome | 'lost';
      try {
        outcome = await Promise.race([loop, lost]);
      } catch (e) {
        if (!(this.backend.name === 'webgl' && webglContext()?.isContextLost())) throw e;
        this.contextLost();
        outcome = 'lost';
      }
      if (outcome === 'lost') {
        loop.catch(() => {});
        const message = this.lostMessage!;
        await this.ready();
        throw new Error(`${message}; run again to go on training on ${this.backend.name}`);
      }
      if (outcome.status === 'diverged') {
        restoreWeights(this.model, this.kept);
        disposeOptimizer(this.optimizer);
        this.optimizer = await optimizerFrom(this.config, this.kept);
        this.state = structuredClone(this.kept.state);
        throw new Error(`${outcome.message}; the weights of epoch ${this.kept.state.epoch} are kept`);
      }
      this.state = outcome.state;
    } finally {
      this.running = false;
      this.onLost = undefined;
      // disposed while it trained: the model goes once the loop has let go of it
      if (this.disposed) this.release();
    }
  }

  stop(): void {
    this.stopAsked = true;
  }

  /** The pixels as the network saw its training examples: the normalisation of the spec's data line. */
  private input(pixels: Float32Array): Float32Array {
    const shape = this.ir.layers[0].outShape;
    const size = shape.reduce((a, b) => a * b, 1);
    if (pixels.length !== size) throw new Error(`predict: ${pixels.length} pixels, but the network reads ${size} (${shape.join('x')})`);
    const x = Float32Array.from(pixels);
    if (this.config.data.normalize === 'none') for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 255);
    else if (this.config.data.normalize === 'gcn') globalContrastNormalize({ name: 'page', x, labels: new Uint8Array(1), count: 1, shape: this.data.train.shape, classes: this.data.train.classes });
    return x;
  }

  predict(pixels: Float32Array): Float32Array {
    if (this.disposed) throw new Error('the trainer was disposed: create another');
    if (this.recovering) throw new Error('the trainer is moving to another backend after its WebGL context was lost: predict again in a moment');
    const x = this.input(pixels);
    // setBackend returns at once for a backend already started
    if (tf.getBackend() !== this.backend.name) void tf.setBackend(this.backend.name);
    const shape = this.ir.layers[0].outShape;
    return tf.tidy(() => Float32Array.from((this.model.predict(tf.tensor(x, [1, ...shape])) as tf.Tensor).dataSync()));
  }

  async exportModel(): Promise<{ name: string; data: Blob }[]> {
    await this.ready();
    const { modelJson, weights } = await modelFiles(this.model);
    return [
      { name: 'model.json', data: new Blob([modelJson], { type: 'application/json' }) },
      { name: 'weights.bin', data: new Blob([weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }) },
    ];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopAsked = true;
    if (!this.running) this.release();
  }

  private release(): void {
    this.unwatch?.();
    this.model.dispose();
    disposeOptimizer(this.optimizer);
  }
}

/**
 * A trainer on the data `load` gives for the spec's data line (the page's: the bundled digits
 * from the site). Refuses, before the data or the network takes any memory, a network whose
 * training would not fit the page, with `hwy train`'s estimate.
 */
export async function createTrainerOn(opts: TrainerOptions, load: (cfg: TrainConfig['data']) => Promise<Splits>): Promise<Trainer> {
  const { ir } = opts;
  if (!ir.train || !ir.stats) throw new Error(`${ir.network?.name ?? 'the network'}: not a checked IR (compile the spec without errors first)`);
  const choice = opts.backend ?? 'auto';
  if (!BACKENDS.includes(choice)) throw new Error(`backend '${choice}': one of ${BACKENDS.join(', ')}`);
  const config: TrainConfig = structuredClone(ir.train);
  if (opts.seed !== undefined) {
    if (!Number.isInteger(opts.seed) || opts.seed < 0) throw new Error(`seed ${opts.seed}: a seed is a whole number, 0 or more`);
    config.seed = opts.seed;
  }
  checkPageData(config.data);
  const backend = await selectBrowserBackend(choice, opts.wasmUrl);
  refuseWhatCannotFit(ir, config, pageMemory(backend.name), 'train { batch }');
  const data = await load(config.data);
  checkDataFits(ir, data);
  if (data.train.count === 0) throw new DataError(`no training examples are left after the validation split (validation=${config.data.validation})`);
  const model = lowerToModel(ir, { seed: config.seed });
  const trainer = new PageTrainer(ir, config, data, backend, model, makeOptimizer(config), opts.wasmUrl);
  await trainer.init();
  return trainer;
}

export const createTrainer: CreateTrainer = (opts) => createTrainerOn(opts, (cfg) => fetchBundledMnist(opts.dataUrl, cfg));
