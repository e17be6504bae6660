import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { runTraining, type SettingOverride } from '../run/session.js';
import { readJson, readMetrics, readRunRecord, readState, recoverCheckpoint, RunDirError, type MetricsLine } from '../run/run-dir.js';
import { rng, type Splits } from '../data/dataset.js';
import { loadData } from '../data/index.js';
import type { BackendChoice } from '../backends/tfjs/runtime.js';
import type { EngineName, EngineWorker } from '../backends/engine.js';
import { ENGINES } from '../backends/engines.js';
import { packageRoot } from '../util/package-root.js';
import { writeFileAtomic } from '../util/atomic.js';
import { lockDir } from '../run/lock.js';
import { makeDir } from '../run/claim.js';
import { figure1, writeFigure } from './figures.js';
import { atChance, convergedAt, DEFAULT_CLAIMS, DEFAULT_STOP, epochsTo, evaluateClaims, fmt, plural, stopReason, type Claim, type ClaimThresholds, type StopReason, type StopRule } from './sweep-protocol.js';

export * from './sweep-protocol.js';

export interface SweepOptions {
  depths: number[];
  kinds: ('plain' | 'highway')[];
  /** The most epochs a trial trains (see StopRule). */
  epochs: number;
  /** When a trial has converged; the rest of the rule defaults to DEFAULT_STOP. */
  stop?: Partial<Omit<StopRule, 'maxEpochs'>>;
  /** 1: the specs' own settings; more: a random search as in the paper. */
  trials: number;
  /** Trials trained at once (with torch: each job slot its own Python process, which trains its trials one after another); default 1. */
  jobs?: number;
  /** CPU threads a trial (torch). */
  threads?: number;
  out: string;
  seed?: number;
  /** The engine every run trains with (default tfjs) and its device (default auto). */
  engine?: EngineName;
  device?: string;
  /** The tfjs device by its old name. */
  backend?: BackendChoice;
  data?: string;
  dataDir?: string;
  /** Training settings every run takes (`--set train.optimizer=adam`); a sweep continues only with the ones it started with. */
  settings?: SettingOverride[];
  preloaded?: Splits;
  /** The training loss the summary calls low, and the claims' factors (see evaluateClaims). */
  claims?: Partial<ClaimThresholds>;
  log?: (s: string) => void;
  onProgress?: (p: SweepProgress) => void;
  shouldStop?: () => boolean;
}

/** A run of the sweep directory was started with the same --set training settings as this sweep, or the sweep stops, naming both. */
function sameSettings(dir: string, settings: SettingOverride[]): void {
  const want = settings.map((o) => `${o.path}=${o.value}`);
  const had = readRunRecord(dir).settings ?? [];
  if (JSON.stringify(had) === JSON.stringify(want)) return;
  const show = (xs: string[]) => (xs.length ? xs.map((x) => `--set ${x}`).join(' ') : 'no --set');
  throw new RunDirError(`${dir} was trained with ${show(had)}, and this sweep asks for ${show(want)}: a sweep continues with the training settings it started with; give the same, or another --out`);
}

export interface Trial {
  lr: number;
  momentum: number;
  gamma: number;
  activation: 'relu' | 'tanh';
  gateBias?: number;
}

export interface SweepRow {
  network: string;
  kind: 'plain' | 'highway';
  depth: number;
  trial: number;
  runDir: string;
  settings: Trial | null;
  finalLoss: number;
  finalAccuracy: number;
  valAccuracy: number;
  epochs: number;
  /** Why the trial stopped. */
  stopped: StopReason;
  /** First epoch within 1.05x of the final training loss; null when the trial did not converge (stopped at the cap, diverged, or at chance). */
  convergedEpoch: number | null;
  /** First epoch with a training loss below the summary's low threshold (null: never). */
  epochsToLow: number | null;
  /** Training seconds over all epochs (the engine's measure, without start-up). */
  seconds: number;
}

/** Where the whole sweep stands, after each trial. */
export interface SweepProgress {
  done: number;
  total: number;
  /** Trials trained in this invocation, and the seconds since it started. */
  trainedNow: number;
  elapsed: number;
  /** Seconds left, from the mean time of the trials trained in this invocation; undefined before the first. */
  eta?: number;
  /** The lowest final training loss so far per network ('plain-10': 1e-3). */
  best: Record<string, number>;
  last?: SweepRow;
  /** The trial just finished had been finished by an earlier invocation. */
  reused?: boolean;
}

/** The paper's random search: learning rate, momentum, decay factor, activation and (highway) the initial gate bias in [-10, -1]. */
export function sampleTrial(seed: number, kind: 'plain' | 'highway'): Trial {
  const r = rng(seed);
  const t: Trial = { lr: 10 ** (-3 + 2 * r()), momentum: 0.5 + 0.49 * r(), gamma: 0.8 + 0.2 * r(), activation: r() < 0.5 ? 'relu' : 'tanh' };
  if (kind === 'highway') t.gateBias = -1 - Math.floor(r() * 10);
  return t;
}

/** A trial's search seed: distinct for every network and trial (an arithmetic key collides once trials outnumber the depth step). */
export function trialSeed(seed: number, kind: 'plain' | 'highway', depth: number, trial: number): number {
  return createHash('sha256').update(`${seed}:${kind}:${depth}:${trial}`).digest().readUInt32LE(0);
}

/** A trial's spec: the paper spec with its activation and gate bias replaced. */
export function trialSpec(text: string, t: Trial): string {
  let s = text.replace(/\brelu\b/g, t.activation);
  if (t.gateBias !== undefined) s = s.replace(/^(network \w+ \{.*)$/m, `$1\n  defaults gate_bias=${t.gateBias}`);
  return s;
}

/**
 * Figure 1: plain and highway networks of growing depth, each trained to convergence (or
 * its epoch budget), the best of a random search of trials for each. Every trial has its own
 * run directory and, once finished, a record in trials/; a sweep started again skips
 * finished trials and resumes unfinished ones from their checkpoints.
 */
export async function sweep(o: SweepOptions): Promise<SweepResult> {
  makeDir(o.out);
  // one sweep a directory: two would train the same runs and write the same table
  const lock = await lockDir(o.out, { what: 'sweep directory', log: o.log });
  try {
    return await sweepLocked(o);
  } finally {
    await lock.release();
  }
}

export interface SweepResult {
  rows: SweepRow[];
  best: SweepRow[];
  ratio?: { depth: number; plainOverHighway: number };
  claims: Claim[];
  /** Every planned trial finished. */
  complete: boolean;
  total: number;
}

/** What a finished trial's record holds: the row and the protocol it finished under. */
interface TrialRecord {
  row: Omit<SweepRow, 'runDir'> & { run: string };
  rule: StopRule;
  low: number;
}

async function sweepLocked(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? (() => {});
  const root = packageRoot();
  const seed = o.seed ?? 1;
  const rule: StopRule = { ...DEFAULT_STOP, ...o.stop, maxEpochs: o.epochs };
  const thresholds: ClaimThresholds = { ...DEFAULT_CLAIMS, ...o.claims };
  const jobs = Math.max(1, o.jobs ?? 1);
  const data = o.preloaded ?? (await loadData({ name: (o.data ?? 'mnist') as 'mnist', normalize: 'scale', augment: [], validation: 0.1 }, o.dataDir));
  const classes = data.train.classes;
  // trial by trial across the networks: a sweep stopped early has searched every network alike
  const plan: { kind: 'plain' | 'highway'; depth: number; trial: number }[] = [];
  for (let trial = 1; trial <= o.trials; trial++) for (const depth of o.depths) for (const kind of o.kinds) plan.push({ kind, depth, trial });
  const specFile = (kind: 'plain' | 'highway') => join(root, 'specs', 'paper', `mlp-${kind}.hwy`);
  const specText = { plain: readFileSync(specFile('plain'), 'utf8'), highway: readFileSync(specFile('highway'), 'utf8') };
  const trialsDir = join(o.out, 'trials');
  mkdirSync(trialsDir, { recursive: true });
  const rows: SweepRow[] = [];
  const started = Date.now();
  let trainedNow = 0;
  let trainedSeconds = 0;
  // wall seconds of the trials trained here, by network: a 100-layer trial costs ten 10-layer ones
  const seconds = new Map<string, number[]>();
  const finished = new Set<number>();
  let next = 0;
  let failure: unknown;
  let figures: Promise<void> = Promise.resolve();
  const stopping = () => failure !== undefined || o.shouldStop?.() === true;

  const progress = (last?: SweepRow, reused?: boolean) => {
    const best: Record<string, number> = {};
    for (const r of rows) if (r.stopped !== 'diverged' && Number.isFinite(r.finalLoss) && !(best[r.network] <= r.finalLoss)) best[r.network] = r.finalLoss;
    const elapsed = (Date.now() - started) / 1000;
    // the trials left at their network's mean time (the mean of all where a network has none yet), `jobs` at once
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const eta = trainedNow > 0 ? plan.reduce((a, p, k) => (finished.has(k) ? a : a + (seconds.has(`${p.kind}-${p.depth}`) ? mean(seconds.get(`${p.kind}-${p.depth}`)!) : trainedSeconds / trainedNow)), 0) / jobs : undefined;
    o.onProgress?.({ done: rows.length, total: plan.length, trainedNow, elapsed, eta, best, last, reused });
  };

  const runTrial = async (k: number, engineWorker: EngineWorker | undefined) => {
    const p = plan[k];
    const name = `${p.kind}-${p.depth}${o.trials > 1 ? `-t${p.trial}` : ''}`;
    const dir = join(o.out, name);
    const recordFile = join(trialsDir, `${name}.json`);
    const label = `${p.kind} depth ${p.depth}${o.trials > 1 ? ` trial ${p.trial}` : ''}`;
    const settings = o.trials > 1 ? sampleTrial(trialSeed(seed, p.kind, p.depth, p.trial), p.kind) : null;
    // finished runs are kept and unfinished ones resumed: all of them must train with this sweep's settings
    if (existsSync(join(dir, 'run.json'))) sameSettings(dir, o.settings ?? []);
    // a record counts only for the protocol it was made under: a longer budget or another rule trains on
    if (existsSync(recordFile)) {
      const rec = readJson<TrialRecord>(recordFile, 'a sweep trial record');
      if (JSON.stringify(rec.rule) === JSON.stringify(rule) && rec.low === thresholds.low && existsSync(join(dir, 'metrics.jsonl'))) {
        const { run: _run, ...rest } = rec.row;
        const row: SweepRow = { ...rest, runDir: dir, finalLoss: rest.finalLoss ?? NaN, finalAccuracy: rest.finalAccuracy ?? NaN, valAccuracy: rest.valAccuracy ?? NaN };
        // records written before the rule below called a capped trial converged: not any more
        if (row.stopped !== 'target' && row.stopped !== 'plateau') row.convergedEpoch = null;
        else if (atChance(row.finalAccuracy, classes)) row.convergedEpoch = null;
        log(`run ${k + 1}/${plan.length}: ${label} (done before)`);
        rows.push(row);
        finished.add(k);
        progress(row, true);
        return;
      }
    }
    const ckpt = existsSync(join(dir, 'run.json')) ? recoverCheckpoint(dir) : undefined;
    const done = ckpt ? readState(ckpt) : undefined;
    const losses = done ? readMetrics(dir).slice(0, done.epoch).map((m) => m.loss) : [];
    let reason: StopReason | undefined = done?.status === 'diverged' ? 'diverged' : stopReason(losses, rule);
    const restart = !ckpt && existsSync(join(dir, 'run.json')) ? ' (no checkpoint yet: starting it again)' : '';
    log(`run ${k + 1}/${plan.length}: ${label}${done ? (reason ? ` (finished before: ${reason})` : ` (resuming after epoch ${done.epoch})`) : restart}`);
    const t0 = Date.now();
    if (!reason) {
      let converged = false;
      // A run that never reached its first checkpoint starts over (force replaces only
      // hwy's own files); a resumed run continues on the engine it was trained on.
      const r = await runTraining({
        ...(ckpt
          ? { resume: dir, overrides: { epochs: rule.maxEpochs }, threads: o.threads }
          : {
              specFile: `${specFile(p.kind)}${settings ? ` (trial ${p.trial})` : ''}`,
              specText: settings ? trialSpec(specText[p.kind], settings) : specText[p.kind],
              sets: { depth: p.depth },
              settings: o.settings,
              out: dir,
              force: true,
              engine: o.engine,
              device: o.device,
              backend: o.backend,
              threads: o.threads,
              overrides: { epochs: rule.maxEpochs, seed: seed + p.trial - 1, ...(settings ? { lr: settings.lr, momentum: settings.momentum, gamma: settings.gamma } : {}) },
            }),
        data,
        worker: engineWorker,
        hooks: {
          // checked at every epoch's end: a converged trial stops there, after its checkpoint
          onEpochEnd: (m) => {
            losses.push(m.loss);
            const why = stopReason(losses, rule);
            if (why && why !== 'max-epochs') {
              reason = why;
              converged = true;
            }
          },
          shouldStop: () => converged || stopping(),
        },
      });
      if (r.kind === 'spec-errors') throw new Error(`the sweep's ${p.kind} spec does not compile at depth ${p.depth}: ${r.compiled.diagnostics.map((d) => d.message).join('; ')}`);
      if (r.outcome.status === 'diverged') {
        reason = 'diverged';
        log(`  ${label} diverged: ${r.outcome.message}`);
      } else if (r.outcome.status === 'interrupted' && !converged) return; // stopped by the user: not finished
      reason ??= 'max-epochs';
      trainedNow++;
      const took = (Date.now() - t0) / 1000;
      trainedSeconds += took;
      seconds.set(`${p.kind}-${p.depth}`, [...(seconds.get(`${p.kind}-${p.depth}`) ?? []), took]);
    }
    const m = readMetrics(dir);
    const last: MetricsLine | undefined = m[m.length - 1];
    const curve = m.map((x) => x.loss);
    const row: SweepRow = {
      network: `${p.kind}-${p.depth}`,
      kind: p.kind,
      depth: p.depth,
      trial: p.trial,
      runDir: dir,
      settings,
      finalLoss: last?.loss ?? NaN,
      finalAccuracy: last?.accuracy ?? NaN,
      valAccuracy: last?.valAccuracy ?? NaN,
      epochs: m.length,
      stopped: reason!,
      convergedEpoch: convergedAt(curve, reason, atChance(last?.accuracy ?? NaN, classes)),
      epochsToLow: epochsTo(curve, thresholds.low),
      seconds: m.reduce((a, x) => a + x.seconds, 0),
    };
    const { runDir: _dir, ...rest } = row;
    const record: TrialRecord = { row: { ...rest, run: name }, rule, low: thresholds.low };
    writeFileAtomic(recordFile, JSON.stringify(record, null, 2) + '\n');
    log(`  ${label}: ${reason} after ${plural(row.epochs, 'epoch')}, final loss ${fmt(row.finalLoss)}`);
    rows.push(row);
    finished.add(k);
    progress(row, false);
    const now = writeSummary(o, rows, plan.length, rule, thresholds, false);
    // the figure too, so that a sweep still running (or stopped) can be looked at; one at a time
    figures = figures.then(() => writeCurves(o.out, now.best)).catch((e) => log(`  figure 1 not redrawn: ${e instanceof Error ? e.message : String(e)}`));
  };

  const worker = async () => {
    // one engine worker a job slot (torch: one Python process for the slot's trials), ended with it
    const engineWorker = ENGINES[o.engine ?? 'tfjs'].openWorker?.();
    try {
      while (!stopping() && next < plan.length) {
        const k = next++;
        try {
          await runTrial(k, engineWorker);
        } catch (e) {
          // the other trials stop at their next checkpoint; the first failure is reported
          failure ??= e;
        }
      }
    } finally {
      await engineWorker?.close();
    }
  };
  progress();
  await Promise.all(Array.from({ length: Math.min(jobs, plan.length) }, worker));
  if (failure !== undefined) {
    writeSummary(o, rows, plan.length, rule, thresholds, false);
    await figures.catch(() => {});
    throw failure;
  }
  const complete = rows.length === plan.length;
  const result = writeSummary(o, rows, plan.length, rule, thresholds, complete);
  await figures;
  await writeCurves(o.out, result.best);
  return result;
}

/** Figure 1: the training loss curves of the best run of each network. */
async function writeCurves(out: string, best: SweepRow[]): Promise<void> {
  const curves = best.flatMap((b) => readMetrics(b.runDir).map((m) => ({ network: b.network, kind: b.kind, depth: b.depth, epoch: m.epoch, loss: m.loss })));
  if (curves.length) await writeFigure(join(out, 'figure1-depth'), figure1(curves), curves);
}

/** The best run of each network, by final training loss (the paper's criterion); diverged runs have no final loss. */
export function bestRows(rows: SweepRow[], depths: number[], kinds: ('plain' | 'highway')[]): SweepRow[] {
  const best: SweepRow[] = [];
  for (const depth of depths)
    for (const kind of kinds) {
      const c = rows.filter((r) => r.kind === kind && r.depth === depth && r.stopped !== 'diverged' && Number.isFinite(r.finalLoss));
      if (c.length) best.push(c.reduce((a, b) => (b.finalLoss < a.finalLoss ? b : a)));
    }
  return best;
}

/** sweep.json and sweep.md from the trials finished so far (written after each, so a running sweep can be read). */
function writeSummary(o: SweepOptions, rows: SweepRow[], total: number, rule: StopRule, thresholds: ClaimThresholds, complete: boolean): SweepResult {
  // plan order, so the table reads the same however the jobs finished
  const order = (r: SweepRow) => [o.depths.indexOf(r.depth), o.kinds.indexOf(r.kind), r.trial];
  const sorted = [...rows].sort((a, b) => {
    const x = order(a);
    const y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
  const best = bestRows(sorted, o.depths, o.kinds);
  const deepest = Math.max(...o.depths);
  const bp = best.find((r) => r.kind === 'plain' && r.depth === deepest);
  const bh = best.find((r) => r.kind === 'highway' && r.depth === deepest);
  const ratio = bp && bh ? { depth: deepest, plainOverHighway: bp.finalLoss / bh.finalLoss } : undefined;
  const claims = evaluateClaims(best.map((r) => ({ ...r, losses: readMetrics(r.runDir).map((m) => m.loss) })), thresholds);
  const protocol = { maxEpochs: rule.maxEpochs, stop: rule, trials: o.trials, engine: o.engine ?? 'tfjs', seed: o.seed ?? 1, thresholds };
  // run directories relative to the sweep directory: the file stays true when the directory moves or is published
  const rel = (r: SweepRow): SweepRow => ({ ...r, runDir: relative(o.out, r.runDir) });
  writeFileAtomic(join(o.out, 'sweep.json'), JSON.stringify({ complete, finished: rows.length, total, epochs: o.epochs, trials: o.trials, protocol, claims, rows: sorted.map(rel), best: best.map(rel), ratio }, null, 2) + '\n');
  writeFileAtomic(join(o.out, 'sweep.md'), markdown(sorted, best, ratio, claims, rule, thresholds, o, complete, total));
  return { rows: sorted, best, ratio, claims, complete, total };
}

function markdown(rows: SweepRow[], best: SweepRow[], ratio: { depth: number; plainOverHighway: number } | undefined, claims: Claim[], rule: StopRule, t: ClaimThresholds, o: SweepOptions, complete: boolean, total: number): string {
  const count = (r: SweepRow) => rows.filter((x) => x.network === r.network).length;
  const lines = [
    `# Optimisation vs depth (${plural(o.trials, 'trial')} a network, at most ${plural(rule.maxEpochs, 'epoch')} a trial)`,
    '',
    complete ? `All ${total} trials finished.` : `**Partial: ${rows.length} of ${total} trials finished.** Run the same command again to continue.`,
    '',
    `Each trial trains until its training loss is at most ${rule.targetLoss}, or its best loss over the last ${plural(rule.patience, 'epoch')} is not ${rule.minImprovement * 100}% below the best before them (plateau), or for ${plural(rule.maxEpochs, 'epoch')} (max-epochs: stopped at the cap before converging). "Low" loss: below ${t.low}. Converged: first epoch within 1.05x of the final loss, for a trial that stopped on its own (target or plateau) above chance accuracy; a trial stopped at the cap did not converge.`,
    '',
    '| network | depth | final training loss | training accuracy | validation accuracy | epochs (stopped) | converged at epoch | epochs to loss < ' + t.low + ' | trials | settings |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...best.map(
      (r) =>
        `| ${r.kind} | ${r.depth} | ${r.finalLoss.toExponential(3)} | ${(r.finalAccuracy * 100).toFixed(2)}% | ${r.valAccuracy === null || !Number.isFinite(r.valAccuracy) ? '-' : `${(r.valAccuracy * 100).toFixed(2)}%`} | ${r.epochs} (${r.stopped}) | ${r.convergedEpoch ?? '-'} | ${r.epochsToLow ?? 'never'} | ${count(r)} | ${r.settings ? `lr ${r.settings.lr.toPrecision(2)}, momentum ${r.settings.momentum.toFixed(2)}, decay ${r.settings.gamma.toFixed(3)}, ${r.settings.activation}${r.settings.gateBias !== undefined ? `, gate bias ${r.settings.gateBias}` : ''}` : 'as in the spec'} |`,
    ),
    '',
  ];
  if (ratio) lines.push(`Final training loss, plain-${ratio.depth} / highway-${ratio.depth}: **${ratio.plainOverHighway.toFixed(1)}x** (the paper: more than 100x).`, '');
  lines.push('## Claims', '', '| claim | verdict | numbers |', '|---|---|---|', ...claims.map((c) => `| ${c.claim} | **${c.status}**${c.why ? `: ${c.why}` : ''} | ${c.detail} |`), '');
  return lines.join('\n');
}
