// The Optuna search: ask-and-tell through a long-lived Python worker (python/hwy_optuna.py),
// one per Search, over JSON lines. TPE / random / grid samplers, median / successive-halving
// pruning on each epoch's objective, and studies kept in an RDB storage (SQLite in the sweep
// directory unless a postgresql:// or mysql:// URL is given) so several processes on any
// machines can run one sweep. The worker records heartbeats of its running trials; a worker
// that dies mid-trial has its trial failed at the next ask (fail_stale_trials) and taken over
// by a new trial with the same parameters, so every slot of a grid point is recorded once.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ExperimentPlan, GridPoint, ParamValue } from '../ir/experiment.js';
import type { Search, SearchFactory, TrialEnd, TrialTicket } from './search.js';
import { planDifference, planIdentity } from './plan-identity.js';
import { packageRoot } from '../util/package-root.js';
import { VERSION } from '../version.js';

/**
 * What the Optuna search cannot do here, in one line (the CLI shows it as it is, exit 2):
 * `missing` (no Python with Optuna, or a module a storage or importances need), `storage`
 * (unreachable, wrong password, a lock that cannot be had), `identity` (the study belongs to
 * another sweep or hwy version), `usage` (an option it cannot honour), `worker` (the Python
 * worker failed or died).
 */
export class OptunaError extends Error {
  constructor(
    readonly kind: 'missing' | 'storage' | 'identity' | 'usage' | 'worker',
    message: string,
  ) {
    super(message);
  }
}

export interface OptunaOptions {
  /** The sweep directory: the default storage is `optuna.db` in it. */
  sweepDir: string;
  /** An SQLAlchemy URL: sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/DB, mysql://…; default SQLite in sweepDir. */
  storage?: string;
  /** The interpreter; default HWY_PYTHON, else python3, else /usr/bin/python3 (the first that imports optuna). */
  python?: string;
  /** The studies' name stem (each grid point is a study `NAME[point]`); default the sweep's name. */
  studyName?: string;
  /** Recorded in the studies and compared on reuse; default this hwy's version. */
  hwyVersion?: string;
  /** Seconds between heartbeats of a running trial (a whole number; default 10). */
  heartbeatInterval?: number;
  /** Seconds without a heartbeat after which a running trial is failed and taken over (default 3 heartbeats). */
  gracePeriod?: number;
  /** Seconds a storage connection may take before it is an error (default 5). */
  connectTimeout?: number;
  /** What the search would otherwise keep quiet about (a result that came too late to count). Default: stderr. */
  onWarning?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  /** Where this worker's runs live (its machine and sweep directory), recorded in each trial it asks for. */
  where?: { host: string; dir: string };
  /** Called once Python with Optuna is found, before the storage is opened (the runner makes the sweep directory there). */
  beforeStorage?: () => void;
}

/** A trial as the Optuna search hands it out: the contract's ticket plus where it lives in the storage. */
export interface OptunaTicket extends TrialTicket {
  /** The trial's number within its grid point's study. */
  number: number;
  /** The point's study. */
  study: string;
  /** The number of the interrupted trial (same study) whose slot and parameters this one takes over. */
  takesOver: number | null;
  /** The number of the slot's first trial: kept through any number of takeovers. */
  slot: number;
}

/** A told trial of the sweep with the record hwy gave it, and where its runs live. */
export interface StoredRecord {
  study: string;
  number: number;
  host: string | null;
  dir: string | null;
  record: unknown;
}

/** Optuna's parameter importances (fANOVA) within one grid point's study. */
export interface PointImportances {
  study: string;
  point: GridPoint | null;
  /** Completed trials the importances were fitted on. */
  complete: number;
  /** By searched parameter, summing to 1; null when fewer than 2 trials completed or no parameter varied. */
  importances: Record<string, number> | null;
}

const INSTALL = 'apt-get install python3-optuna, or pip install optuna';

/** What in the plan needs Optuna, for the refusal's first words. */
function needsOptuna(plan: ExperimentPlan, opts: OptunaOptions): string {
  if (plan.sampler === 'tpe') return 'the tpe sampler';
  if (plan.pruner !== 'none') return `the ${plan.pruner.replace('_', ' ')} pruner`;
  if (opts.storage) return 'a shared study storage';
  return `the Optuna ${plan.sampler} search`;
}

/** The storage URL without its password, for messages. */
export function maskStorage(url: string): string {
  return url.replace(/^([a-z0-9+]+:\/\/[^:/@?]*):[^@/?]*@/i, '$1:***@');
}

/** The URL the worker opens: checked here so a typo is a one-line refusal, not a Python error. */
function storageUrl(opts: OptunaOptions): string {
  if (opts.storage === undefined) {
    const dir = resolve(opts.sweepDir);
    let st;
    try {
      st = statSync(dir);
    } catch {
      throw new OptunaError('usage', `the sweep directory ${dir} does not exist`);
    }
    if (!st.isDirectory()) throw new OptunaError('usage', `the sweep directory ${dir} is not a directory`);
    if (/[?#]/.test(dir)) throw new OptunaError('usage', `the sweep directory ${dir} has a '?' or '#' in its path, which an SQLite URL cannot carry: use another directory or --storage`);
    const db = join(dir, 'optuna.db');
    if (existsSync(db) || isLink(db)) {
      const l = lstatSync(db);
      if (!l.isFile()) throw new OptunaError('usage', `${db} is not a regular file (a link or a directory): hwy keeps its study in a file it created`);
    }
    return `sqlite:///${db}`;
  }
  const url = opts.storage.trim().replace(/^postgres:\/\//, 'postgresql://');
  const m = /^([a-z0-9]+)(\+[a-z0-9_]+)?:\/\//i.exec(url);
  if (!m || !['sqlite', 'postgresql', 'mysql'].includes(m[1].toLowerCase())) {
    throw new OptunaError('usage', `--storage must be a sqlite:///PATH, postgresql://… or mysql://… URL, not '${maskStorage(opts.storage)}'`);
  }
  return url;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The worker script: the source in a checkout, dist/python in a package. */
export function optunaWorkerScript(): string {
  const root = packageRoot();
  for (const f of [join(root, 'src/experiment/python/hwy_optuna.py'), join(root, 'dist/python/hwy_optuna.py')]) if (existsSync(f)) return f;
  throw new OptunaError('worker', `hwy_optuna.py is missing from ${join(root, 'dist/python')}: rebuild hwy (npm run build)`);
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; op: string };

/** One running worker process and its request/answer pairing. */
class Worker {
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';
  private exited: string | null = null;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly proc: ChildProcess,
    readonly python: string,
    lines: AsyncIterator<string> & { [Symbol.asyncIterator](): AsyncIterator<string> },
  ) {
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-4000);
    });
    this.exitPromise = new Promise((res) => proc.once('exit', (code, signal) => {
      this.exited = signal ? `was killed by ${signal}` : `exited with ${code}`;
      const why = `the Optuna worker (${this.python}) ${this.exited}${this.lastError()}`;
      for (const p of this.pending.values()) p.reject(new OptunaError('worker', why));
      this.pending.clear();
      res();
    }));
    void (async () => {
      for await (const line of { [Symbol.asyncIterator]: () => lines }) this.answer(line);
    })().catch(() => {});
  }

  private lastError(): string {
    const last = this.stderr.trim().split('\n').pop();
    return last ? `: ${last.slice(0, 300)}` : '';
  }

  private answer(line: string): void {
    let msg: { id?: number; ok?: boolean; result?: unknown; kind?: string; error?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      return; // not ours (a library printing to stdout): the protocol lines are JSON
    }
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id!);
    if (msg.ok) p.resolve(msg.result);
    else {
      const kind = (['missing', 'storage', 'usage'] as const).find((k) => k === msg.kind) ?? 'worker';
      p.reject(new OptunaError(kind, msg.error ?? `the Optuna worker failed on ${p.op}`));
    }
  }

  request<T>(op: string, body: Record<string, unknown>, timeoutMs?: number, onTimeout?: () => string): Promise<T> {
    if (this.exited) return Promise.reject(new OptunaError('worker', `the Optuna worker (${this.python}) ${this.exited}${this.lastError()}`));
    const id = this.next++;
    return new Promise<T>((res, rej) => {
      let timer: NodeJS.Timeout | undefined;
      const done = <A>(f: (a: A) => void) => (a: A) => {
        if (timer) clearTimeout(timer);
        f(a);
      };
      this.pending.set(id, { resolve: done(res as (v: unknown) => void), reject: done(rej), op });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          this.kill();
          rej(new OptunaError('storage', onTimeout ? onTimeout() : `the Optuna worker did not answer ${op} within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
      }
      this.proc.stdin!.write(JSON.stringify({ id, op, ...body }) + '\n');
    });
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }

  async end(timeoutMs: number): Promise<void> {
    if (this.exited) return;
    this.proc.stdin!.end();
    const t = setTimeout(() => this.kill(), timeoutMs);
    await this.exitPromise;
    clearTimeout(t);
  }
}

/** Starts the worker with one interpreter: the worker itself says whether Optuna imports there. */
async function startWorker(python: string, env: NodeJS.ProcessEnv): Promise<{ ok: true; worker: Worker; optuna: string } | { ok: false; why: string }> {
  let proc: ChildProcess;
  try {
    proc = spawn(python, ['-u', optunaWorkerScript()], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' } });
  } catch (e) {
    return { ok: false, why: (e as Error).message.split('\n')[0] };
  }
  const rl = createInterface({ input: proc.stdout!, crlfDelay: Infinity });
  const it = rl[Symbol.asyncIterator]();
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  const collect = (d: string) => (stderr = (stderr + d).slice(-2000));
  proc.stderr!.on('data', collect);
  const spawnError = new Promise<{ ok: false; why: string }>((res) =>
    proc.once('error', (e: NodeJS.ErrnoException) => res({ ok: false, why: e.code === 'ENOENT' ? 'was not found' : e.code === 'EACCES' ? 'is not executable' : e.message.split('\n')[0] })),
  );
  proc.stdin!.on('error', () => {}); // a worker that died: its exit says why
  const first = it.next().then((r) => {
    if (r.done) {
      const last = stderr.trim().split('\n').pop();
      return { ok: false as const, why: `exited before answering${last ? ` (${last.slice(0, 160)})` : ''}` };
    }
    let msg: { ready?: boolean; optuna?: string; missing?: string };
    try {
      msg = JSON.parse(r.value);
    } catch {
      return { ok: false as const, why: `answered '${r.value.slice(0, 80)}' instead of hwy_optuna's greeting` };
    }
    if (msg.missing) return { ok: false as const, why: `has no ${msg.missing} module` };
    return { ok: true as const, optuna: msg.optuna ?? '?' };
  });
  const got = await Promise.race([first, spawnError]);
  if (!got.ok) {
    proc.kill('SIGKILL');
    return got;
  }
  proc.stderr!.off('data', collect);
  return { ok: true, worker: new Worker(proc, python, it as never), optuna: got.optuna };
}

/** The point's study key: the network and the grid axes in the plan's order. */
export function pointKey(plan: ExperimentPlan, point: GridPoint): string {
  const parts = [`network=${point.network}`];
  for (const axis of plan.grid) {
    if (!(axis.name in point.values)) throw new OptunaError('usage', `the grid point of ${point.network} has no value for the axis ${axis.name}`);
    parts.push(`${axis.name}=${point.values[axis.name]}`);
  }
  return parts.join(',');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OptunaSearch implements Search {
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly plan: ExperimentPlan,
    readonly storage: string,
    readonly studyName: string,
    readonly optunaVersion: string,
    private readonly version: string,
    private readonly pollMs: number,
    private readonly warn: (m: string) => void,
  ) {}

  /** Starts the worker, opens the storage and refuses a study of another sweep or version. */
  static async open(plan: ExperimentPlan, opts: OptunaOptions): Promise<OptunaSearch> {
    const env = opts.env ?? process.env;
    if (plan.sampler === 'grid') {
      for (const p of plan.space) {
        if (p.dist.type === 'uniform' || p.dist.type === 'loguniform') throw new OptunaError('usage', `the grid sampler cannot enumerate ${p.name} (${p.dist.type}): give it a choice of values, or use the random or tpe sampler`);
      }
    }
    const heartbeat = opts.heartbeatInterval ?? 10;
    const grace = opts.gracePeriod ?? 3 * heartbeat;
    const connect = opts.connectTimeout ?? 5;
    for (const [name, v] of [['heartbeat interval', heartbeat], ['grace period', grace], ['connect timeout', connect]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new OptunaError('usage', `the Optuna ${name} must be a whole number of seconds >= 1, not ${v}`);
    }
    // a storage URL with a typo is refused before Python starts; the sweep directory may not exist yet when Optuna is missing
    if (opts.storage !== undefined) storageUrl(opts);
    const chosen = opts.python ?? env.HWY_PYTHON?.trim();
    const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3'];
    const tried: string[] = [];
    let started: { worker: Worker; optuna: string } | undefined;
    for (const c of candidates) {
      const r = await startWorker(c, env);
      if (r.ok) {
        started = r;
        break;
      }
      tried.push(`${c} ${r.why}`);
    }
    if (!started) {
      const where = chosen ? (opts.python ? `the Python ${chosen}` : `HWY_PYTHON=${chosen}`) : 'no Python here';
      throw new OptunaError('missing', `${needsOptuna(plan, opts)} needs Optuna: ${INSTALL} (${where}: ${tried.join('; ')})`);
    }
    const { worker } = started;
    let url: string;
    try {
      opts.beforeStorage?.();
      url = storageUrl(opts);
    } catch (e) {
      await worker.end(5000);
      throw e;
    }
    const studyName = opts.studyName ?? plan.name;
    const identity = planIdentity(plan);
    const version = opts.hwyVersion ?? VERSION;
    const shown = maskStorage(url);
    try {
      const opened = await worker.request<{ optuna: string; studies: StoredIdentity[] }>(
        'open',
        {
          storage: url,
          study: studyName,
          hash: identity.hash,
          plan: identity.plan,
          version,
          direction: plan.objective.direction,
          sampler: plan.sampler,
          pruner: plan.pruner,
          seed: plan.seed,
          trials: plan.trials,
          space: plan.space,
          heartbeat,
          grace,
          connect_timeout: connect,
          where: opts.where ?? null,
        },
        // the driver's own timeout answers first; this one catches a storage that hangs past it
        (connect + 20) * 1000,
        () => `the study storage ${shown} did not answer within ${connect + 20} s`,
      );
      for (const s of opened.studies) checkIdentity(s, identity, version, shown);
      return new OptunaSearch(worker, plan, url, studyName, opened.optuna, version, Math.min(heartbeat, 2) * 1000, opts.onWarning ?? ((m) => process.stderr.write(`hwy: ${m}\n`)));
    } catch (e) {
      await worker.end(2000);
      throw e;
    }
  }

  async ask(point: GridPoint): Promise<OptunaTicket | null> {
    this.live();
    const key = pointKey(this.plan, point);
    for (;;) {
      const r = await this.worker.request<AskAnswer>('ask', { key, point: { network: point.network, values: point.values } });
      if (r.mismatch) {
        checkIdentity(r.mismatch, planIdentity(this.plan), this.version, maskStorage(this.storage));
        throw new OptunaError('identity', `study '${r.mismatch.name}' in ${maskStorage(this.storage)} belongs to another sweep`);
      }
      if (r.trial) {
        return { id: r.trial.id, point, params: r.trial.params, number: r.trial.number, study: `${this.studyName}[${key}]`, takesOver: r.trial.takes_over, slot: r.trial.slot ?? r.trial.takes_over ?? r.trial.number };
      }
      if (r.done) return null;
      // The point's last slots are held by other workers: wait until they finish, or until their
      // heartbeats stop and this worker takes the slot over, so no slot is left unfilled.
      await sleep(this.pollMs);
      this.live();
    }
  }

  async report(trial: TrialTicket, step: number, value: number): Promise<boolean> {
    this.live();
    // A NaN or infinite objective is the runner's to call diverged; the pruners compare finite values.
    if (!Number.isFinite(value)) return false;
    const r = await this.worker.request<{ prune: boolean; gone?: boolean }>('report', { trial: trial.id, step, value });
    if (r.gone) this.warn(`trial ${label(trial)} was failed by another worker (no heartbeat for too long) and taken over; stopping it`);
    return r.prune;
  }

  /** Tells how the trial ended, keeping `record` (JSON) in the trial for the other workers' results. */
  async tell(trial: TrialTicket, end: TrialEnd, record?: unknown): Promise<void> {
    this.live();
    const body: Record<string, unknown> = { trial: trial.id, state: end.state };
    // JSON as the worker reads it: a non-finite number is null
    if (record !== undefined && end.state !== 'interrupted') body.record = JSON.parse(JSON.stringify(record));
    if (end.state === 'complete') body.value = Number.isFinite(end.value) ? end.value : String(end.value);
    if (end.state === 'pruned' && end.value !== undefined && Number.isFinite(end.value)) body.value = end.value;
    if (end.state === 'failed') body.reason = end.reason;
    if (end.state === 'complete' && !Number.isFinite(end.value)) {
      // recorded as a failed (diverged) trial: the search goes on without its value
      body.state = 'failed';
      body.reason = `diverged: the objective is ${end.value}`;
      delete body.value;
    }
    const r = await this.worker.request<{ recorded: boolean }>('tell', body);
    if (!r.recorded) this.warn(`trial ${label(trial)} ended after another worker had failed it (no heartbeat for too long) and taken it over: its result is not recorded`);
  }

  /** Every told trial of the sweep (all its studies) that carries hwy's record, whichever worker told it. */
  async storedRecords(): Promise<StoredRecord[]> {
    this.live();
    return this.worker.request<StoredRecord[]>('records', {});
  }

  /** Optuna's fANOVA importances of the searched parameters, per grid point (needs scikit-learn). */
  async importances(): Promise<PointImportances[]> {
    this.live();
    return this.worker.request<PointImportances[]>('importances', {});
  }

  /** Ends the worker; trials still running are marked interrupted, so the next ask at their point takes them over. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.worker.request('close', {}, 30_000);
    } catch {
      /* a dead worker: nothing to close */
    }
    await this.worker.end(5000);
  }

  private live(): void {
    if (this.closed) throw new OptunaError('usage', 'the Optuna search is closed');
  }
}

function label(t: TrialTicket): string {
  const o = t as Partial<OptunaTicket>;
  return o.study !== undefined && o.number !== undefined ? `${o.number} of ${o.study}` : String(t.id);
}

interface StoredIdentity {
  name: string;
  hash: string | null;
  version: string | null;
  plan: string | null;
}

interface AskAnswer {
  trial?: { id: number; number: number; params: Record<string, ParamValue>; takes_over: number | null; slot?: number };
  wait?: number;
  done?: boolean;
  mismatch?: StoredIdentity;
}

/** Refuses a study made by another sweep or another hwy version, naming the difference. */
function checkIdentity(s: StoredIdentity, mine: { hash: string; plan: string }, version: string, storage: string): void {
  const head = `study '${s.name}' in ${storage}`;
  const fix = 'give this sweep another study name or storage';
  if (!s.hash) throw new OptunaError('identity', `${head} was not made by hwy sweep (it records no sweep): ${fix}`);
  const problems: string[] = [];
  if (s.version !== version) problems.push(`it was made by hwy ${s.version ?? '(unknown)'}, this is hwy ${version}`);
  if (s.hash !== mine.hash) {
    let diff: string | null = null;
    try {
      diff = s.plan ? planDifference(JSON.parse(s.plan), JSON.parse(mine.plan)) : null;
    } catch {
      /* an unreadable stored plan: the hashes still differ */
    }
    problems.push(`it belongs to another sweep (${diff ?? `plan hash ${s.hash.slice(0, 12)} there, ${mine.hash.slice(0, 12)} here`})`);
  }
  if (problems.length) throw new OptunaError('identity', `${head} cannot be continued: ${problems.join('; ')}; ${fix}`);
}

/** The Optuna search for a plan (see OptunaSearch.open). */
export function optunaSearch(plan: ExperimentPlan, opts: OptunaOptions): Promise<OptunaSearch> {
  return OptunaSearch.open(plan, opts);
}

/** The same, as the runner's SearchFactory. */
export function optunaSearchFactory(opts: OptunaOptions): SearchFactory {
  return (plan) => OptunaSearch.open(plan, opts);
}
