// Builds the CLI:
//  - dist/hwy.js: one ESM bundle (loading hundreds of modules would triple start-up time);
//    heavy optional runtimes (tfjs, the language server, plotting) stay external and load on demand.
//  - dist/hwy.snapshot.blob: a V8 startup snapshot of the compiler for this Node binary, so the
//    compiler commands start about as fast as Node itself. Optional: bin/hwy falls back without it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const minify = process.env.HWY_NO_MINIFY !== '1';
// write-file-atomic stays external too: it names its temporary files after __filename, which an ESM bundle lacks.
const external = ['@tensorflow/*', 'tar', 'write-file-atomic', 'vscode-languageserver', 'vscode-languageserver/*', 'prettier', 'prettier/*', '@resvg/*', 'vega', 'vega-lite', 'mnist', 'cli-progress'];
mkdirSync('dist', { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', minify, external, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: { hwy: 'src/cli/main.ts', lib: 'src/index.ts', train: 'src/train-api.ts', 'prettier-plugin': 'src/format/plugin.ts' },
  format: 'esm',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  banner: { js: "import { createRequire as __hwyCreateRequire } from 'node:module'; const require = __hwyCreateRequire(import.meta.url);" },
});

// The browser entry (package export `./layers`): hwy's layers for a page or a bundler, with
// tfjs left to the page (one copy of tfjs-core and -layers, or layer registration lands in
// the wrong one). dist/layers.js is an ES module importing @tensorflow/tfjs-core and
// -layers; dist/layers.global.js is the same for a <script> tag after tfjs's own
// script-tag bundles, reading their global `tf` (examples/browser/).
const browser = { bundle: true, platform: 'browser', target: 'es2020', minify, logLevel: 'warning', sourcemap: 'linked' };
await build({ ...browser, entryPoints: { layers: 'src/layers-entry.ts' }, format: 'esm', outdir: 'dist', external: ['@tensorflow/*'] });
const tfGlobal = {
  name: 'tfjs-global',
  setup(b) {
    b.onResolve({ filter: /^@tensorflow\/tfjs-(core|layers)$/ }, (a) => ({ path: a.path, namespace: 'tfjs-global' }));
    b.onLoad({ filter: /.*/, namespace: 'tfjs-global' }, () => ({ contents: "if (!globalThis.tf || !globalThis.tf.layers) throw new Error('hwy layers: load tf-core.js and tf-layers.js first'); module.exports = globalThis.tf;", loader: 'js' }));
  },
};
await build({ ...browser, entryPoints: { 'layers.global': 'src/layers-entry.ts' }, format: 'iife', globalName: 'hwyLayers', outdir: 'dist', plugins: [tfGlobal] });

// Python helpers the torch engine runs, shipped as they are (dist/python/).
mkdirSync('dist/python', { recursive: true });
copyFileSync('src/backends/torch/python/hwy_weights.py', 'dist/python/hwy_weights.py');
copyFileSync('src/backends/torch/python/hwy_train.py', 'dist/python/hwy_train.py');

// The snapshot must match the Node binary that runs it: remember which one built it.
function nodeOnPath() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, 'node');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return process.execPath;
}
const blob = 'dist/hwy.snapshot.blob';
rmSync(blob, { force: true });
rmSync('dist/hwy.snapshot.node', { force: true });
if (process.env.HWY_NO_SNAPSHOT !== '1') {
  await build({ ...common, entryPoints: ['src/cli/snapshot-main.ts'], format: 'cjs', outfile: 'dist/hwy-snapshot.cjs', external: [] });
  const node = nodeOnPath();
  const r = spawnSync(node, ['--snapshot-blob', blob, '--build-snapshot', 'dist/hwy-snapshot.cjs'], { encoding: 'utf8' });
  if (r.status === 0) writeFileSync('dist/hwy.snapshot.node', node);
  else {
    rmSync(blob, { force: true });
    process.stderr.write(`hwy build: no startup snapshot (${(r.stderr || r.error?.message || '').split('\n')[0]}); the CLI works without it, a little slower to start\n`);
  }
}
