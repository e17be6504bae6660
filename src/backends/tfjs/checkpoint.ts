import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { statSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RunFileError as RunDirError, type TrainState } from '../engine.js';
import { writeDurable } from '../../util/atomic.js';
import { HWY_DENSE, HWY_DROPOUT, registerLayers } from './layers.js';
import { readRegularFile } from '../../util/read-regular.js';
import { modelFiles } from './model-files.js';

export { modelFiles } from './model-files.js';

/** Files of one checkpoint of the tfjs engine. */
export interface CheckpointFiles {
  modelJson: string;
  weights: Uint8Array;
  optimizerJson: string;
  optimizerWeights: Uint8Array;
  state: TrainState;
}

/** A model and optimizer in the tfjs LayersModel file layout (model.json + weights.bin), as bytes. */
export async function checkpointFiles(model: tfl.LayersModel, optimizer: tf.Optimizer, state: TrainState): Promise<CheckpointFiles> {
  return { ...(await modelFiles(model)), ...(await optimizerFiles(optimizer)), state };
}

/** An optimizer's slots (iterations, momentum accumulators) as a JSON manifest and bytes. */
async function optimizerFiles(optimizer: tf.Optimizer): Promise<{ optimizerJson: string; optimizerWeights: Uint8Array }> {
  const named = await optimizer.getWeights();
  const enc = await tf.io.encodeWeights(named);
  // getWeights makes a fresh scalar for the iteration count; the slots are the optimizer's own variables
  for (const n of named) if (!(n.tensor instanceof tf.Variable)) n.tensor.dispose();
  const optimizerJson = JSON.stringify({ className: optimizer.getClassName(), config: optimizer.getConfig(), weights: enc.specs });
  return { optimizerJson, optimizerWeights: new Uint8Array(enc.data) };
}

/** Writes a checkpoint's model and optimizer files (not state.json: the sink writes that when it commits) into a staging directory, fsynced. */
export async function writeCheckpoint(dir: string, model: tfl.LayersModel, optimizer: tf.Optimizer): Promise<void> {
  const f = { ...(await modelFiles(model)), ...(await optimizerFiles(optimizer)) };
  writeDurable(join(dir, 'model.json'), f.modelJson);
  writeDurable(join(dir, 'weights.bin'), f.weights);
  writeDurable(join(dir, 'optimizer.json'), f.optimizerJson);
  writeDurable(join(dir, 'optimizer.bin'), f.optimizerWeights);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/** JSON files of a model (model.json, optimizer.json): the topology of a network of 200,000 layers fits. */
const MAX_JSON_BYTES = 256 * 2 ** 20;

/**
 * A checkpoint file: a regular file (a link to /dev/zero or a FIFO is refused, never read
 * without end) of at most `maxBytes`: for weights, the size their manifest gives.
 */
function readOrFail(path: string, maxBytes: number, what: string): Buffer {
  return readRegularFile(path, { maxBytes, what, error: (m) => new RunDirError(m) });
}

/** Bytes the weights of a manifest take, or null where a dtype does not say (quantized, strings). */
function manifestBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  const sizes = specs.map(weightBytes);
  return sizes.every((n) => n !== null) ? (sizes as number[]).reduce((a, n) => a + n, 0) : null;
}

type ModelJson = { modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };

/** Bytes a weight takes in a weights file, where its dtype says (null: quantized or a dtype whose size varies). */
function weightBytes(w: tf.io.WeightsManifestEntry): number | null {
  const size = { float32: 4, int32: 4, bool: 1 }[w.dtype as string];
  return size === undefined || w.quantization ? null : w.shape.reduce((x, y) => x * y, 1) * size;
}

/** model.json of a directory, or the file itself. */
function modelJsonPath(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'model.json') : path;
  } catch {
    return path; // readOrFail names the problem
  }
}

/**
 * A tfjs IOHandler that reads a LayersModel from files: `model.json` (the path of a
 * directory holding it, or of the file) and the weight files its manifest names, relative
 * to it. Stock tfjs has no file handler in Node (`file://` needs tfjs-node), hence this one:
 * `tfl.loadLayersModel(fileHandler('runs/x/model'))`.
 */
export function fileHandler(path: string): tf.io.IOHandler {
  return { load: async () => readModelArtifacts(modelJsonPath(path), {}) };
}

async function readModelArtifacts(jsonPath: string, rename: Record<string, string>): Promise<tf.io.ModelArtifacts> {
  let json: ModelJson;
  try {
    json = JSON.parse(readOrFail(jsonPath, MAX_JSON_BYTES, 'a tfjs model').toString('utf8'));
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    throw new RunDirError(`${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) throw new RunDirError(`${jsonPath} is not a tfjs model`);
  const dir = dirname(jsonPath);
  const files = json.weightsManifest.flatMap((g) => g.paths ?? []).map((p) => {
    const file = resolve(dir, p);
    // a manifest names files beside model.json; it never reaches elsewhere on the disk
    const rel = relative(dir, file);
    if (isAbsolute(p) || rel === '..' || rel.startsWith(`..${sep}`)) throw new RunDirError(`${jsonPath} names the weights file '${p}' outside its directory`);
    return file;
  });
  const specs = json.weightsManifest.flatMap((g) => g.weights ?? []);
  const expected = manifestBytes(specs);
  // no weights file is read past what the manifest says the weights take
  const bin = Buffer.concat(files.map((f) => readOrFail(f, expected ?? bufferConstants.MAX_LENGTH, `the weights file of ${jsonPath} (its size is what the weights manifest describes)`)));
  const where = files.length === 1 ? files[0] : `the weight files of ${jsonPath}`;
  if (expected !== null && bin.length !== expected) throw new RunDirError(`${where} holds ${bin.length} bytes; the model needs ${expected} (truncated or from another model)`);
  const topology = renameClasses(json.modelTopology, rename);
  return tf.io.getModelArtifactsForJSON({ ...json, modelTopology: topology } as unknown as tf.io.ModelJSON, async () => [specs, toArrayBuffer(bin)]);
}

/** A copy of a model topology with some layers' class names replaced (Keras's and tfjs's layouts: Model, Sequential, model_config). */
function renameClasses(topology: Record<string, unknown>, rename: Record<string, string>): Record<string, unknown> {
  if (!Object.keys(rename).length) return topology;
  const copy = structuredClone(topology);
  const root = (copy.model_config ?? copy) as { config?: unknown };
  const config = root.config as { layers?: unknown } | unknown[] | undefined;
  const layers = Array.isArray(config) ? config : Array.isArray(config?.layers) ? config.layers : [];
  for (const l of layers as { class_name?: string }[]) if (l?.class_name && rename[l.class_name]) l.class_name = rename[l.class_name];
  return copy;
}

/**
 * A model saved by hwy (or any tfjs LayersModel in files): `path` is its directory or its
 * model.json. hwy's layers are registered first; `Dense` and `Dropout` load as hwy's own
 * versions of them (the same functions at inference; hwy's gradient code and reproducible
 * dropout masks in training), so a resumed run continues exactly.
 */
export async function loadModel(path: string): Promise<tfl.LayersModel> {
  registerLayers();
  const jsonPath = modelJsonPath(path);
  const artifacts = await readModelArtifacts(jsonPath, { Dense: HWY_DENSE, Dropout: HWY_DROPOUT });
  try {
    return await tfl.loadLayersModel({ load: async () => artifacts });
  } catch (e) {
    throw new RunDirError(`${jsonPath}: the model cannot be rebuilt: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Restores an optimizer's slots (iterations, momentum accumulators) from a checkpoint. */
export async function loadOptimizerState(ckptDir: string, optimizer: tf.Optimizer): Promise<void> {
  const jsonPath = join(ckptDir, 'optimizer.json');
  let meta: { weights?: tf.io.WeightsManifestEntry[] };
  try {
    meta = JSON.parse(readOrFail(jsonPath, MAX_JSON_BYTES, 'an optimizer manifest').toString('utf8'));
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    throw new RunDirError(`${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (!meta || !Array.isArray(meta.weights) || !meta.weights.every((w) => typeof w?.name === 'string' && Array.isArray(w.shape))) {
    throw new RunDirError(`${jsonPath} is not an optimizer manifest (no list of weights with names and shapes)`);
  }
  if (!meta.weights.length) return;
  const binPath = join(ckptDir, 'optimizer.bin');
  const expected = manifestBytes(meta.weights);
  const bin = readOrFail(binPath, expected ?? bufferConstants.MAX_LENGTH, `the optimizer state of ${jsonPath} (its size is what that manifest describes)`);
  // a short file would reach tfjs's decoder as an internal error ('should have N values')
  if (expected !== null && bin.length !== expected) throw new RunDirError(`${binPath} holds ${bin.length} bytes; ${jsonPath} needs ${expected} (truncated or from another run): the checkpoint is damaged`);
  const map = tf.io.decodeWeights(toArrayBuffer(bin), meta.weights);
  await optimizer.setWeights(meta.weights.map((w) => ({ name: w.name, tensor: map[w.name] })));
  if (optimizer.getClassName() === 'Adam') restoreAdamPowers(optimizer);
}

/**
 * tfjs's Adam restores β^t as pow(β, t + 1), but trains with it as a running float32 product
 * (one multiplication a step), which differs in the last bits: set the product, so that a
 * resumed run continues as the uninterrupted one, bit for bit. Math.fround multiplies as
 * float32 does (the double product of two floats is exact, then rounded once).
 */
function restoreAdamPowers(optimizer: tf.Optimizer): void {
  const o = optimizer as unknown as { beta1: number; beta2: number; accBeta1: tf.Variable; accBeta2: tf.Variable; iterations: number };
  const product = (beta: number) => {
    const b = Math.fround(beta);
    let acc = b;
    for (let i = 0; i < o.iterations; i++) acc = Math.fround(acc * b);
    return acc;
  };
  tf.tidy(() => {
    o.accBeta1.assign(tf.scalar(product(o.beta1)));
    o.accBeta2.assign(tf.scalar(product(o.beta2)));
  });
}
