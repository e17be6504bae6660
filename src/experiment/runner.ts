/**
 * Runs a checked experiment plan: asks the search for each trial of each grid point, trains
 * it once a seed through the training session (either engine), stops each run by the plan's
 * rule (src/analysis/sweep-protocol.ts), reports every epoch's objective to the search (which
 * may prune), tells the search how the trial ended, and records it. The sweep directory is
 * resumable: a finished trial's record is kept and reused, an unfinished run continues from
 * its checkpoint, and the directory refuses a different plan.
 *
 * A search whose study several processes share (Optuna's) hands each trial out once, so
 * several processes may work in one sweep directory (on a shared filesystem): each run
 * directory is locked while it trains, each trial's record is written by the process that
 * finished it, and the results are written from the study's records of every trial, whichever
 * process trained it. Otherwise the sweep directory is one process's.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { hostname } from 'node:os';
import { createHash } from 'node:crypto';
import type { ExperimentPlan, ParamValue, RunAssignment } from '../ir/experiment.js';
import type { EngineName, EngineWorker } from '../backends/engine.js';
import { ENGINES } from '../backends/engines.js';
import type { TrainConfig } from '../ir/types.js';
import { compile } from '../core/compile.js';
import { loadData } from '../data/index.js';
import type { Splits } from '../data/dataset.js';
import { irFromJson } from '../ir/serialize.js';
import { plannedConfig, runTraining } from '../run/session.js';
import { readMetrics, readRunRecord, readState, recoverCheckpoint, RunDirError } from '../run/run-dir.js';
import { checkSweepDir } from '../run/sweep-dir.js';
import { lockDir, lockHolder, waitUnlocked } from '../run/lock.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readRegularFile } from '../util/read-regular.js';
import { VERSION } from '../version.js';
import { convergedAt, stopReason, type StopReason } from '../analysis/sweep-protocol.js';
import type { SweepProgress as PaperSweepProgress } from '../analysis/sweep.js';
import type { Search, SharedRecord, TrialTicket } from './search.js';
import { applicableParams, gridPoints, pointLabel, pointName, runAssignments, type HasConstant } from './points.js';
import { gridTrials } from './grid.js';
import { searchFor, searchImportances } from './search-factory.js';
import { atChance, mean, objectiveCurve, objectiveOf, planRule, recordFromJson, std, trialStatus, type RunResult, type RunStatus, type TrialRecord } from './records.js';

export { planRule };
import { writeResults, type SweepImportances, type SweepSummary } from './results.js';
import { spreadImportances, writeFigures } from './figures.js';

export class ExperimentError extends Error {}

export interface SweepRunOptions {
  plan: ExperimentPlan;
  /** The sweep directory. */
  out: string;
  engine?: EngineName;
  device?: string;
  /** CPU threads a run (torch). */
  threads?: number;
  /** Trials trained at once (torch: each job slot its own Python process; tfjs trains in this process, one at a time). */
  jobs?: number;
  /** Train every run in processes of its own, as `hwy train` does, not in one worker a job slot (torch): for comparing the two (npm run bench -- sweep-overhead). */
  processPerRun?: boolean;
  dataDir?: string;
  /** The data every run trains on (tests); otherwise each network's `data` line, loaded once. */
  preloaded?: Splits;
  /** The search (Optuna's, from the command line); otherwise the in-process one the plan's sampler names. */
  search?: Search;
  /** Reads a network's spec (absolute path); null when it cannot. Default: the file, as `hwy check` reads specs. */
  readFile?: (absPath: string) => string | null;
  /** Render the figures (default true). */
  figures?: boolean;
  log?: (s: string) => void;
  onProgress?: (p: SweepProgress) => void;
  shouldStop?: () => boolean;
}

/** Where the whole sweep stands, after each trial: as the paper sweep reports it, the best by the plan's objective and each group (grid point). */
export type SweepProgress = Omit<PaperSweepProgress, 'last'> & { last?: TrialRecord };

export interface SweepRunResult {
  records: TrialRecord[];
  summary: SweepSummary;
  /** Every planned trial finished. */
  complete: boolean;
  total: number;
  /** The files written into the sweep directory (relative to it). */
  files: string[];
}

const MAX_SPEC_BYTES = 8 * 2 ** 20;

function defaultRead(path: string): string | null {
  try {
    return readRegularFile(path, { maxBytes: MAX_SPEC_BYTES, what: 'a spec', error: (m) => new ExperimentError(m) }).toString('utf8');
  } catch {
    return null;
  }
}

/** A trial's name in the sweep directory: its grid point and its number there (or the search's id). */
export function trialName(plan: ExperimentPlan, t: TrialTicket): string {
  return `${pointName(plan, t.point)}-${t.trial !== undefined ? `t${t.trial}` : `n${t.id}`}`;
}

/** A run's status from why it stopped. */
function statusOf(reason: StopReason): RunStatus {
  return reason === 'diverged' ? 'diverged' : reason === 'max-epochs' ? 'capped' : 'done';
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * What makes two invocations the same sweep: the plan but its trial count and stop rule
 * (more trials continue the same draws; a longer cap trains the capped trials on), and the
 * text of every network's spec.
 */
function identity(plan: ExperimentPlan, texts: Map<string, string>): Record<string, unknown> {
  const { trials: _t, stop: _s, file: _f, ...rest } = plan;
  return { ...rest, specs: Object.fromEntries([...texts].map(([k, v]) => [k, sha(v)])) };
}

function differences(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** Runs a plan to the end (or until stopped), writing the sweep directory; one process a directory unless the search's study is shared. */
export async function runSweep(o: SweepRunOptions): Promise<SweepRunResult> {
  let search = o.search;
  let lock: Awaited<ReturnType<typeof lockDir>> | undefined;
  try {
    // refused before anything is written: a run directory or someone's files are no sweep's
    checkSweepDir(o.out, 'file');
    mkdirSync(o.out, { recursive: true });
    search ??= await searchFor(o.plan, { dir: o.out });
    if (typeof search.records === 'function') {
      // a shared study: other workers may be here too, but not a sweep run without one (it would train the same trials)
      const holder = await lockHolder(o.out);
      if (holder !== undefined) throw new ExperimentError(`sweep directory '${o.out}' is in use by a sweep that runs without a shared study (${holder ? `pid ${holder.pid} on ${holder.host}: ${holder.command}` : 'its holder is not recorded'}); wait for it to finish, or give another --out`);
    } else lock = await lockDir(o.out, { what: 'sweep directory', log: o.log });
    return await runLocked(o, search);
  } finally {
    // the search given is closed too: its worker (Optuna's Python) ends with the sweep
    await search?.close();
    await lock?.release();
  }
}

async function runLocked(o: SweepRunOptions, search: Search): Promise<SweepRunResult> {
  const { plan } = o;
  const log = o.log ?? (() => {});
  const rule = planRule(plan);
  const engine = o.engine ?? 'tfjs';
  const jobs = Math.max(1, o.jobs ?? 1);
  // tfjs trains in this process: two trials at once would take turns on one thread
  if (engine === 'tfjs' && jobs > 1) throw new ExperimentError(`--jobs ${jobs}: the tfjs engine trains in this process, one trial at a time; use --engine torch to train several at once`);
  for (const s of [...plan.grid, ...plan.space])
    if (s.target === 'setting' && /^train\.(epochs|seed)$/.test(s.name)) throw new ExperimentError(`'${s.name}' cannot be swept: the sweep sets ${s.name === 'train.seed' ? 'the seeds with its seeds' : 'the epochs with its stop rule'}`);

  // every network's spec, read once; which constants each defines
  const texts = new Map<string, string>();
  const lets = new Map<string, Set<string>>();
  const read = o.readFile ?? defaultRead;
  for (const n of plan.networks) {
    const text = read(n.specFile);
    if (text === null) throw new ExperimentError(`cannot read '${n.specFile}', the spec of network '${n.label}'`);
    texts.set(n.label, text);
    lets.set(n.label, new Set(compile(text, n.specFile).source.lets.map((l) => l.name)));
  }
  const has: HasConstant = (network, name) => lets.get(network)?.has(name) === true;
  // a constant no network defines would be drawn and then dropped everywhere: refused rather than ignored
  for (const s of [...plan.grid, ...plan.space])
    if (s.target === 'constant' && !plan.networks.some((n) => has(n.label, s.name))) throw new ExperimentError(`'${s.name}' is not a constant of any of the sweep's networks (${plan.networks.map((n) => n.label).join(', ')})`);

  // one sweep a directory: a different plan would mix its trials with these
  const planFile = join(o.out, 'plan.json');
  const id = identity(plan, texts);
  if (existsSync(planFile)) {
    let had: { identity?: Record<string, unknown> };
    try {
      had = JSON.parse(readFileSync(planFile, 'utf8'));
    } catch {
      throw new ExperimentError(`${planFile} is not a sweep's plan (not JSON): give another --out`);
    }
    const diff = differences(had.identity ?? {}, id);
    if (diff.length) {
      const what = diff.map((k) => (k === 'specs' ? "a network's spec text" : `its ${k}`)).join(', ');
      throw new ExperimentError(`${o.out} holds a sweep with another plan (${what} differ): a sweep continues only with the plan it started with (its trials and stop rule may change); give another --out`);
    }
  }
  writeFileAtomic(planFile, JSON.stringify({ hwyVersion: VERSION, identity: id, plan }, null, 2) + '\n');

  const points = gridPoints(plan, has);
  const perPoint = plan.sampler === 'grid' ? gridTrials(plan).trials : plan.trials;
  // trial by trial across the points: a sweep stopped early has searched every point alike
  const slots = Array.from({ length: perPoint }, () => points).flat();
  const trialsDir = join(o.out, 'trials');
  mkdirSync(trialsDir, { recursive: true });
  mkdirSync(join(o.out, 'runs'), { recursive: true });

  const records: TrialRecord[] = [];
  const unfinished: TrialRecord[] = [];
  const here = { host: hostname(), dir: resolve(o.out) };
  /** A record another worker of a shared study made: its runs named host:path where they live elsewhere. */
  const located = (s: SharedRecord): TrialRecord => {
    const r = s.record;
    if (!s.host || !s.dir || (s.host === here.host && s.dir === here.dir)) return r;
    return { ...r, host: s.host, sweepDir: s.dir, runs: r.runs.map((x) => ({ ...x, run: `${s.host}:${join(s.dir!, x.run)}` })) };
  };
  // the study's records, read again after a trial at most every 10 s (a sweep of many short trials would read them all each time) and always at the end
  let shared: { at: number; records: TrialRecord[] } | undefined;
  /** The trials to report: this process's and, with a shared study, every trial any worker finished; each once (by name). */
  const allRecords = async (final: boolean): Promise<TrialRecord[]> => {
    const byName = new Map<string, TrialRecord>();
    if (search.records && (final || !shared || Date.now() - shared.at > 10_000)) {
      try {
        shared = { at: Date.now(), records: (await search.records()).map(located) };
      } catch (e) {
        log(`  the other workers' trials not read from the study: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const r of shared?.records ?? []) byName.set(r.name, r);
    for (const r of records) byName.set(r.name, r);
    // stopped here and finished by another worker since: its record is the finished one
    for (const r of unfinished) if (!byName.has(r.name)) byName.set(r.name, r);
    return [...byName.values()];
  };
  const started = Date.now();
  let done = 0;
  let trainedNow = 0;
  let trainedSeconds = 0;
  let next = 0;
  let failure: unknown;
  let interrupted = false;
  const stopping = () => failure !== undefined || o.shouldStop?.() === true;

  const progress = (last?: TrialRecord, reused?: boolean) => {
    const best: Record<string, number> = {};
    for (const r of records) if ((r.status === 'done' || r.status === 'capped') && Number.isFinite(r.objective) && !(r.group in best && !betterThan(r.objective, best[r.group]))) best[r.group] = r.objective;
    const elapsed = (Date.now() - started) / 1000;
    const eta = trainedNow > 0 ? ((slots.length - done) * (trainedSeconds / trainedNow)) / jobs : undefined;
    o.onProgress?.({ done, total: slots.length, trainedNow, elapsed, eta, best, last, reused });
  };
  const betterThan = (a: number, b: number) => (plan.objective.direction === 'minimize' ? a < b : a > b);

  // data by its `data` line, loaded once for the sweep
  const dataCache = new Map<string, Promise<Splits>>();
  const dataFor = (cfg: TrainConfig['data']): Promise<Splits> => {
    if (o.preloaded) return Promise.resolve(o.preloaded);
    const key = JSON.stringify(cfg);
    if (!dataCache.has(key)) dataCache.set(key, loadData(cfg, o.dataDir, { log }));
    return dataCache.get(key)!;
  };

  /** One run of a trial: trained (or continued, or read back when it had finished), stopped by the rule. */
  const runOne = async (ticket: TrialTicket, name: string, a: RunAssignment, report: boolean, engineWorker: EngineWorker | undefined): Promise<RunResult> => {
    const net = plan.networks.find((n) => n.label === a.network)!;
    const dir = join(o.out, 'runs', `${name}-s${a.seed}`);
    const where = pointLabel(plan, ticket.point);
    const sets = a.constants as Record<string, number>; // constants may hold names (activation); the compiler reads them
    const settings = a.settings;
    // a taken-over trial's run may still be locked by its worker (on another machine: until the lock is stale)
    if (existsSync(dir)) {
      await waitUnlocked(dir, { log, shouldStop: stopping });
      if (stopping()) return readRun(dir, a.seed, 'interrupted', undefined);
    }
    if (existsSync(join(dir, 'run.json'))) sameRun(dir, a);
    const ckpt = existsSync(join(dir, 'run.json')) ? recoverCheckpoint(dir) : undefined;
    const state = ckpt ? readState(ckpt) : undefined;
    const losses = state ? readMetrics(dir).slice(0, state.epoch).map((m) => m.loss) : [];
    let reason: StopReason | undefined = state?.status === 'diverged' ? 'diverged' : stopReason(losses, rule);
    let pruned = false;
    if (!reason) {
      let converged = false;
      let reportFailure: unknown;
      let reports = Promise.resolve();
      const curve: (number | null)[] = objectiveCurve(state ? readMetrics(dir).slice(0, state.epoch) : [], plan.objective.metric);
      const t0 = Date.now();
      const common = { engine: o.engine, device: o.device, threads: o.threads };
      let data: Splits;
      if (ckpt) data = await dataFor(readRunRecord(dir).config.data);
      else {
        const planned = plannedConfig({ specFile: net.specFile, specText: texts.get(a.network)!, sets, settings, overrides: { epochs: rule.maxEpochs, seed: a.seed } });
        if (planned.kind === 'spec-errors') throw new ExperimentError(`network '${net.label}' does not compile at ${where}${Object.keys(ticket.params).length ? ` with ${paramText(ticket.params)}` : ''}: ${planned.compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
        data = await dataFor(planned.config.data);
      }
      const r = await runTraining({
        ...(ckpt
          ? { resume: dir, overrides: { epochs: rule.maxEpochs }, threads: o.threads }
          : { specFile: net.specFile, specText: texts.get(a.network)!, sets, settings, out: dir, force: true, ...common, overrides: { epochs: rule.maxEpochs, seed: a.seed } }),
        data,
        worker: engineWorker,
        hooks: {
          // at every epoch's end: a converged run stops there, after its checkpoint
          onEpochEnd: (m) => {
            losses.push(m.loss);
            const why = stopReason(losses, rule);
            if (why && why !== 'max-epochs') {
              reason = why;
              converged = true;
            }
            curve.push(objectiveCurve([m], plan.objective.metric)[0]);
            const value = objectiveOf(curve, plan.objective).value;
            // the search may prune the trial: its answer is awaited in order and stops the run at the next step
            if (report && Number.isFinite(value))
              reports = reports.then(async () => {
                try {
                  if (!pruned && (await search.report(ticket, m.epoch, value))) pruned = true;
                } catch (e) {
                  reportFailure ??= e;
                }
              });
          },
          shouldStop: () => converged || pruned || reportFailure !== undefined || stopping(),
        },
      });
      await reports;
      if (reportFailure !== undefined) throw reportFailure;
      if (r.kind === 'spec-errors') throw new ExperimentError(`network '${net.label}' does not compile at ${where}: ${r.compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message).join('; ')}`);
      if (r.outcome.status === 'diverged') {
        reason = 'diverged';
        pruned = false;
        log(`  ${name} seed ${a.seed} diverged: ${r.outcome.message}`);
      } else if (r.outcome.status === 'interrupted' && !converged && !pruned) {
        return readRun(dir, a.seed, 'interrupted', undefined);
      }
      if (converged) pruned = false; // it had stopped on its own first
      reason ??= 'max-epochs';
      trainedSeconds += (Date.now() - t0) / 1000;
    }
    return readRun(dir, a.seed, pruned ? 'pruned' : statusOf(reason!), reason!);
  };

  const readRun = (dir: string, seed: number, status: RunStatus, reason: StopReason | undefined): RunResult => {
    const m = readMetrics(dir);
    const last = m[m.length - 1];
    const curve = m.map((x) => x.loss);
    const classes = classesOf(dir);
    const chance = last ? atChance(last.accuracy, classes) : false;
    const obj = objectiveOf(objectiveCurve(m, plan.objective.metric), plan.objective);
    return {
      seed,
      run: relative(o.out, dir),
      status,
      ...(reason ? { stopped: reason } : {}),
      epochs: m.length,
      objective: status === 'diverged' ? NaN : obj.value,
      objectiveEpoch: status === 'diverged' ? null : obj.epoch,
      finalLoss: last?.loss ?? NaN,
      finalAccuracy: last?.accuracy ?? NaN,
      valLoss: last?.valLoss ?? null,
      valAccuracy: last?.valAccuracy ?? null,
      convergedEpoch: status === 'done' ? convergedAt(curve, reason, chance) : null,
      atChance: chance,
      classes,
      seconds: m.reduce((a, x) => a + x.seconds, 0),
    };
  };

  const runTrial = async (ticket: TrialTicket, engineWorker: EngineWorker | undefined): Promise<void> => {
    const name = trialName(plan, ticket);
    const params = applicableParams(plan, ticket.point.network, ticket.params, has);
    const group = pointName(plan, ticket.point);
    const recordFile = join(trialsDir, `${name}.json`);
    const label = `${pointLabel(plan, ticket.point)}, trial ${ticket.trial ?? `#${ticket.id}`}`;
    // a record counts only for the protocol and draws it was made under
    if (existsSync(recordFile)) {
      const rec = readRecord(recordFile);
      if (rec && JSON.stringify(rec.rule) === JSON.stringify(rule) && JSON.stringify(rec.objectiveSpec) === JSON.stringify(plan.objective) && JSON.stringify(rec.params) === JSON.stringify(params)) {
        log(`trial ${label} (done before: ${rec.status})`);
        records.push(rec);
        done++;
        progress(rec, true);
        return;
      }
    }
    log(`trial ${label}${Object.keys(params).length ? `: ${paramText(params)}` : ''}`);
    const runs: RunResult[] = [];
    const make = (status: RunStatus): TrialRecord => {
      const values = runs.map((r) => r.objective);
      return { name, id: ticket.id, ...(ticket.trial !== undefined ? { trial: ticket.trial } : {}), point: ticket.point, group, params, status, objective: values.length && values.every(Number.isFinite) ? mean(values) : NaN, std: std(values.filter(Number.isFinite)), runs, rule, objectiveSpec: plan.objective, finishedAt: new Date().toISOString(), host: here.host, sweepDir: here.dir };
    };
    // stopped by the user: shown in this invocation's results, not recorded, so that the same command continues it
    const stopHere = async () => {
      interrupted = true;
      unfinished.push(make('interrupted'));
      await search.tell(ticket, { state: 'interrupted' });
    };
    try {
      for (const [k, a] of runAssignments(plan, ticket.point, ticket.params, ticket.trial, has).entries()) {
        if (stopping()) return await stopHere();
        // the pruner follows the first seed's curve: each step is reported once
        const r = await runOne(ticket, name, a, k === 0, engineWorker);
        if (r.status === 'interrupted') {
          runs.push(r);
          return await stopHere();
        }
        runs.push(r);
        log(`  seed ${a.seed}: ${r.status}${r.stopped && r.status === 'done' ? ` (${r.stopped})` : ''} after ${r.epochs} epoch${r.epochs === 1 ? '' : 's'}, ${plan.objective.metric} ${fmtNum(r.objective)}${r.atChance ? ' (at chance)' : ''}`);
        // a pruned or diverged trial has no objective to average: its other seeds are not trained
        if (r.status === 'pruned' || r.status === 'diverged') break;
      }
    } catch (e) {
      await search.tell(ticket, { state: 'failed', reason: e instanceof Error ? e.message : String(e) }).catch(() => {});
      throw e;
    }
    const rec = make(trialStatus(runs.map((r) => r.status)));
    const { status, objective } = rec;
    if (status === 'pruned') await search.tell(ticket, { state: 'pruned', ...(Number.isFinite(objective) ? { value: objective } : {}) }, rec);
    else if (status === 'diverged') await search.tell(ticket, { state: 'failed', reason: `diverged (seed ${runs.find((r) => r.status === 'diverged')!.seed})` }, rec);
    else if (!Number.isFinite(objective)) await search.tell(ticket, { state: 'failed', reason: `no ${plan.objective.metric} to read${plan.objective.metric.startsWith('val_') ? ': the data has no validation split' : ''}` }, rec);
    else await search.tell(ticket, { state: 'complete', value: objective }, rec);
    writeFileAtomic(recordFile, JSON.stringify(rec, replacer, 2) + '\n');
    records.push(rec);
    done++;
    trainedNow++;
    progress(rec, false);
    writeResults(o.out, plan, await allRecords(false), { total: slots.length, complete: false, engine, points: points.length });
  };

  /** The records this directory holds of a point the search has no more trials for, under this protocol, not yet counted. */
  const reusedGroups = new Set<string>();
  const reuseRecorded = (group: string) => {
    if (reusedGroups.has(group)) return;
    reusedGroups.add(group);
    for (const f of readdirSync(trialsDir).sort()) {
      if (!f.endsWith('.json')) continue;
      const rec = readRecord(join(trialsDir, f));
      if (!rec || rec.group !== group || records.some((r) => r.name === rec.name)) continue;
      if (JSON.stringify(rec.rule) !== JSON.stringify(rule) || JSON.stringify(rec.objectiveSpec) !== JSON.stringify(plan.objective)) continue;
      log(`trial ${rec.name} (done before: ${rec.status})`);
      records.push(rec);
      progress(rec, true);
    }
  };

  const worker = async () => {
    // one engine worker a job slot (torch: one Python process trains the slot's runs, one after
    // another, instead of one process a run), ended with the slot: the sweep's end, a stop, a failure
    const engineWorker = o.processPerRun ? undefined : ENGINES[engine].openWorker?.();
    try {
      while (!stopping() && next < slots.length) {
        const point = slots[next++];
        try {
          const ticket = await search.ask(point);
          if (!ticket) {
            // the study has had this point's trials (another worker's, or an earlier invocation's):
            // those this directory recorded still count, or a finished sweep run again would
            // summarise nothing and overwrite its sweep.md with an empty one
            reuseRecorded(pointName(plan, point));
            done++;
            continue;
          }
          await runTrial(ticket, engineWorker);
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
  await Promise.all(Array.from({ length: Math.min(jobs, slots.length) }, worker));
  const complete = failure === undefined && !interrupted && done === slots.length;
  const all = await allRecords(true);
  const finished = all.filter((r) => r.status !== 'interrupted');
  // the importances before the summary, so that sweep.md says what the importances figure shows
  const searched =
    o.figures !== false && finished.length
      ? await searchImportances(search).catch((e) => {
          log(`  parameter importances not computed by the search: ${e instanceof Error ? e.message : String(e)}`);
          return undefined;
        })
      : undefined;
  const importances: SweepImportances | undefined = searched ? { source: 'optuna', values: searched } : finished.length ? { source: 'eta-squared', values: spreadImportances(plan, finished) } : undefined;
  const summary = writeResults(o.out, plan, all, { total: slots.length, complete, engine, points: points.length, importances });
  const files = ['plan.json', 'sweep.md', 'sweep.json', 'trials.csv'];
  if (o.figures !== false && finished.length) {
    try {
      files.push(...(await writeFigures(o.out, plan, finished, { importances: searched })));
    } catch (e) {
      log(`  figures not drawn: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (failure !== undefined) throw failure;
  return { records: summary.records, summary, complete, total: slots.length, files };
}

/** A run directory of the sweep was started with this assignment, or the sweep stops, naming both. */
function sameRun(dir: string, a: RunAssignment): void {
  const rec = readRunRecord(dir);
  const want = { overrides: a.constants, settings: a.settings.map((s) => `${s.path}=${s.value}`), seed: a.seed };
  const had = { overrides: rec.overrides, settings: rec.settings ?? [], seed: rec.config.seed };
  if (JSON.stringify(had) === JSON.stringify(want)) return;
  throw new RunDirError(`${dir} was trained with ${JSON.stringify(had)}, and this sweep asks for ${JSON.stringify(want)}: remove it, or give another --out`);
}

/** A trial's record as written (JSON's nulls for NaN read back as NaN), or undefined when it is not one. */
export function readRecord(file: string): TrialRecord | undefined {
  try {
    return recordFromJson(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** NaN and infinities as JSON cannot hold them: null; read back as NaN. */
export function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? null : v;
}

function classesOf(dir: string): number {
  try {
    const r = irFromJson(readFileSync(join(dir, 'ir.json'), 'utf8'));
    if (!r.ok) return 0;
    const last = r.ir.layers[r.ir.layers.length - 1];
    return last.outShape.length === 1 ? last.outShape[0] : 0;
  } catch {
    return 0;
  }
}


export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

export function paramText(params: Record<string, ParamValue>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k.replace(/^train\./, '')} ${typeof v === 'number' ? fmtNum(v) : v}`)
    .join(', ');
}

