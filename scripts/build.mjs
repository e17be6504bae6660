// Builds the package:
//  - dist/hwy.js: one ESM bundle of the CLI (loading hundreds of modules would triple
//    start-up time); heavy optional runtimes (tfjs, the language server, plotting) stay
//    external and load on demand. dist/lib.js, dist/train.js, dist/prettier-plugin.js: the
//    package's exports.
//  - schema/: the JSON Schemas of the IR (src/ir/schema.ts) and of the run records
//    (src/run/records.ts), which their $ids point at.
//  - dist/types/: the exports' type declarations (tsc). `--types` builds only these;
//    HWY_NO_TYPES=1 leaves them out (tsc takes seconds; the CLI does not need them).
// Nothing built here depends on the machine it is built on: what is built is what ships.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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
const external = ['@tensorflow/*', 'tar', 'write-file-atomic', 'vscode-languageserver', 'vscode-languageserver/*', 'prettier', 'prettier/*', '@resvg/*', 'vega', 'vega-lite', 'cli-progress'];
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
// What older builds left in dist/: a V8 snapshot is specific to the Node binary that
// built it, so the package no longer builds or ships one (bench/startup.mjs measures why).
for (const old of ['dist/hwy.snapshot.blob', 'dist/hwy.snapshot.node', 'dist/hwy-snapshot.cjs']) rmSync(old, { force: true });

// Python helpers the torch engine runs, shipped as they are (dist/python/).
mkdirSync('dist/python', { recursive: true });
copyFileSync('src/backends/torch/python/hwy_weights.py', 'dist/python/hwy_weights.py');
copyFileSync('src/backends/torch/python/hwy_train.py', 'dist/python/hwy_train.py');
copyFileSync('src/backends/torch/python/hwy_tensorboard.py', 'dist/python/hwy_tensorboard.py');

// The schemas as files of the package (their $ids point at them), from the objects the checkers compile.
const { IR_SCHEMA, RUN_RECORD_SCHEMA, TRAIN_STATE_SCHEMA } = await import(pathToFileURL('dist/lib.js').href);
mkdirSync('schema', { recursive: true });
for (const [file, schema] of [['ir-v1.json', IR_SCHEMA], ['run-v1.json', RUN_RECORD_SCHEMA], ['state-v1.json', TRAIN_STATE_SCHEMA]]) writeIfChanged(`schema/${file}`, JSON.stringify(schema, null, 2) + '\n');

if (process.env.HWY_NO_TYPES !== '1') buildTypes();
