// The torch engine's cost per sweep trial beyond training: specs/paper/figure1.hwy at a small
// budget (its first two depths, 2 trials each, 1 epoch, 1,000 training examples), run twice in
// this one process: each run in processes of its own (as `hwy train` does: Python started and
// torch imported for every run) and in one worker a job slot (the sweep's way). The overhead of
// a trial is its wall time less the time inside its training epochs (metrics.jsonl's seconds).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

// the runner is not a built entry point: loaded from source (tsx), as the Optuna bench does
register();
const ROOT = new URL('..', import.meta.url).pathname;
const { runSweep } = await import('../src/experiment/runner.ts');
const { compileExperiment } = await import('../src/core/experiment.ts');
const { findPython } = await import('../src/backends/torch/python.ts');
const { loadBundledMnist } = await import('../src/data/mnist-bundled.ts');
const { permutation, subset } = await import('../src/data/dataset.ts');

const fmt = (x, d = 2) => x.toFixed(d);

function figure1Plan() {
  const file = join(ROOT, 'specs/paper/figure1.hwy');
  const r = compileExperiment(readFileSync(file, 'utf8'), file, { readFile: (p) => readFileSync(p, 'utf8') });
  if (!r.ok || !r.plan) throw new Error(`${file} does not compile`);
  const plan = r.plan;
  plan.grid = plan.grid.map((g) => (g.name === 'depth' ? { ...g, values: g.values.slice(0, 2) } : g));
  plan.trials = 2;
  plan.stop = { ...plan.stop, maxEpochs: 1 };
  return plan;
}

export async function sweepOverheadBench(log = console.log) {
  try {
    findPython();
  } catch (e) {
    log(`skipped: ${e.message}`);
    return;
  }
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 1);
  const data = { train: subset(trainval, p.subarray(0, 1000), 'train'), validation: subset(trainval, p.subarray(1000, 1200), 'validation'), test: subset(test, [0, 1, 2]), source: '1,000 bundled digits' };
  const plan = figure1Plan();
  const dir = mkdtempSync(join(tmpdir(), 'hwy-bench-sweep-'));
  const run = async (name, processPerRun, over = {}) => {
    const t0 = performance.now();
    const r = await runSweep({ plan: { ...plan, ...over }, out: join(dir, name), engine: 'torch', device: 'cpu', jobs: 1, preloaded: data, figures: false, processPerRun });
    const wall = (performance.now() - t0) / 1000;
    const training = r.records.reduce((a, t) => a + t.runs.reduce((b, x) => b + x.seconds, 0), 0);
    const n = r.records.length;
    return { n, wall, training, perTrial: (wall - training) / n };
  };
  try {
    // the first sweep of a process loads tfjs and writes the data's arrays: not a trial's cost
    await run('warm-up', true, { trials: 1, grid: plan.grid.map((g) => ({ ...g, values: g.values.slice(0, 1) })) });
    const fresh = await run('per-run', true);
    const kept = await run('worker', false);
    log(`figure1.hwy: depths ${plan.grid.find((g) => g.name === 'depth').values.join(', ')}, ${plan.trials} trials each, 1 epoch, ${data.train.count} training examples, cpu, 1 job slot`);
    log('');
    log('| torch processes | trials | wall s | in training epochs s | overhead a trial s |');
    log('|---|---|---|---|---|');
    log(`| one a run (hwy train's way) | ${fresh.n} | ${fmt(fresh.wall)} | ${fmt(fresh.training)} | ${fmt(fresh.perTrial)} |`);
    log(`| one a job slot (the sweep's) | ${kept.n} | ${fmt(kept.wall)} | ${fmt(kept.training)} | ${fmt(kept.perTrial)} |`);
    log(`\noverhead a trial: ${fmt(kept.perTrial)} s kept worker against ${fmt(fresh.perTrial)} s a process a run = ${fmt(kept.perTrial / fresh.perTrial)}x (saved ${fmt(fresh.perTrial - kept.perTrial)} s a trial) [goal < 1 s a trial]`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await sweepOverheadBench();
