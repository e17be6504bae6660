// npm run bench: every benchmark, printed as ratios against baselines from the same run.
import { scaling } from './compiler.mjs';

const fmt = (x, d = 1) => x.toFixed(d);
const args = new Set(process.argv.slice(2));
const all = args.size === 0;
// Parts: compiler, startup, data, training, engines, lsp, analysis, optuna, sweep-overhead, studio (none named: all).

if (all || args.has('compiler')) {
  console.log('## Compiler\n');
  const { checkSpecsBench } = await import('./startup.mjs');
  const [node, check] = checkSpecsBench();
  console.log(`start-up: node -e "" ${fmt(node.ms)} ms; hwy check specs/ ${fmt(check.ms)} ms = ${fmt(check.ratio, 2)}x bare Node [goal <= 2x]`);
  const rows = scaling();
  console.log('\nin-process compile of generated highway MLPs:');
  console.log('| form | layers | ms | ms per 1,000 layers | growth vs 1,000 |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const base = rows.find((x) => x.form === r.form && x.layers === 1000);
    console.log(`| ${r.form} | ${r.layers.toLocaleString('en-US')} | ${fmt(r.ms)} | ${fmt((r.ms / r.layers) * 1000, 2)} | ${fmt(r.ms / base.ms, 1)}x for ${r.layers / 1000}x layers |`);
  }
  const tenK = rows.filter((r) => r.layers === 10000).map((r) => r.ms);
  console.log(`\n10,000 layers: ${tenK.map((x) => fmt(x) + ' ms').join(' / ')} [goal < 100 ms]`);
}

if (all || args.has('startup')) {
  const { checkSpecsBench, startupBench } = await import('./startup.mjs');
  console.log('\n## Start-up (hwy check, median of 20, ratio to bare Node measured in the same run) [goal <= 2x: the network specs; checking a sweep adds its networks\' compiles at every grid point]\n');
  console.log('| command | ms | vs node -e "" |');
  console.log('|---|---|---|');
  for (const r of checkSpecsBench()) console.log(`| ${r.name} | ${fmt(r.ms)} | ${fmt(r.ratio, 2)}x |`);
  console.log('\n## Launchers (hwy check specs/examples/tiny-mlp.hwy, median of 20, ratio to the plain bundle)\n');
  console.log('| launcher | ms | vs plain |');
  console.log('|---|---|---|');
  for (const r of await startupBench()) console.log(`| ${r.name} | ${fmt(r.ms)} | ${fmt(r.ratio, 2)}x |`);
}

if (all || args.has('data')) {
  const { dataBench } = await import('./data.mjs');
  const d = dataBench();
  console.log('\n## Bundled MNIST loading (10,000 digits)\n');
  console.log(`gzipped IDX (shipped) ${fmt(d.idxMs)} ms; the mnist package's JSON ${fmt(d.jsonMs)} ms; ${fmt(d.ratio, 2)}x the time`);
}

if (all || args.has('training')) {
  const { trainingBench } = await import('./training.mjs');
  console.log('\n## Training (samples/s of one training step, hwy-compiled vs hand-written; goal hwy >= 1.3x)\n');
  console.log('| backend | network | hwy samples/s | hand-written samples/s | hwy / hand | kernels a step (hwy / hand) | tfjs peak bytes a step (hwy / hand) | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|');
  await trainingBench();
}

if (all || args.has('engines')) {
  const { enginesBench } = await import('./engines.mjs');
  console.log('\n## Engines (goal: hwy-generated PyTorch >= 1.0x hand-written)\n');
  await enginesBench();
}

if (all || args.has('lsp')) {
  const { lspBench } = await import('./lsp.mjs');
  console.log('\n## Language server\n');
  await lspBench();
}

if (all || args.has('analysis')) {
  const { analysisBench } = await import('./analysis.mjs');
  console.log('\n## Analysis memory\n');
  await analysisBench();
}

if (all || args.has('optuna')) {
  const { optunaBench } = await import('./optuna.mjs');
  console.log('\n## Optuna search overhead per trial (no training; SQLite in a temp sweep directory)\n');
  await optunaBench();
}

if (all || args.has('sweep-overhead')) {
  const { sweepOverheadBench } = await import('./sweep-overhead.mjs');
  console.log('\n## Sweep overhead a trial, torch engine (one Python process a run vs one a job slot, measured in the same run) [goal < 1 s a trial]\n');
  await sweepOverheadBench();
}

if (all || args.has('studio')) {
  const { studioBench } = await import('./studio.mjs');
  console.log('\n## Studio (generated runs; chromium)\n');
  await studioBench();
}
