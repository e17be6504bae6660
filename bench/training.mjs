// Training benchmarks: the model hwy compiles against the same network written by hand
// (stock tfjs ops, separate H and T weights), on the same backend in the same run.
import { readFileSync } from 'node:fs';
import { compile, lowerToModel, selectBackend, tf, tfl, lossFn } from '../dist/train.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** A highway layer as people write it by hand: two weight matrices, unfused ops. */
class HandHighway extends tfl.layers.Layer {
  static className = 'BenchHandHighway';
  constructor(cfg) {
    super(cfg);
    this.kernelSize = cfg.kernelSize;
    this.gateBias = cfg.gateBias;
  }
  build(shape) {
    const n = shape[shape.length - 1];
    const k = this.kernelSize ? [this.kernelSize, this.kernelSize, n, n] : [n, n];
    this.wh = this.addWeight('wh', k, 'float32', tfl.initializers.glorotUniform({ seed: 1 }));
    this.bh = this.addWeight('bh', [n], 'float32', tfl.initializers.zeros());
    this.wt = this.addWeight('wt', k, 'float32', tfl.initializers.glorotUniform({ seed: 2 }));
    this.bt = this.addWeight('bt', [n], 'float32', tfl.initializers.constant({ value: this.gateBias }));
    this.built = true;
  }
  computeOutputShape(s) {
    return s;
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const aff = (w, b) => tf.add(this.kernelSize ? tf.conv2d(x, w.read(), 1, 'same') : tf.matMul(x, w.read()), b.read());
      const h = tf.relu(aff(this.wh, this.bh));
      const t = tf.sigmoid(aff(this.wt, this.bt));
      return tf.add(tf.mul(h, t), tf.mul(x, tf.sub(1, t)));
    });
  }
}

/** The IR lowered by hand: stock layers, with HandHighway for the highway blocks. */
function handModel(ir) {
  let x = tfl.input({ shape: ir.layers[0].outShape });
  const input = x;
  for (const l of ir.layers.slice(1)) {
    if (l.kind === 'highway_dense') x = new HandHighway({ gateBias: l.gateBias }).apply(x);
    else if (l.kind === 'highway_conv') x = new HandHighway({ gateBias: l.gateBias, kernelSize: l.kernel[0] }).apply(x);
    else if (l.kind === 'dense') x = tfl.layers.dense({ units: l.units, activation: l.activation }).apply(x);
    else if (l.kind === 'conv') x = tfl.layers.conv2d({ filters: l.filters, kernelSize: l.kernel, padding: l.padding, activation: l.activation }).apply(x);
    else if (l.kind === 'flatten') x = tfl.layers.flatten().apply(x);
    else if (l.kind === 'dropout') x = tfl.layers.dropout({ rate: l.rate }).apply(x);
    else if (l.kind === 'maxpool') x = tfl.layers.maxPooling2d({ poolSize: l.kernel, strides: l.stride, padding: l.round === 'ceil' ? 'same' : 'valid' }).apply(x);
    else throw new Error(`bench: no hand-written form of ${l.kind}`);
  }
  return tfl.model({ inputs: input, outputs: x });
}

function step(model, opt, x, y) {
  tf.tidy(() => {
    opt.minimize(() => lossFn(true, y, model.apply(x, { training: true })), false);
  });
}

function measure(model, shape, batch, steps) {
  const opt = tf.train.momentum(0.01, 0.9);
  const x = tf.randomUniform([batch, ...shape], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32', 2), 10);
  for (let i = 0; i < 2; i++) step(model, opt, x, y); // warm up (and create the optimizer slots)
  tf.engine().startScope();
  const prof = tf.profile(() => step(model, opt, x, y));
  tf.engine().endScope();
  return prof.then((p) => {
    let rssPeak = process.memoryUsage().rss;
    const t = performance.now();
    for (let i = 0; i < steps; i++) {
      step(model, opt, x, y);
      if (i % 5 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    tf.tensor1d([0]).dataSync(); // wait for the device
    const seconds = (performance.now() - t) / 1000;
    const result = { samplesPerSec: (steps * batch) / seconds, kernels: p.kernels.length, tfPeakBytes: p.peakBytes, rssPeakMB: rssPeak / 2 ** 20 };
    tf.dispose([x, y]);
    opt.dispose();
    return result;
  });
}

const NETS = [
  { name: '50-layer highway MLP (batch 128)', file: 'specs/paper/mlp-highway.hwy', sets: { depth: 50 }, batch: 128, steps: 30, cpuSteps: 8 },
  { name: '10-layer MNIST conv highway, width 16 (batch 100)', file: 'specs/paper/mnist-conv-highway.hwy', sets: {}, batch: 100, steps: 4, cpuSteps: 0 },
];

export async function trainingBench(log = console.log) {
  const rows = [];
  for (const backend of ['wasm', 'cpu']) {
    await selectBackend(backend);
    for (const net of NETS) {
      const steps = backend === 'cpu' ? net.cpuSteps : net.steps;
      if (!steps) continue;
      const ir = compile(readFileSync(ROOT + net.file, 'utf8'), net.file, { overrides: net.sets }).ir;
      // dropout off in both: it is the same stock work either way and adds noise
      for (const l of ir.layers) if (l.kind === 'dropout') l.rate = 0;
      const shape = ir.layers[0].outShape;
      const hwy = await measure(lowerToModel(ir, { seed: 1 }), shape, net.batch, steps);
      const hand = await measure(handModel(ir), shape, net.batch, steps);
      rows.push({ backend, net: net.name, hwy, hand });
      log(`| ${backend} | ${net.name} | ${hwy.samplesPerSec.toFixed(0)} | ${hand.samplesPerSec.toFixed(0)} | **${(hwy.samplesPerSec / hand.samplesPerSec).toFixed(2)}x** | ${hwy.kernels} / ${hand.kernels} | ${(hwy.tfPeakBytes / 2 ** 20).toFixed(1)} / ${(hand.tfPeakBytes / 2 ** 20).toFixed(1)} MiB | ${hwy.rssPeakMB.toFixed(0)} MiB |`);
    }
  }
  const w = rows.find((r) => r.backend === 'wasm' && r.net.startsWith('50'));
  const c = rows.find((r) => r.backend === 'cpu' && r.net.startsWith('50'));
  if (w && c) log(`\nwasm vs cpu backend, 50-layer MLP as hwy compiles it: ${(w.hwy.samplesPerSec / c.hwy.samplesPerSec).toFixed(2)}x`);
  return rows;
}
