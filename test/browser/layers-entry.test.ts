// The browser entry (`<package>/layers`, dist/layers.js and dist/layers.global.js): hwy's
// layers with tfjs left to the page, and nothing of Node.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers.js';

/** Every module a built file loads: static and dynamic imports, re-exports, require calls. */
function specifiers(code: string): string[] {
  const found = [...code.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']|\brequire\s*\(\s*["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]);
  return [...new Set(found)].sort();
}

describe('the layers entry', () => {
  it('dist/layers.js imports tfjs-core and tfjs-layers and nothing else (no node:, fs or path)', () => {
    const code = readFileSync(join(ROOT, 'dist/layers.js'), 'utf8');
    expect(specifiers(code)).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
    expect(code).not.toMatch(/["']node:|["'](fs|path|os|child_process)["']/);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['./layers'].default).toBe('./dist/layers.js');
    expect(pkg.exports['./layers'].types).toBe('./dist/types/layers-entry.d.ts');
    expect(Object.keys(pkg.peerDependencies)).toEqual(expect.arrayContaining(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']));
  });

  it('dist/layers.global.js loads no module at all: it reads the page’s global tf', () => {
    const code = readFileSync(join(ROOT, 'dist/layers.global.js'), 'utf8');
    expect(specifiers(code)).toEqual([]);
    expect(code).toContain('globalThis.tf');
  });

  it('bundles for the browser from its sources alone: hwy’s layers, their ops and the shape arithmetic', async () => {
    const r = await build({ entryPoints: [join(ROOT, 'src/layers-entry.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, external: ['@tensorflow/*'], logLevel: 'silent' });
    expect(r.errors).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs).map((p) => relative(ROOT, join(ROOT, p)).split('\\').join('/'));
    expect(inputs.sort()).toEqual(['src/backends/tfjs/layers.ts', 'src/backends/tfjs/ops.ts', 'src/language/shape.ts', 'src/layers-entry.ts']);
  });

  it('with stock tfjs alone, importing it registers the layers: a model with every custom class loads (the old names too)', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import * as tfl from '@tensorflow/tfjs-layers';
      import { readFileSync } from 'node:fs';
      const names = ['HighwayDense', 'HighwayConv2D', 'ResidualDense', 'ResidualConv2D', 'CeilMaxPooling2D', 'CeilAveragePooling2D'];
      const stock = names.filter((n) => n in tf.serialization.SerializationMap.getMap().classNameMap);
      const hwy = await import('./dist/layers.js');
      const dir = 'test/fixtures/legacy-model/';
      const json = JSON.parse(readFileSync(dir + 'model.json', 'utf8'));
      const w = readFileSync(dir + 'weights.bin');
      const m = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.length) }));
      const y = m.predict(tf.ones([1, 9, 9, 1]));
      console.log(JSON.stringify({ stock, registered: hwy.CUSTOM_LAYERS.map((c) => c.className), layers: m.layers.map((l) => l.getClassName()), sum: tf.sum(y).dataSync()[0] }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.stock).toEqual([]); // no custom name shadows a stock tfjs class
    expect(out.registered).toEqual(['HighwayDense', 'HighwayConv2D', 'ResidualDense', 'ResidualConv2D', 'CeilMaxPooling2D', 'CeilAveragePooling2D']);
    // the saved Hwy* names come back as today's classes; Dense and Dropout as the stock ones
    expect(out.layers).toEqual(['InputLayer', 'Conv2D', 'HighwayConv2D', 'ResidualConv2D', 'CeilMaxPooling2D', 'CeilAveragePooling2D', 'MaxPooling2D', 'Dropout', 'Flatten', 'Dense', 'HighwayDense', 'ResidualDense', 'Dense']);
    expect(out.sum).toBeCloseTo(1, 5); // softmax probabilities
  });
});
