// Models that leave hwy: what model.json names, what stock tfjs makes of it, old runs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CUSTOM_LAYERS, Dense, Dropout, registerLayers, setTrainingStep } from '../../src/backends/tfjs/layers.js';
import { fileHandler, loadModel, modelFiles } from '../../src/backends/tfjs/checkpoint.js';
import { lowerToModel } from '../../src/backends/tfjs/lower.js';
import { compile } from '../../src/core/compile.js';
import { loadModel as publicLoadModel } from '../../src/train-api.js';
import { ROOT, checkedIr } from '../helpers.js';

const LEGACY = join(ROOT, 'test/fixtures/legacy-model');
/** Every kind of layer, with both pooling roundings and a free carry gate. */
const SPEC = readFileSync(join(LEGACY, 'spec.txt'), 'utf8');

type LayerJson = { class_name: string; config: Record<string, unknown> };
const layersOf = (modelJson: string): LayerJson[] => JSON.parse(modelJson).modelTopology.config.layers;
const stock = (name: string) => tf.serialization.SerializationMap.getMap().classNameMap[name]?.[0];

async function saveTo(model: tfl.LayersModel): Promise<{ dir: string; modelJson: string }> {
  const { modelJson, weights } = await modelFiles(model);
  const dir = mkdtempSync(join(tmpdir(), 'hwy-saved-'));
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  return { dir, modelJson };
}

const input = () => tf.randomNormal([4, 9, 9, 1], 0, 1, 'float32', 11);
const predict = (m: tfl.LayersModel, x: tf.Tensor) => Array.from((m.predict(x) as tf.Tensor).dataSync());

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerLayers();
});

describe('saved models name stock tfjs classes where the layer is the stock one', () => {
  const ir = checkedIr(compile(SPEC, 'legacy.hwy'));

  it('only highway, residual and ceil-rounded pooling layers are custom', async () => {
    const { modelJson } = await modelFiles(lowerToModel(ir, { seed: 3 }));
    const names = layersOf(modelJson).map((l) => `${l.config.name}:${l.class_name}`);
    expect(names).toEqual([
      'input_1:InputLayer',
      'conv_1:Conv2D',
      'highway_conv_1:HighwayConv2D',
      'residual_conv_1:ResidualConv2D',
      'maxpool_1:CeilMaxPooling2D',
      'avgpool_1:CeilAveragePooling2D',
      'maxpool_2:MaxPooling2D',
      'dropout_1:Dropout',
      'flatten_1:Flatten',
      'projection_1:Dense',
      'highway_dense_1:HighwayDense',
      'residual_dense_1:ResidualDense',
      'dense_1:Dense',
    ]);
    // every custom class the file can name is one hwy registers
    const custom = new Set(CUSTOM_LAYERS.map((c) => c.className));
    expect(layersOf(modelJson).filter((l) => !stock(l.class_name) || custom.has(l.class_name)).every((l) => custom.has(l.class_name))).toBe(true);
  });

  it('custom layers carry Keras-style snake_case config keys, initializers as {class_name, config}', async () => {
    const { modelJson } = await modelFiles(lowerToModel(ir, { seed: 3 }));
    const byName = Object.fromEntries(layersOf(modelJson).map((l) => [l.config.name, l]));
    const hd = byName.highway_dense_1.config;
    expect(Object.keys(hd).sort()).toEqual(['activation', 'bias_initializer', 'carry', 'carry_kernel_initializer', 'gate_bias', 'gate_kernel_initializer', 'kernel_initializer', 'name', 'trainable']);
    expect(hd).toMatchObject({ activation: 'tanh', carry: 'free', gate_bias: -2, bias_initializer: { class_name: 'Constant', config: { value: 0 } } });
    expect((hd.kernel_initializer as { class_name: string }).class_name).toBe('VarianceScaling');
    expect(byName.highway_conv_1.config).toMatchObject({ kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', carry: 'coupled', gate_bias: -1 });
    expect(byName.highway_conv_1.config).not.toHaveProperty('carry_kernel_initializer');
    expect(byName.maxpool_1.config).toMatchObject({ pool_size: [3, 3], strides: [2, 2], padding: 'valid', data_format: 'channels_last' });
    expect(byName.dropout_1.config).toMatchObject({ rate: 0.3 });
  });

  it('stock tfjs (hwy layers registered) rebuilds it with its own Dense, Dropout and pooling, predicting what hwy predicts', async () => {
    const model = lowerToModel(ir, { seed: 3 });
    const { dir } = await saveTo(model);
    const plain = await tfl.loadLayersModel(fileHandler(dir));
    for (const name of ['Dense', 'Dropout', 'MaxPooling2D', 'Flatten']) {
      const layer = plain.layers.find((l) => l.getClassName() === name)!;
      expect(layer.constructor, name).toBe(stock(name));
    }
    const x = input();
    expect(predict(plain, x)).toEqual(predict(model, x));
  });

  it('hwy’s loadModel (also from the training API) uses hwy’s Dense and Dropout, so training resumes on the same gradient code and dropout masks', async () => {
    const model = lowerToModel(ir, { seed: 3 });
    const { dir, modelJson } = await saveTo(model);
    for (const back of [await loadModel(dir), await publicLoadModel(join(dir, 'model.json'))]) {
      expect(back.layers.filter((l) => l instanceof Dense).map((l) => l.name)).toEqual(['projection_1', 'dense_1']);
      expect(back.layers.filter((l) => l instanceof Dropout).map((l) => l.name)).toEqual(['dropout_1']);
      const x = input();
      expect(predict(back, x)).toEqual(predict(model, x));
      setTrainingStep(17);
      const train = (m: tfl.LayersModel) => Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync());
      expect(train(back)).toEqual(train(model));
      // saved again, the file is the same
      expect((await modelFiles(back)).modelJson).toBe(modelJson);
    }
  });

  it('a saved model loads, saves again and loads again unchanged (every custom config round-trips)', async () => {
    const once = await saveTo(await loadModel((await saveTo(lowerToModel(ir, { seed: 3 }))).dir));
    const twice = await modelFiles(await tfl.loadLayersModel(fileHandler(once.dir)));
    expect(twice.modelJson).toBe(once.modelJson);
  });
});

describe('models saved with the old Hwy* class names', () => {
  it('still load, with hwy’s loader and with stock tfjs, predicting what today’s lowering does with their weights', async () => {
    const legacyJson = readFileSync(join(LEGACY, 'model.json'), 'utf8');
    expect(legacyJson).toContain('"HwyHighwayDense"'); // the fixture is what it claims
    const today = lowerToModel(checkedIr(compile(SPEC, 'legacy.hwy')), { seed: 9 });
    const legacyWeights = tf.io.decodeWeights(new Uint8Array(readFileSync(join(LEGACY, 'weights.bin'))).buffer, JSON.parse(legacyJson).weightsManifest[0].weights);
    today.loadWeights(legacyWeights);
    const x = input();
    for (const old of [await loadModel(LEGACY), await tfl.loadLayersModel(fileHandler(join(LEGACY, 'model.json')))]) {
      expect(predict(old, x)).toEqual(predict(today, x));
      // saved again, it names today's classes
      expect(layersOf((await modelFiles(old)).modelJson).map((l) => l.class_name)).toEqual(layersOf((await modelFiles(today)).modelJson).map((l) => l.class_name));
    }
  });

  it('a seed draws the same initial weights as before the change of names', async () => {
    const { weights } = await modelFiles(lowerToModel(checkedIr(compile(SPEC, 'legacy.hwy')), { seed: 3 }));
    expect(Buffer.from(weights).equals(readFileSync(join(LEGACY, 'weights.bin')))).toBe(true);
  });
});

describe('the file handler', () => {
  it('reads weights split over several files in manifest order', async () => {
    const model = lowerToModel(checkedIr(compile(SPEC, 'legacy.hwy')), { seed: 4 });
    const { modelJson, weights } = await modelFiles(model);
    const json = JSON.parse(modelJson);
    const dir = mkdtempSync(join(tmpdir(), 'hwy-shards-'));
    const cut = 400; // a multiple of 4, inside some weight: shards split bytes, not weights
    writeFileSync(join(dir, 'group1-shard1of2.bin'), weights.subarray(0, cut));
    writeFileSync(join(dir, 'group1-shard2of2.bin'), weights.subarray(cut));
    json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    const x = input();
    expect(predict(await loadModel(dir), x)).toEqual(predict(model, x));
  });

  it('names a truncated weights file, a weights path outside the directory and a file that is not a model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-bad-'));
    copyFileSync(join(LEGACY, 'model.json'), join(dir, 'model.json'));
    writeFileSync(join(dir, 'weights.bin'), readFileSync(join(LEGACY, 'weights.bin')).subarray(0, 100));
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'weights.bin')} holds 100 bytes; the model needs 1148 (truncated or from another model)`);
    const json = JSON.parse(readFileSync(join(LEGACY, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../weights.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(`names the weights file '../weights.bin' outside its directory`);
    writeFileSync(join(dir, 'model.json'), '{"format": "graph-model"}');
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'model.json')} is not a tfjs model`);
  });
});
