import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { batches, type Dataset } from '../data/dataset.js';
import type { NetworkIR } from '../ir/types.js';
import { flagsOf } from '../language/kinds.js';
import { HighwayConv2D, HighwayDense, withProbe } from '../backends/tfjs/layers.js';
import { batchTensor } from '../backends/tfjs/train.js';
import { StreamingR, conditionNumber, float32ConditionLimit } from './linalg.js';

/** Per highway layer and block (unit, or channel for convolutions). */
export type LayerBlock = number[][];

export interface GateStats {
  layers: string[];
  /** b_T after training. */
  biases: LayerBlock;
  /** Mean transform gate output over the data. */
  meanGate: LayerBlock;
  /** Mean gate output per class (class -> layer -> block). */
  classMeanGate: LayerBlock[];
  /** One example: its gate outputs and block outputs. */
  sample: { index: number; label: number; gate: LayerBlock; output: LayerBlock };
  /**
   * Sparsity of the routing, over every example (not only the one shown): how many of an
   * example's gates are more than `threshold` open, out of `gates`.
   */
  openGates: OpenGates;
}

export interface OpenGates {
  threshold: number;
  /** Gates per example (highway layers x blocks). */
  gates: number;
  /** Open gates per example: the distribution over the data. */
  mean: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
  /** This many open gates in the example of `sample`. */
  sample: number;
}

/** A gate is "open" for an example past this output: the paper's selective routing. */
export const OPEN_GATE = 0.5;

/** The distribution of open-gate counts per example (quantiles by nearest rank). */
export function openGateSummary(perExample: ArrayLike<number>, gates: number, sampleIndex: number, threshold = OPEN_GATE): OpenGates {
  const sorted = Float64Array.from(perExample).sort();
  const n = sorted.length;
  const q = (f: number) => (n ? sorted[Math.min(n - 1, Math.max(0, Math.ceil(f * n) - 1))] : 0);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { threshold, gates, mean: n ? sum / n : 0, median: q(0.5), p10: q(0.1), p90: q(0.9), min: n ? sorted[0] : 0, max: n ? sorted[n - 1] : 0, sample: perExample[sampleIndex] ?? 0 };
}

const highwayLayers = (model: tfl.LayersModel) => model.layers.filter((l): l is HighwayDense | HighwayConv2D => l instanceof HighwayDense || l instanceof HighwayConv2D);

/** Reduces a recorded tensor to [batch, blocks]: convolutional maps are averaged over space. */
function perBlock(t: tf.Tensor): tf.Tensor2D {
  return (t.rank === 4 ? tf.mean(t, [1, 2]) : t) as tf.Tensor2D;
}

/** Gate statistics over a data set, in batches (memory does not grow with the data set). */
export async function gateStats(model: tfl.LayersModel, ir: NetworkIR, d: Dataset, sampleIndex: number, batch = 500): Promise<GateStats | null> {
  const hw = highwayLayers(model);
  if (!hw.length) return null;
  const names = hw.map((l) => l.name);
  const biases = hw.map((l) => {
    const b = l.gateBiases();
    const v = Array.from(b.dataSync());
    b.dispose();
    return v;
  });
  const sums = new Map<string, Float64Array>();
  const classSums = new Map<string, Float64Array[]>();
  const counts = new Array<number>(d.classes).fill(0);
  const openPerExample = new Float64Array(d.count);
  let blocksPerExample = 0;
  const sample = { index: sampleIndex, label: d.labels[sampleIndex], gate: [] as number[][], output: [] as number[][] };
  const inputShape = ir.layers[0].outShape;
  for (const { start: s, idx } of batches(d.count, batch)) {
    const labels = idx.map((i) => d.labels[i]);
    for (const l of labels) counts[l]++;
    const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), d.classes), 'float32'));
    const recorded: Promise<void>[] = [];
    tf.tidy(() => {
      const x = batchTensor(d, idx, inputShape);
      withProbe(
        {
          record(layer, t, y) {
            const g = perBlock(t);
            const total = tf.sum(g, 0);
            const byClass = tf.matMul(oneHot, g, true, false); // [classes, blocks]
            const open = tf.sum(tf.cast(tf.greater(g, OPEN_GATE), 'float32'), 1); // [batch]
            const keep = [tf.keep(total), tf.keep(byClass), tf.keep(open)];
            let sampleGate: tf.Tensor | undefined;
            let sampleOut: tf.Tensor | undefined;
            const local = sampleIndex - s;
            if (local >= 0 && local < idx.length) {
              sampleGate = tf.keep(tf.slice(g, [local, 0], [1, -1]));
              sampleOut = tf.keep(tf.slice(perBlock(y), [local, 0], [1, -1]));
            }
            recorded.push(
              (async () => {
                const [tv, cv, ov] = await Promise.all(keep.map((k) => k.data()));
                tf.dispose(keep);
                const n = tv.length;
                for (let k = 0; k < ov.length; k++) openPerExample[s + k] += ov[k];
                if (s === 0) blocksPerExample += n;
                const acc = sums.get(layer) ?? new Float64Array(n);
                for (let i = 0; i < n; i++) acc[i] += tv[i];
                sums.set(layer, acc);
                const cacc = classSums.get(layer) ?? Array.from({ length: d.classes }, () => new Float64Array(n));
                for (let c = 0; c < d.classes; c++) for (let i = 0; i < n; i++) cacc[c][i] += cv[c * n + i];
                classSums.set(layer, cacc);
                if (sampleGate && sampleOut) {
                  sample.gate[names.indexOf(layer)] = Array.from(await sampleGate.data());
                  sample.output[names.indexOf(layer)] = Array.from(await sampleOut.data());
                  tf.dispose([sampleGate, sampleOut]);
                }
              })(),
            );
          },
        },
        () => model.apply(x),
      );
    });
    await Promise.all(recorded);
    oneHot.dispose();
  }
  return {
    layers: names,
    biases,
    meanGate: names.map((n) => Array.from(sums.get(n)!, (v) => v / d.count)),
    classMeanGate: Array.from({ length: d.classes }, (_, c) => names.map((n) => Array.from(classSums.get(n)![c], (v) => (counts[c] ? v / counts[c] : 0)))),
    sample,
    openGates: openGateSummary(openPerExample, blocksPerExample, sampleIndex),
  };
}

/** Training error with each highway layer lesioned in turn (its gates forced shut: the layer copies its input). */
export async function lesionErrors(model: tfl.LayersModel, ir: NetworkIR, d: Dataset, onProgress?: (k: number, n: number) => void, batch = 500): Promise<{ intact: number; lesioned: { layer: string; error: number }[] }> {
  const errorWith = async (closed: Set<string>) => {
    let wrong = 0;
    for (const { idx } of batches(d.count, batch)) {
      const pred = tf.tidy(() => withProbe({ closed }, () => tf.argMax(model.apply(batchTensor(d, idx, ir.layers[0].outShape)) as tf.Tensor, -1)));
      const p = await pred.data();
      pred.dispose();
      idx.forEach((i, k) => {
        if (p[k] !== d.labels[i]) wrong++;
      });
    }
    return wrong / d.count;
  };
  const hw = highwayLayers(model).map((l) => l.name);
  const intact = await errorWith(new Set());
  const lesioned: { layer: string; error: number }[] = [];
  for (let k = 0; k < hw.length; k++) {
    onProgress?.(k + 1, hw.length);
    lesioned.push({ layer: hw[k], error: await errorWith(new Set([hw[k]])) });
  }
  return { intact, lesioned };
}

/**
 * Condition number of the hidden representation after each weighted layer: plain nets'
 * representations become ill-conditioned with depth, skip connections keep them well
 * conditioned. The singular values come from a QR of the activations accumulated batch by
 * batch (bounded memory), then an SVD of R; `limit` is where float32 activations stop
 * telling σmin from rounding (see float32ConditionLimit).
 */
export async function conditionNumbers(model: tfl.LayersModel, ir: NetworkIR, d: Dataset, batch = 500): Promise<{ layer: string; kind: string; index: number; condition: number; limit: number }[]> {
  const weighted = ir.layers.filter((l) => flagsOf(l).weighted).slice(0, -1); // not the output layer
  const layers = weighted.map((l) => model.getLayer(l.name));
  if (!layers.length) return [];
  const probe = tfl.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tfl.SymbolicTensor) });
  const rs: StreamingR[] = [];
  for (const { idx } of batches(d.count, batch)) {
    const outs = tf.tidy(() => {
      let o = probe.apply(batchTensor(d, idx, ir.layers[0].outShape)) as tf.Tensor | tf.Tensor[];
      if (!Array.isArray(o)) o = [o];
      // feature maps: every position is a sample of the channels
      return o.map((t) => (t.rank === 4 ? tf.reshape(t, [-1, t.shape[3]!]) : t));
    });
    const vals = await Promise.all(outs.map((o) => o.data()));
    vals.forEach((v, i) => {
      const n = outs[i].shape[1]!;
      (rs[i] ??= new StreamingR(n)).add(v, outs[i].shape[0]);
    });
    tf.dispose(outs);
  }
  return weighted.map((l, i) => ({ layer: l.name, kind: l.kind, index: i + 1, condition: conditionNumber(rs[i].singularValues(), rs[i].n), limit: float32ConditionLimit(rs[i].n) }));
}
