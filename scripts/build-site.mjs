// Builds the browser playground (src/playground/) into dist/site/: one folder of static
// files that any static host serves (no server code) and `hwy studio` serves at /editor/.
//   index.html, style.css      the page
//   app.js                     the page's script (CodeMirror, the LSP client), an ES module
//   worker.js                  the language worker: hwy's compiler and language server
//   trainer.js                 the in-page trainer (tfjs), which the page imports when its training panel starts
//   tfjs-backend-wasm*.wasm    tfjs's WebAssembly backend, for the trainer where WebGPU and WebGL are not
//   data/*.gz                  the bundled MNIST digits, for the trainer
// Nothing is loaded from anywhere else. `--report` prints each file's gzipped size.
// For the playground's tests: HWY_SITE_OUT builds into another folder, and HWY_SITE_TRAINER
// bundles another module (a test double of the trainer contract) as trainer.js.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const OUT = process.env.HWY_SITE_OUT || 'dist/site';
const minify = process.env.HWY_NO_MINIFY !== '1';
// the paper's networks first, then the examples (figure 1 and the sweeps are left out: a sweep names other files)
const EXAMPLES = ['specs/paper/mlp-highway.hwy', 'specs/paper/mnist-conv-highway.hwy', 'specs/paper/mlp-plain.hwy', 'specs/paper/mlp-residual.hwy', 'specs/paper/cifar10-highway-a.hwy', 'specs/paper/cifar100-highway.hwy'];

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'data'), { recursive: true });
const examples = EXAMPLES.map((f) => ({ name: f.replace(/^specs\/paper\//, '').replace(/\.hwy$/, ''), text: readFileSync(f, 'utf8') }));
const common = { bundle: true, platform: 'browser', target: 'es2022', minify, logLevel: 'warning', legalComments: 'none', // the parser's grammar self-check is a development switch read from the environment; a page has none
  define: { 'process.env.NODE_ENV': '"production"', 'process.env.HWY_VALIDATE_GRAMMAR': '"0"' } };

const trainer = process.env.HWY_SITE_TRAINER || 'src/playground/train/trainer.ts';
if (!existsSync(trainer)) {
  console.error(`build-site: ${trainer}: no such file (the trainer's module)`);
  process.exit(2);
}
await build({ ...common, entryPoints: { app: 'src/playground/app/main.ts' }, format: 'esm', outdir: OUT, define: { ...common.define, __HWY_EXAMPLES__: JSON.stringify(examples) } });
await build({ ...common, entryPoints: { worker: 'src/playground/worker.ts' }, format: 'iife', outdir: OUT });
// The trainer is its own bundle (tfjs), which the page imports when the training panel starts.
await build({ ...common, entryPoints: { trainer }, format: 'esm', outdir: OUT });
// tfjs's wasm backend fetches its binary at run time, from the URL the page passes the
// trainer (wasmUrl: the site's root). The plain and SIMD builds only: the threaded one needs
// a cross-origin-isolated page and a blob: worker, which the page's policy does not allow
// (the trainer turns threads off, so it never asks for that file).
const WASM = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) copyFileSync(join(WASM, f), join(OUT, f));
copyFileSync('src/playground/app/index.html', join(OUT, 'index.html'));
// uPlot's own stylesheet (the training curves), then the page's
const uplotCss = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
writeFileSync(join(OUT, 'style.css'), `${uplotCss}\n${readFileSync('src/playground/app/style.css', 'utf8')}`);
for (const f of readdirSync('data')) if (f.endsWith('.gz')) copyFileSync(join('data', f), join(OUT, 'data', f));

if (process.argv.includes('--report')) {
  const sizes = {};
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else sizes[p.slice(OUT.length + 1)] = { bytes: statSync(p).size, gzip: gzipSync(readFileSync(p), { level: 9 }).length };
    }
  };
  walk(OUT);
  const app = Object.entries(sizes).filter(([f]) => !f.startsWith('data/') && f !== 'trainer.js' && !f.endsWith('.wasm'));
  for (const [f, s] of Object.entries(sizes)) console.log(`${f.padEnd(34)} ${String(s.bytes).padStart(10)} B  ${String(s.gzip).padStart(9)} B gzipped`);
  console.log(`the app without the trainer (trainer.js, *.wasm) and data: ${app.reduce((n, [, s]) => n + s.gzip, 0)} B gzipped`);
}
