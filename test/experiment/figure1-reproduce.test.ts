// specs/paper/figure1.hwy is figure 1 as a sweep: compiled by the compiler and run by the
// sweep runner, its trials train exactly as the paper sweep's did (docs/sweep, torch engine,
// seed 1). Checked on the trials that stopped within a few epochs there, so that the test
// trains seconds, not the hour the whole sweep takes.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { pythonOrReason, torchTitle } from '../backends/torch/cases.js';
import { compileExperiment } from '../../src/core/experiment.js';
import { runSweep } from '../../src/experiment/runner.js';
import { randomSearch } from '../../src/experiment/random.js';
import type { ExperimentPlan, GridPoint } from '../../src/ir/experiment.js';
import type { Search, TrialTicket } from '../../src/experiment/search.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

const committed = JSON.parse(readFileSync(join(ROOT, 'docs/sweep/sweep.json'), 'utf8')) as { rows: { runDir: string; finalLoss: number; epochs: number; stopped: string }[] };

function figure1(): ExperimentPlan {
  const file = join(ROOT, 'specs/paper/figure1.hwy');
  const r = compileExperiment(readFileSync(file, 'utf8'), file, { readFile: (p) => readFileSync(p, 'utf8') });
  if (!r.ok || !r.plan) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.plan;
}

/** The plan's own random search, handing out only trial `only` of each point (the others are drawn and skipped, as the paper sweep drew them). */
function onlyTrial(plan: ExperimentPlan, only: number): Search {
  const inner = randomSearch(plan);
  return {
    async ask(point: GridPoint): Promise<TrialTicket | null> {
      for (let t = await inner.ask(point); t; t = await inner.ask(point)) if (t.trial === only) return t;
      return null;
    },
    report: (t, s, v) => inner.report(t, s, v),
    tell: (t, e) => inner.tell(t, e),
    close: () => inner.close(),
  };
}

describe.skipIf(!python)(title('specs/paper/figure1.hwy reproduces docs/sweep'), () => {
  it.each([
    ['plain', 20, 10],
    ['plain', 10, 3],
    ['highway', 10, 8],
  ])('%s network, depth %i, trial %i: the same stop and the same final loss as the committed table', async (network, depth, trial) => {
    const plan = figure1();
    const one: ExperimentPlan = {
      ...plan,
      networks: plan.networks.filter((n) => n.label === network),
      grid: plan.grid.map((g) => (g.name === 'depth' ? { ...g, values: [depth] } : g)),
      // the gate bias belongs to the highway network only (and is drawn last): without it, the plain network's draws are the same
      space: plan.space.filter((s) => !s.networks || s.networks.includes(network)),
    };
    const out = mkdtempSync(join(tmpdir(), 'hwy-figure1-'));
    const r = await runSweep({ plan: one, out, engine: 'torch', device: 'cpu', search: onlyTrial(one, trial), figures: false });
    expect(r.records).toHaveLength(1);
    const run = r.records[0].runs[0];
    const want = committed.rows.find((x) => x.runDir === `${network}-${depth}-t${trial}`)!;
    expect(run.epochs).toBe(want.epochs);
    expect(run.stopped).toBe(want.stopped);
    expect(Math.abs(run.finalLoss - want.finalLoss)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.finalLoss)));
  }, 600_000);
});
