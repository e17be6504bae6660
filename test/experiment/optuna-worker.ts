// A sweep worker for the shared-study tests: drives the Optuna search over every grid point
// with a fake objective (a sleep per epoch, a value from the parameters) instead of training.
// argv[2]: JSON { plan, storage, sweepDir, heartbeat, grace, epochMs }. Writes one JSON line
// per event to stdout: start (a trial began), end (it was told), done.
import { optunaSearch } from '../../src/experiment/optuna.js';
import type { ExperimentPlan, GridPoint } from '../../src/ir/experiment.js';

const cfg = JSON.parse(process.argv[2]) as { plan: ExperimentPlan; storage?: string; sweepDir: string; heartbeat: number; grace: number; epochMs: number };
const say = (o: Record<string, unknown>) => process.stdout.write(JSON.stringify({ pid: process.pid, ...o }) + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const search = await optunaSearch(cfg.plan, { sweepDir: cfg.sweepDir, storage: cfg.storage, heartbeatInterval: cfg.heartbeat, gracePeriod: cfg.grace });
const points: GridPoint[] = cfg.plan.networks.flatMap((n) => cfg.plan.grid[0].values.map((v) => ({ network: n.label, values: { [cfg.plan.grid[0].name]: v } })));
for (const point of points) {
  for (;;) {
    const t = await search.ask(point);
    if (!t) break;
    say({ event: 'start', study: t.study, number: t.number, takesOver: t.takesOver, params: t.params });
    const x = t.params.x as number;
    let pruned = false;
    for (let epoch = 1; epoch <= cfg.plan.stop.maxEpochs; epoch++) {
      await sleep(cfg.epochMs);
      if (await search.report(t, epoch, x + 1 / epoch)) {
        pruned = true;
        break;
      }
    }
    await search.tell(t, pruned ? { state: 'pruned' } : { state: 'complete', value: x });
    say({ event: 'end', study: t.study, number: t.number, state: pruned ? 'pruned' : 'complete' });
  }
}
await search.close();
say({ event: 'done' });
