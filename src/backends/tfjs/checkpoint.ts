import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFileError as RunDirError, type TrainState } from '../engine.js';
import { writeDurable } from '../../util/atomic.js';
import { registerLayers } from './layers.js';
import { describeFsError } from '../../util/fs-errors.js';

/** Files of one checkpoint of the tfjs engine. */
export interface CheckpointFiles {
  modelJson: string;
  weights: Uint8Array;
  optimizerJson: string;
  optimizerWeights: Uint8Array;
  state: TrainState;
}

/** A model in the tfjs LayersModel file layout: model.json (topology + weights manifest) and weights.bin, as bytes. */
export async function modelFiles(model: tfl.LayersModel): Promise<{ modelJson: string; weights: Uint8Array }> {
  let modelJson = '';
  let weights = new Uint8Array();
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData ? (Array.isArray(a.weightData) ? tf.io.concatenateArrayBuffers(a.weightData) : a.weightData) : new ArrayBuffer(0);
      weights = new Uint8Array(data);
      modelJson = JSON.stringify({
        modelTopology: a.modelTopology,
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { modelJson, weights };
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

function readOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new RunDirError(`cannot read checkpoint file ${path}: ${describeFsError(e)}`);
  }
}

/** Loads model.json + weights.bin with plain tfl.loadLayersModel (our layers registered first). */
export async function loadModel(ckptDir: string): Promise<tfl.LayersModel> {
  registerLayers();
  const jsonPath = join(ckptDir, 'model.json');
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(readOrFail(jsonPath).toString('utf8'));
  } catch (e) {
    if (e instanceof RunDirError) throw e;
    throw new RunDirError(`${jsonPath} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json?.modelTopology || !Array.isArray(json.weightsManifest)) throw new RunDirError(`${jsonPath} is not a tfjs model`);
  const expected = json.weightsManifest.flatMap((g) => g.weights).reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1) * 4, 0);
  const bin = readOrFail(join(ckptDir, 'weights.bin'));
  if (bin.length !== expected) throw new RunDirError(`${join(ckptDir, 'weights.bin')} holds ${bin.length} bytes; the model needs ${expected} (truncated or from another model)`);
  try {
    return await tfl.loadLayersModel({
      load: async () =>
        tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => {
          const specs = manifest.flatMap((g) => g.weights);
          return [specs, toArrayBuffer(bin)];
        }),
    });
  } catch (e) {
    throw new RunDirError(`${jsonPath}: the model cannot be rebuilt: ${(e as Error).message}`);
  }
}

/** Restores an optimizer's slots (iterations, momentum accumulators) from a checkpoint. */
export async function loadOptimizerState(ckptDir: string, optimizer: tf.Optimizer): Promise<void> {
  const meta = JSON.parse(readOrFail(join(ckptDir, 'optimizer.json')).toString('utf8')) as { weights: tf.io.WeightsManifestEntry[] };
  if (!meta.weights?.length) return;
  const bin = readOrFail(join(ckptDir, 'optimizer.bin'));
  const map = tf.io.decodeWeights(toArrayBuffer(bin), meta.weights);
  await optimizer.setWeights(meta.weights.map((w) => ({ name: w.name, tensor: map[w.name] })));
}
