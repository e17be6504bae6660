// Analysis memory: gate statistics, lesioning and condition numbers run in batches, so
// peak tensor memory does not grow with the number of examples analysed.
import { readFileSync } from 'node:fs';
import { compile, lowerToModel, selectBackend, tf, loadBundledMnist, gateStats, conditionNumbers, subset, permutation } from '../dist/train.js';

const ROOT = new URL('..', import.meta.url).pathname;

export async function analysisBench(log = console.log) {
  await selectBackend('wasm');
  const ir = compile(readFileSync(ROOT + 'specs/paper/analysis-mnist.hwy', 'utf8'), 'a.hwy').ir;
  const model = lowerToModel(ir, { seed: 1 });
  const { trainval } = loadBundledMnist();
  log('| examples analysed | peak tfjs bytes (gates + condition numbers) | seconds |');
  log('|---|---|---|');
  const peaks = [];
  for (const n of [1000, 4000, 9000]) {
    const d = subset(trainval, permutation(trainval.count, 1).subarray(0, n));
    const t = performance.now();
    const p = await tf.profile(async () => {
      await gateStats(model, ir, d, 0);
      await conditionNumbers(model, ir, d);
    });
    peaks.push(p.peakBytes);
    log(`| ${n.toLocaleString('en-US')} | ${(p.peakBytes / 2 ** 20).toFixed(1)} MiB | ${((performance.now() - t) / 1000).toFixed(1)} |`);
  }
  log(`\npeak memory at 9,000 examples / at 1,000: ${(peaks[2] / peaks[0]).toFixed(2)}x (bounded: ~1x)`);
}
