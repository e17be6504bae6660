import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summaryJson, summaryText } from '../../src/backends/text/summary.js';
import { estimateTrainingMemory } from '../../src/backends/memory.js';
import { lowerToModel } from '../../src/backends/tfjs/lower.js';
import { layerLabel } from '../../src/language/kinds.js';
import { fmtShape } from '../../src/language/shape.js';
import { formatBytes } from '../../src/util/bytes.js';
import { compile } from '../../src/core/compile.js';
import { checkedIr, compileText, ROOT, specFiles } from '../helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const irOf = (file: string) => checkedIr(compile(readFileSync(join(ROOT, file), 'utf8'), file));

/** The table's rows as the text prints them, split into its columns (two or more spaces apart). */
function textRows(text: string): string[][] {
  const lines = text.split('\n');
  const rules = lines.flatMap((l, i) => (l.startsWith('──') ? [i] : []));
  return lines.slice(rules[1] + 1, rules[2]).map((l) => l.split(/ {2,}/));
}

describe('hwy summary --format json carries the table', () => {
  it.each(specFiles())('%s: every row of the text, with its kind, shape, parameters and notes; every layer once', (file) => {
    const ir = irOf(file);
    const j = summaryJson(ir);
    const rows = textRows(summaryText(ir));
    expect(j.rows.length).toBe(rows.length);
    j.rows.forEach((r, i) => {
      const [name, label, shape, params, notes] = rows[i];
      expect(r.name).toBe(name);
      expect(r.label).toBe(label);
      expect(fmtShape(r.outputShape)).toBe(shape);
      expect(r.count > 1 ? `${r.count} x ${r.params.toLocaleString('en-US')}` : r.params.toLocaleString('en-US')).toBe(params);
      expect(r.notes).toBe(notes ?? '');
      expect(r.layers.length).toBe(r.count);
    });
    expect(j.rows.flatMap((r) => r.layers)).toEqual(ir.layers.map((l) => l.name));
    // the totals below the table
    const text = summaryText(ir);
    expect(text).toContain(`Total params: ${j.totalParams.toLocaleString('en-US')}`);
    expect(text).toContain(`Forward FLOPs per example: ${j.totalFlops.toLocaleString('en-US')}`);
    expect(j.highwayLayers).toBe(j.layers.filter((l) => l.kind.startsWith('highway_')).length);
    expect(j.insertedLayers).toBe(j.layers.filter((l) => l.inserted).length);
    expect(j.layers.reduce((a, l) => a + l.params, 0)).toBe(j.totalParams);
    expect(text).toContain(`Training memory per batch of ${ir.train!.batch} (estimated): ${formatBytes(j.memory!.total)}`);
  });

  it('each layer with its settings: activation, gate bias, carry, kernel, stride, padding, rounding, inserted projections, FLOPs', () => {
    const ir = checkedIr(
      compileText(
        'network n {\n  input 12x12x3\n  conv 8 3x3 relu stride=1 padding=same\n  highway conv 3x3 tanh gate_bias=-3 carry=free\n  maxpool 3 stride=2 round=ceil\n  flatten\n  dense 20 relu\n  highway dense relu gate_bias=-2\n  residual dense relu\n  dropout 0.5\n  dense 10 softmax\n}\n',
      ),
    );
    const j = summaryJson(ir);
    const by = (name: string) => j.layers.find((l) => l.name === name)!;
    expect(by('highway_conv_1')).toMatchObject({ kind: 'highway_conv', label: 'highway conv 3x3 tanh', activation: 'tanh', gateBias: -3, carry: 'free', kernel: [3, 3], stride: [1, 1], padding: 'same', line: 4 });
    expect(by('conv_1')).toMatchObject({ filters: 8, kernel: [3, 3], padding: 'same', outputShape: [12, 12, 8], inputShape: [12, 12, 3] });
    expect(by('maxpool_1')).toMatchObject({ kernel: [3, 3], stride: [2, 2], round: 'ceil', outputShape: [6, 6, 8] });
    expect(by('highway_dense_1')).toMatchObject({ gateBias: -2, carry: 'coupled', activation: 'relu' });
    expect(by('dropout_1')).toMatchObject({ rate: 0.5 });
    for (const l of ir.layers) {
      expect(by(l.name).flops).toBe(l.flops);
      expect(by(l.name).label).toBe(layerLabel(l));
    }
    // a highway block that changes the size gets a projection inserted before it
    const widen = summaryJson(checkedIr(compileText('network w {\n  input 8\n  highway dense 16 relu\n  dense 2 softmax\n}\n')));
    const inserted = widen.layers.filter((l) => l.inserted);
    expect(inserted).toHaveLength(1);
    expect(widen.insertedLayers).toBe(1);
    expect(widen.rows.find((r) => r.layers.includes(inserted[0].name))!.notes).toContain('inserted projection');
  });
});

describe('estimated training memory', () => {
  it('weights: exactly the bytes of the float32 weights the tfjs engine builds', () => {
    for (const file of ['specs/paper/mnist-conv-highway.hwy', 'specs/paper/mlp-highway.hwy', 'specs/examples/skip-baselines.hwy']) {
      const ir = irOf(file);
      const model = lowerToModel(ir);
      const bytes = model.weights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1) * 4, 0);
      const e = estimateTrainingMemory(ir, ir.train!);
      expect(e.parameterBytes, file).toBe(bytes);
      expect(e.gradientBytes).toBe(bytes);
      const opt = ir.train!.optimizer;
      expect(e.optimizerBytes).toBe(opt.name === 'sgd' && opt.momentum > 0 ? bytes : 0);
      model.dispose();
    }
  });

  it('activations: outputs of a batch and their gradients, gated and residual blocks keeping H (and T, C), by hand for a small spec', () => {
    const ir = checkedIr(
      compileText(
        'network m {\n  input 4\n  dense 3 relu\n  highway dense relu\n  highway dense relu carry=free\n  residual dense relu\n  dense 2 softmax\n}\ntrain {\n  batch 5\n  optimizer sgd momentum=0\n}\n',
      ),
    );
    const e = estimateTrainingMemory(ir, ir.train!);
    // input 4, dense 3, highway 3 x (H, T, y), free-carry highway 3 x (H, T, C, y), residual 3 x (H, y), dense 2
    const perExample = 4 + 3 + 3 * 3 + 3 * 4 + 3 * 2 + 2;
    expect(e.savedValuesPerExample).toBe(perExample);
    expect(e.activationBytes).toBe(2 * perExample * 5 * 4);
    expect(e.optimizerBytes).toBe(0);
    expect(e.parameterBytes).toBe(ir.stats.totalParams * 4);
    expect(e.total).toBe(2 * ir.stats.totalParams * 4 + 2 * perExample * 5 * 4);
    const j = summaryJson(ir);
    expect(j.memory).toMatchObject({ batch: 5, activationBytes: e.activationBytes, total: e.total });
    expect(j.layers.reduce((a, l) => a + l.savedValuesPerExample, 0)).toBe(perExample);
    const text = summaryText(ir);
    expect(text).toContain(`Training memory per batch of 5 (estimated): ${formatBytes(e.total)}`);
    expect(text).toContain(`2 x ${perExample} values an example x 5 x 4 bytes`);
    expect(text).toMatch(/optimizer state +0 bytes {2}plain SGD keeps none/);
  });
});
