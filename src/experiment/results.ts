/**
 * A sweep's results from its trial records: sweep.md (what a person reads: the best trial
 * of each group, mean ± std over seeds, and verdicts that claim no more than the data),
 * sweep.json (the same for scripts, every trial included) and trials.csv (one row a run).
 * Written after every trial, so a running or stopped sweep can be read.
 */
import { join } from 'node:path';
import type { ExperimentPlan, ParamValue } from '../ir/experiment.js';
import { writeFileAtomic } from '../util/atomic.js';
import { VERSION } from '../version.js';
import { better, planRule, type RunStatus, type TrialRecord } from './records.js';
import { cappedTrials, plural } from '../analysis/sweep-protocol.js';
import { importancesNote } from './importances.js';

export interface GroupSummary {
  /** The grid point's name (pointName). */
  group: string;
  network: string;
  values: Record<string, ParamValue>;
  trials: number;
  counts: Record<RunStatus, number>;
  /** The best trial by the objective, among those that finished (done or capped) with one. */
  best?: TrialRecord;
  verdict: string;
}

export interface SweepSummary {
  complete: boolean;
  finished: number;
  total: number;
  /** Every trial, in plan order (grid point, then trial). */
  records: TrialRecord[];
  groups: GroupSummary[];
  /** The sweep's conclusions, each no stronger than the data. */
  verdicts: string[];
  /** The best group's best trial. */
  best?: TrialRecord;
}

/** How much each varied setting mattered, as the importances figure draws it: Optuna's, or the η² stand-in. */
export interface SweepImportances {
  /** optuna: fANOVA within each grid point, averaged over the points (grid axes not among them); eta-squared: the share of variance each setting explains alone, grid axes included. */
  source: 'optuna' | 'eta-squared';
  values: Record<string, number>;
}

/** Fewer finished trials a grid point than this, and importances are a rough guide, not a ranking. */
const FEW_TRIALS = 10;

const STATUSES: RunStatus[] = ['done', 'capped', 'pruned', 'diverged', 'interrupted'];

/** A number for a table: four significant digits, exponent notation outside [1e-3, 1e4). */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

/** mean ± std over a trial's seeds; one seed says so (its spread is unknown). */
export function meanStd(r: TrialRecord): string {
  const n = r.runs.filter((x) => Number.isFinite(x.objective)).length;
  return n >= 2 ? `${num(r.objective)} ± ${num(r.std)} (${n} seeds)` : `${num(r.objective)} (1 seed)`;
}

/** Plan order: the grid's values as the plan lists them (first axis outermost), the network, then the trial. */
function orderKey(plan: ExperimentPlan, r: TrialRecord): number[] {
  return [...plan.grid.map((a) => (Object.hasOwn(r.point.values, a.name) ? a.values.indexOf(r.point.values[a.name]) : -1)), plan.networks.findIndex((n) => n.label === r.point.network), r.trial ?? r.id];
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function bestOf(plan: ExperimentPlan, rs: TrialRecord[]): TrialRecord | undefined {
  const c = rs.filter((r) => (r.status === 'done' || r.status === 'capped') && Number.isFinite(r.objective));
  return c.length ? c.reduce((a, b) => (better(b.objective, a.objective, plan.objective.direction) ? b : a)) : undefined;
}

/** The first run of a trial that stayed at chance, if its runs all did. */
const allAtChance = (r: TrialRecord) => r.runs.length > 0 && r.runs.every((x) => x.atChance);

export function summarise(plan: ExperimentPlan, records: TrialRecord[], o: { total: number; complete: boolean; importances?: SweepImportances }): SweepSummary {
  const sorted = [...records].sort((a, b) => compareKeys(orderKey(plan, a), orderKey(plan, b)));
  const cap = plan.stop.maxEpochs;
  const groups: GroupSummary[] = [];
  for (const r of sorted) {
    let g = groups.find((x) => x.group === r.group);
    if (!g) groups.push((g = { group: r.group, network: r.point.network, values: r.point.values, trials: 0, counts: { done: 0, capped: 0, pruned: 0, diverged: 0, interrupted: 0 }, verdict: '' }));
    g.trials++;
    g.counts[r.status]++;
  }
  for (const g of groups) {
    const rs = sorted.filter((r) => r.group === g.group);
    g.best = bestOf(plan, rs);
    g.verdict = groupVerdict(g, cap);
  }
  const finishedGroups = groups.filter((g) => g.best);
  const ranked = [...finishedGroups].sort((a, b) => (better(a.best!.objective, b.best!.objective, plan.objective.direction) ? -1 : better(b.best!.objective, a.best!.objective, plan.objective.direction) ? 1 : 0));
  const best = ranked[0]?.best;

  const verdicts: string[] = [];
  const finished = records.filter((r) => r.status !== 'interrupted').length;
  verdicts.push(o.complete ? `All ${plural(o.total, 'trial')} finished.` : `Partial: ${finished} of ${plural(o.total, 'trial')} finished; run the same command again to continue.`);
  const stopped = records.length - finished;
  if (stopped) verdicts.push(`${plural(stopped, 'trial')} interrupted before ${stopped === 1 ? 'it' : 'they'} finished: not ranked; the same command continues ${stopped === 1 ? 'it' : 'them'}.`);
  const count = (s: RunStatus) => sorted.filter((r) => r.status === s).length;
  const capped = count('capped');
  if (capped) verdicts.push(`inconclusive: ${cappedTrials(capped, cap)} before converging; how far ${capped === 1 ? 'it' : 'they'} would go is unknown (raise the cap to continue ${capped === 1 ? 'it' : 'them'}).`);
  const chance = sorted.filter(allAtChance).length;
  if (chance) verdicts.push(`${plural(chance, 'trial')} never left chance level (training accuracy at most 1.5x chance): a flat curve there is not convergence.`);
  if (count('diverged')) verdicts.push(`${plural(count('diverged'), 'trial')} diverged (a non-finite loss); the search went on.`);
  if (count('pruned')) verdicts.push(`${plural(count('pruned'), 'trial')} pruned by the search: partial objectives, not ranked.`);
  const noObjective = sorted.filter((r) => (r.status === 'done' || r.status === 'capped') && !Number.isFinite(r.objective)).length;
  if (noObjective) verdicts.push(`${plural(noObjective, 'trial')} trained but ${noObjective === 1 ? 'has' : 'have'} no ${plan.objective.metric} to be judged by${plan.objective.metric.startsWith('val_') ? ' (the data has no validation split)' : ''}.`);
  if (!best) verdicts.push(records.length ? 'No trial finished with an objective: there is no best.' : 'No trial has finished yet.');
  else {
    const metric = `${plan.objective.reduce === 'best' ? 'best ' : 'final '}${plan.objective.metric}`;
    const g = ranked[0];
    let line = `Best: ${g.group} (trial ${best.trial ?? `#${best.id}`}), ${metric} ${meanStd(best)}`;
    if (best.status === 'capped') line += `, but it reached the epoch cap: inconclusive`;
    if (allAtChance(best)) line += `, but it stayed at chance level: nothing learned`;
    verdicts.push(line + '.');
    const second = ranked[1];
    if (second) verdicts.push(compareBest(plan, g.group, best, second.group, second.best!));
  }
  const imp = o.importances && importanceVerdict(plan, o.importances, groups, sorted);
  if (imp) verdicts.push(imp);
  return { complete: o.complete, finished, total: o.total, records: sorted, groups, verdicts, best };
}

function groupVerdict(g: GroupSummary, cap: number): string {
  const b = g.best;
  const others = STATUSES.filter((s) => s !== 'done' && g.counts[s]).map((s) => `${g.counts[s]} ${s}`);
  const tail = others.length ? ` (${others.join(', ')} of ${g.trials})` : '';
  if (!b) return `no result: ${STATUSES.filter((s) => g.counts[s]).map((s) => `${g.counts[s]} ${s}`).join(', ') || 'no trial finished'}`;
  if (allAtChance(b)) return `nothing learned: the best trial stayed at chance level${tail}`;
  if (b.status === 'capped') return `inconclusive: the best trial reached the cap of ${plural(cap, 'epoch')}${tail}`;
  const conv = b.runs.map((r) => r.convergedEpoch).filter((x): x is number => x !== null);
  return `converged${conv.length ? ` (by epoch ${Math.max(...conv)})` : ''}${tail}`;
}

/**
 * Which setting mattered, as far as the importances can say: each named with its share,
 * whose they are, what they leave out (Optuna's: the grid's axes, each point its own
 * study) and, with few finished trials a grid point, that they are no ranking.
 */
function importanceVerdict(plan: ExperimentPlan, imp: SweepImportances, groups: GroupSummary[], records: TrialRecord[]): string | undefined {
  const entries = Object.entries(imp.values).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return undefined;
  const finished = (g: GroupSummary) => records.filter((r) => r.group === g.group && (r.status === 'done' || r.status === 'capped') && Number.isFinite(r.objective)).length;
  const counts = groups.map(finished).filter((n) => n > 0);
  const least = counts.length ? Math.min(...counts) : 0;
  const total = counts.reduce((a, b) => a + b, 0);
  const list = entries.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  const grid = plan.grid.filter((a) => a.values.length > 1).map((a) => a.name);
  const most = Math.max(0, ...counts);
  const perPoint = `${least === most ? plural(least, 'finished trial') : `${least} to ${most} finished trials`}${counts.length > 1 ? ' a grid point' : ''}`;
  let line =
    imp.source === 'optuna'
      ? `Importances (Optuna's fANOVA within each grid point, averaged over the points; ${perPoint}): ${list}.${grid.length ? ` ${grid.join(' and ')} ${grid.length === 1 ? 'is a grid axis, not among them' : 'are grid axes, not among them'}: the best of each group above compares ${grid.length === 1 ? 'its values' : 'their values'}.` : ''}`
      : `Share of the objective's variance each setting explains alone (η², not Optuna's importances: interactions ignored; ${plural(total, 'finished trial')}): ${list}.`;
  // fANOVA fits each point's trials alone; η² pools them, but has one share a setting to estimate
  const few = imp.source === 'optuna' ? least < FEW_TRIALS : total < FEW_TRIALS * entries.length;
  if (few) line += ` From ${imp.source === 'optuna' ? `fewer than ${FEW_TRIALS} finished trials a grid point` : plural(total, 'finished trial')} they are a rough guide, not a ranking of the settings.`;
  return line;
}

/**
 * The best group against the runner-up: separated only when their 1-std intervals over
 * seeds do not overlap; with one seed a trial the spread is unknown, and the sweep says so
 * instead of ranking.
 */
function compareBest(plan: ExperimentPlan, ga: string, a: TrialRecord, gb: string, b: TrialRecord): string {
  const na = a.runs.filter((r) => Number.isFinite(r.objective)).length;
  const nb = b.runs.filter((r) => Number.isFinite(r.objective)).length;
  const capped = [a.status === 'capped' ? ga : undefined, b.status === 'capped' ? gb : undefined].filter(Boolean);
  const note = capped.length ? ` ${capped.join(' and ')} reached the epoch cap: the order may change with more epochs.` : '';
  const head = `Runner-up: ${gb}, ${meanStd(b)}`;
  if (na < 2 || nb < 2) return `${head}. With one seed a trial the spread over seeds is unknown: the order of ${ga} and ${gb} may be noise.${note}`;
  const gap = Math.abs(a.objective - b.objective);
  if (gap > a.std + b.std) return `${head}. ${ga} is better by ${num(gap)}, more than the two standard deviations over seeds together (${num(a.std + b.std)}).${note}`;
  return `${head}. The difference (${num(gap)}) is within the spread over seeds (${num(a.std)} + ${num(b.std)}): ${ga} and ${gb} are not distinguished.${note}`;
}

/** Writes sweep.md, sweep.json and trials.csv; returns the summary. */
export function writeResults(out: string, plan: ExperimentPlan, records: TrialRecord[], o: { total: number; complete: boolean; engine?: string; points?: number; importances?: SweepImportances }): SweepSummary {
  const s = summarise(plan, records, o);
  writeFileAtomic(join(out, 'sweep.json'), JSON.stringify(sweepJson(plan, s, o.engine), finite, 2) + '\n');
  writeFileAtomic(join(out, 'sweep.md'), markdown(plan, s, o.engine, o.points));
  writeFileAtomic(join(out, 'trials.csv'), csv(plan, s.records));
  return s;
}

const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);

function sweepJson(plan: ExperimentPlan, s: SweepSummary, engine?: string) {
  const brief = (r: TrialRecord | undefined) => r && { trial: r.name, group: r.group, params: r.params, status: r.status, objective: r.objective, std: r.std, seeds: r.runs.length };
  return {
    hwyVersion: VERSION,
    sweep: plan.name,
    file: plan.file,
    engine: engine ?? 'tfjs',
    objective: plan.objective,
    stop: plan.stop,
    sampler: plan.sampler,
    pruner: plan.pruner,
    seeds: plan.seeds,
    complete: s.complete,
    finished: s.finished,
    total: s.total,
    verdicts: s.verdicts,
    best: brief(s.best) ?? null,
    groups: s.groups.map((g) => ({ group: g.group, network: g.network, values: g.values, trials: g.trials, counts: g.counts, verdict: g.verdict, best: brief(g.best) ?? null })),
    trials: s.records,
  };
}

function markdown(plan: ExperimentPlan, s: SweepSummary, engine?: string, points?: number): string {
  const o = plan.objective;
  const metric = `${o.reduce} ${o.metric}`;
  const params = plan.space.map((p) => p.name);
  const rule = planRule(plan);
  const stops = [...(Number.isFinite(rule.targetLoss) ? [`a training loss of at most ${rule.targetLoss}`] : []), ...(rule.patience > 0 ? [`${plural(rule.patience, 'epoch')} without ${rule.minImprovement > 0 ? `${rule.minImprovement * 100}% ` : ''}improvement of its best training loss`] : [])];
  const lines = [
    `# Sweep ${plan.name}`,
    '',
    `${plural(plan.networks.length, 'network')} (${plan.networks.map((n) => n.label).join(', ')}), ${plural(points ?? s.groups.length, 'grid point')}, ${plan.sampler} search${plan.pruner !== 'none' ? ` with the ${plan.pruner} pruner` : ''}, ${plural(plan.trials, 'trial')} a point, ${plural(plan.seeds.length, 'seed')} a trial (${plan.seeds.join(', ')}${plan.sampler === 'random' ? '; trial t trains with these + t − 1' : ''}), ${engine ?? 'tfjs'} engine. Objective: ${o.direction} the ${metric} (mean over seeds). A run stops ${stops.length ? `at ${stops.join(', or after ')}, or ` : ''}at the cap of ${plural(rule.maxEpochs, 'epoch')} (capped).`,
    '',
    ...s.verdicts.map((v) => `- ${v}`),
    '',
    '## Best of each group',
    '',
    `| group | ${metric} (mean ± std) | status | epochs | trials | ${params.length ? `${params.join(' | ')} | ` : ''}verdict |`,
    `|---|---|---|---|---|${params.map(() => '---|').join('')}---|`,
    ...s.groups.map((g) => {
      const b = g.best;
      const epochs = b ? b.runs.map((r) => r.epochs).join(', ') : '-';
      const values = params.map((p) => (b && Object.hasOwn(b.params, p) ? showValue(b.params[p]) : '-'));
      return `| ${g.group} | ${b ? meanStd(b) : '-'} | ${b?.status ?? '-'} | ${epochs} | ${g.trials} | ${values.length ? `${values.join(' | ')} | ` : ''}${g.verdict} |`;
    }),
    '',
    `Every trial and run: trials.csv, sweep.json. Epochs: one number a seed.`,
    '',
  ];
  const note = importancesNote(plan, s.records);
  if (note) lines.push(note, '');
  return lines.join('\n');
}

const showValue = (v: ParamValue) => (typeof v === 'number' ? num(v) : v);

/** One row a run; quotes a field that holds a comma, a quote or a line break. */
function csv(plan: ExperimentPlan, records: TrialRecord[]): string {
  const axes = plan.grid.map((a) => a.name);
  const params = plan.space.map((p) => p.name);
  const head = ['trial', 'group', 'network', ...axes, ...params, 'seed', 'status', 'stopped', 'epochs', 'objective', 'trial_objective', 'trial_std', 'trial_status', 'final_loss', 'final_accuracy', 'val_loss', 'val_accuracy', 'converged_epoch', 'at_chance', 'seconds', 'run'];
  const cell = (v: unknown): string => {
    const s = v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const rows = records.flatMap((r) =>
    r.runs.map((x) => [r.name, r.group, r.point.network, ...axes.map((a) => r.point.values[a]), ...params.map((p) => r.params[p]), x.seed, x.status, x.stopped, x.epochs, x.objective, r.objective, r.std, r.status, x.finalLoss, x.finalAccuracy, x.valLoss, x.valAccuracy, x.convergedEpoch, x.atChance, x.seconds, x.run].map(cell).join(',')),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}
