// The Optuna search's own cost per trial: the JSON-lines round trips to the Python worker and
// Optuna's storage work (SQLite in a temp sweep directory), with no training. Compared with a
// trial's training time this is what running a sweep through Optuna adds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/esm/api';

// The search is not part of a built entry point: load it from source (tsx), so it finds its worker script.
register();
const { optunaSearch } = await import('../src/experiment/optuna.ts');

const plan = (sampler, trials) => ({
  name: 'bench',
  file: '/bench/bench.hwy',
  networks: [{ label: 'n', specFile: '/bench/bench.hwy', network: 'n' }],
  grid: [],
  space: [
    { name: 'lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
    { name: 'x', target: 'constant', dist: { type: 'uniform', low: 0, high: 1 } },
    { name: 'act', target: 'constant', dist: { type: 'choice', choices: ['relu', 'tanh'] } },
  ],
  trials,
  seeds: [1],
  objective: { metric: 'val_loss', direction: 'minimize', reduce: 'final' },
  stop: { maxEpochs: 5 },
  pruner: 'median',
  sampler,
  seed: 1,
});

export async function optunaBench(log = console.log, trials = 40) {
  const dir = mkdtempSync(join(tmpdir(), 'hwy-bench-optuna-'));
  try {
    log('| sampler | open (start Python, import Optuna, open SQLite) ms | ask + tell ms per trial | ask + 5 reports + tell ms per trial |');
    log('|---|---|---|---|');
    for (const sampler of ['random', 'tpe']) {
      const sweepDir = mkdtempSync(join(dir, `${sampler}-`));
      const t0 = performance.now();
      const s = await optunaSearch(plan(sampler, 2 * trials), { sweepDir });
      const openMs = performance.now() - t0;
      const point = { network: 'n', values: {} };
      const t1 = performance.now();
      for (let i = 0; i < trials; i++) {
        const t = await s.ask(point);
        await s.tell(t, { state: 'complete', value: t.params.x });
      }
      const bare = (performance.now() - t1) / trials;
      const t2 = performance.now();
      for (let i = 0; i < trials; i++) {
        const t = await s.ask(point);
        let pruned = false;
        for (let step = 1; step <= 5 && !pruned; step++) pruned = await s.report(t, step, t.params.x + 1 / step);
        await s.tell(t, pruned ? { state: 'pruned' } : { state: 'complete', value: t.params.x });
      }
      const withReports = (performance.now() - t2) / trials;
      await s.close();
      log(`| ${sampler} | ${openMs.toFixed(0)} | ${bare.toFixed(1)} | ${withReports.toFixed(1)} |`);
    }
    log(`\n(${trials} trials each, the second set after the first: TPE's cost grows with the trials it has seen)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await optunaBench();
