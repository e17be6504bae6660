// Builds the package:
//  - dist/hwy.js: one ESM bundle of the CLI (loading hundreds of modules would triple
//    start-up time); heavy runtimes (tfjs, the language server, prettier, resvg's native
//    binding) stay external and load on demand. vega and vega-lite are bundled into a chunk
//    that only figure writing loads: they are devDependencies, so a user's install goes
//    without them and their ~20 MB tree (test/dist-imports.test.ts keeps every external
//    import a dependency). dist/lib.js, dist/train.js, dist/prettier-plugin.js: the
//    package's exports.
//  - dist/hwy-core.cjs: the compiler commands alone, one CommonJS file, and
//    dist/hwy-core.cache, V8's code cache of it for the Node that built it (below).
//  - schema/: the JSON Schemas of the IR (src/ir/schema.ts) and of the run records
//    (src/run/records.ts), which their $ids point at.
//  - dist/types/: the exports' type declarations (tsc). `--types` builds only these;
//    HWY_NO_TYPES=1 leaves them out (tsc takes seconds; the CLI does not need them).
// Nothing that ships depends on the machine it is built on. dist/hwy-core.cache does (it is
// V8's, for this Node) and is left out of the package (package.json files): an install
// compiles dist/hwy-core.cjs from its text, a clone built with npm install has the cache.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import writeFileAtomic from 'write-file-atomic';

const typesOnly = process.argv.includes('--types');

function buildTypes() {
  rmSync('dist/types', { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('hwy build: tsc could not write the type declarations (above)\n');
    process.exit(1);
  }
}

/** Rewrites a file only when its content changes, atomically (tests read these while a build runs). */
function writeIfChanged(path, text) {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return;
  writeFileAtomic.sync(path, text);
}

if (typesOnly) {
  buildTypes();
  process.exit(0);
}

const minify = process.env.HWY_NO_MINIFY !== '1';
// write-file-atomic stays external too: it names its temporary files after __filename, which an ESM bundle lacks.
const external = ['@tensorflow/*', 'tar', 'write-file-atomic', 'vscode-languageserver', 'vscode-languageserver/*', 'prettier', 'prettier/*', '@resvg/*', 'cli-progress'];
mkdirSync('dist', { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', minify, external, logLevel: 'warning' };

const main = await build({
  ...common,
  metafile: true,
  entryPoints: { hwy: 'src/cli/main.ts', lib: 'src/index.ts', train: 'src/train-api.ts', 'prettier-plugin': 'src/format/plugin.ts' },
  format: 'esm',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  banner: { js: "import { createRequire as __hwyCreateRequire } from 'node:module'; const require = __hwyCreateRequire(import.meta.url);" },
});
// Chunks are named by content hash, so each build that changes code leaves the previous
// build's chunks behind: remove those this build did not write, after it wrote its own (a
// CLI started from the previous build may still import one lazily: rebuild while nothing
// runs, as with any rebuild). dist/chunks is only ours.
const written = new Set(Object.keys(main.metafile.outputs).map((f) => f.replace(/^dist\//, '')));
for (const f of readdirSync('dist/chunks')) if (!written.has(`chunks/${f}`)) rmSync(`dist/chunks/${f}`, { force: true });
// What older builds left in dist/: a V8 snapshot is specific to the Node binary that
// built it, so the package no longer builds or ships one (bench/startup.mjs measures why).
for (const old of ['dist/hwy.snapshot.blob', 'dist/hwy.snapshot.node', 'dist/hwy-snapshot.cjs']) rmSync(old, { force: true });

// dist/hwy-core.cjs: the compiler commands (check, summary, compile, explain) as one
// CommonJS file, which bin/hwy.js loads for them with V8's code cache of it
// (dist/hwy-core.cache, written here for this Node by a warm-up run in a process of its
// own; not shipped in the package, whose users' Node may differ: theirs compiles from the
// text). One file instead of the ES bundle's dozens of modules, and compiled from the
// cache: together half of these commands' start-up (npm run bench -- startup).
// commander requires node:child_process (and with it net, dgram, streams) for subcommands
// that are programs of their own, which hwy has none of: it gets it when it first uses it.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (a) => (/[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: a.path, namespace: 'lazy-child-process' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({ contents: "module.exports = new Proxy({}, { get: (_, k) => require('node:child_process')[k] });", loader: 'js' }));
  },
};
await build({ ...common, entryPoints: { 'hwy-core': 'src/cli/compiler-main.ts' }, format: 'cjs', outdir: 'dist', outExtension: { '.js': '.cjs' }, sourcemap: 'linked', plugins: [lazyChildProcess] });
{
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the cache holds only for the V8 flags it was made with: none, as the CLI runs
  const r = spawnSync(process.execPath, ['scripts/code-cache.mjs'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    process.stderr.write('hwy build: writing the code cache of dist/hwy-core.cjs failed (above)\n');
    process.exit(1);
  }
}

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

// hwy studio's page (src/studio/app/): the files `hwy studio` serves from dist/studio/,
// each script bundled whole, so that the page loads nothing from anywhere else: app.js (the
// table, uPlot's curves, the live stream) and vega.js (vega and vega-lite, which the page
// loads only when it first draws one of their figures); style.css is uPlot's then ours.
mkdirSync('dist/studio', { recursive: true });
await build({ ...browser, sourcemap: false, entryPoints: { app: 'src/studio/app/app.ts', vega: 'src/studio/app/vega-entry.ts' }, format: 'iife', outdir: 'dist/studio' });
copyFileSync('src/studio/app/index.html', 'dist/studio/index.html');
const uplotCss = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
writeIfChanged('dist/studio/style.css', `${uplotCss}\n${readFileSync('src/studio/app/style.css', 'utf8')}`);

// Python helpers the torch engine and the Optuna search run, shipped as they are (dist/python/).
mkdirSync('dist/python', { recursive: true });
copyFileSync('src/backends/torch/python/hwy_weights.py', 'dist/python/hwy_weights.py');
copyFileSync('src/backends/torch/python/hwy_train.py', 'dist/python/hwy_train.py');
copyFileSync('src/backends/torch/python/hwy_tensorboard.py', 'dist/python/hwy_tensorboard.py');
// The Optuna search's worker (src/experiment/optuna.ts), shipped beside them.
copyFileSync('src/experiment/python/hwy_optuna.py', 'dist/python/hwy_optuna.py');

// The schemas as files of the package (their $ids point at them), from the objects the checkers compile.
const { IR_SCHEMA, RUN_RECORD_SCHEMA, TRAIN_STATE_SCHEMA } = await import(pathToFileURL('dist/lib.js').href);
mkdirSync('schema', { recursive: true });
for (const [file, schema] of [['ir-v1.json', IR_SCHEMA], ['run-v1.json', RUN_RECORD_SCHEMA], ['state-v1.json', TRAIN_STATE_SCHEMA]]) writeIfChanged(`schema/${file}`, JSON.stringify(schema, null, 2) + '\n');

if (process.env.HWY_NO_TYPES !== '1') buildTypes();

// In a checkout of hwy itself, `npx hwy` finds no `hwy` in node_modules/.bin (npm links the
// bins of dependencies, not the project's own, and npx would otherwise look for the
// unrelated registry package named `hwy`): link it, as npm does for a dependency. Only a
// missing link is made; anything already there is left alone.
if (existsSync('node_modules') && existsSync('bin/hwy.js')) {
  const link = 'node_modules/.bin/hwy';
  let present = false;
  try {
    lstatSync(link);
    present = true;
  } catch {}
  if (!present) {
    mkdirSync('node_modules/.bin', { recursive: true });
    symlinkSync('../../bin/hwy.js', link);
  }
}
