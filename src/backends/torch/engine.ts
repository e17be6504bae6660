// The torch engine: Node resolves the data and the tfjs topology, a Python child (hwy_train.py)
// trains with PyTorch and streams events back; checkpoints go through the RunSink, so the run
// directory is the same as with tfjs (plus torch.pt) and hwy eval / analyze read it unchanged.
// A run trains in processes of its own (hwy train; --nproc N: N of them), or in a worker the
// caller keeps between runs (openWorker: a sweep's job slot; worker.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve as resolvePath } from 'node:path';
import { createServer } from 'node:net';
import { EngineKilled, EngineUnavailable, RunFileError, type Engine, type EngineTrainArgs, type PreparedEngine, type TrainOutcome, type TrainState } from '../engine.js';
import type { NetworkIR } from '../../ir/types.js';
import { emitModelPy } from './emit-model.js';
import { torchWeightMap } from './weights.js';
import { writeArrays } from './arrays.js';
import { findPython } from './python.js';
import { cacheRoot } from '../../data/download.js';
import { packageRoot } from '../../util/package-root.js';
import { regularFileSize } from '../../util/read-regular.js';
import { describeSpawnError } from '../../util/plain-errors.js';
import { LineReader, sendTo, TorchWorker, type Exit, type ServeProcess } from './worker.js';

/** The Python side failed in a way that is not the user's to fix: the message carries its stderr. */
export class TorchEngineError extends Error {}

/** The directory holding hwy_train.py and hwy_weights.py: the sources in a checkout, dist/python in a package. */
export function pythonDir(): string {
  const root = packageRoot();
  for (const d of [join(root, 'src/backends/torch/python'), join(root, 'dist/python')]) if (existsSync(join(d, 'hwy_train.py'))) return d;
  throw new EngineUnavailable(`hwy_train.py is missing from ${join(root, 'dist/python')}: rebuild hwy (npm run build)`);
}

const DEVICE_PROBE = `
import json, signal
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is hwy's to handle
import torch
print(json.dumps({'cuda': bool(torch.cuda.is_available()), 'gpus': torch.cuda.device_count() if torch.cuda.is_available() else 0, 'name': torch.cuda.get_device_name(0) if torch.cuda.is_available() else ''}))
`;

/**
 * Threads per worker when neither --threads nor HWY_THREADS says: one. Measured on the 2-core
 * machines hwy is developed on (50-layer highway MLP, batch 128, torch 1.13 + OpenBLAS):
 * 1 thread was as fast as or faster than 2 (see README, "Engines"); the per-layer matrices
 * of these networks are too small to split. Larger machines can raise it.
 */
function defaultThreads(): number {
  return 1;
}

/**
 * The most threads a worker may ask for: a few times the cores. Threads beyond the cores
 * only wait for each other, and with no bound `--threads 100000` made a machine unusable
 * and `--threads 1e9` ended in libgomp failing to allocate its thread pool.
 */
export function maxThreads(): number {
  return 4 * availableParallelism();
}

/** Why a thread count cannot be used (`given` names it: '--threads 100000'), or undefined. */
export function threadsProblem(n: number, given: string): string | undefined {
  if (!Number.isInteger(n) || n < 1) return `${given}: the threads a worker takes must be a positive whole number`;
  const most = maxThreads();
  if (n > most) return `${given}: this machine has ${availableParallelism()} CPU cores, and threads beyond them only wait for each other; use at most ${most} (4 a core), or leave it out for the default (${defaultThreads()})`;
  return undefined;
}

function threadsFrom(opt: number | undefined): number {
  if (opt !== undefined) {
    const bad = threadsProblem(opt, `--threads ${opt}`);
    if (bad) throw new EngineUnavailable(bad);
    return opt;
  }
  const env = process.env.HWY_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new EngineUnavailable(`HWY_THREADS must be a positive whole number, not '${env}'`);
    const bad = threadsProblem(n, `HWY_THREADS=${env}`);
    if (bad) throw new EngineUnavailable(bad);
    return n;
  }
  return defaultThreads();
}

type Devices = { cuda: boolean; gpus: number; name: string };
// by interpreter: the devices a machine has do not change while hwy runs, and a sweep prepares the engine for every run
const probed = new Map<string, Devices>();

/** What torch sees: CUDA devices. Costs an interpreter start (importing torch), so only asked when the device is not cpu, and once an interpreter. */
function probeDevices(python: string): Devices {
  const known = probed.get(python);
  if (known) return known;
  const r = spawnSync(python, ['-c', DEVICE_PROBE], { encoding: 'utf8', timeout: 120_000 });
  let found: Devices;
  try {
    found = JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new EngineUnavailable(`${python} imports torch but cannot query its devices: ${r.error ? describeSpawnError(r.error, 120_000) : (r.stderr || '').trim().split('\n').pop()}`);
  }
  probed.set(python, found);
  return found;
}

export const torchEngine: Engine = {
  name: 'torch',
  async prepare(opts): Promise<PreparedEngine> {
    const threads = threadsFrom(opts.threads);
    const py = findPython();
    const probe = opts.device === 'cpu' ? { cuda: false, gpus: 0, name: '' } : probeDevices(py.path);
    const nproc = opts.nproc ?? 1;
    let device: 'cpu' | 'cuda';
    let why: string;
    if (opts.device === 'cuda') {
      if (!probe.cuda) throw new EngineUnavailable(`--device cuda: torch ${py.torch} at ${py.path} sees no CUDA device (install a CUDA build of PyTorch, or use --device cpu)`);
      device = 'cuda';
      why = 'as asked';
    } else if (opts.device === 'cpu') {
      device = 'cpu';
      why = 'as asked';
    } else {
      device = probe.cuda ? 'cuda' : 'cpu';
      why = probe.cuda ? `CUDA is available: ${probe.name}` : 'no CUDA device';
    }
    if (device === 'cuda' && nproc > probe.gpus) throw new EngineUnavailable(`--nproc ${nproc} on cuda needs ${nproc} GPUs; torch sees ${probe.gpus}`);
    // CPU workers beyond the cores only wait for each other (100 on 2 cores ran a 0.3 s epoch for minutes)
    if (device === 'cpu' && nproc > availableParallelism()) throw new EngineUnavailable(`--nproc ${nproc}: this machine has ${availableParallelism()} CPU cores, and CPU workers beyond them only slow each other down; use --nproc ${availableParallelism()} or fewer`);
    const workers = nproc > 1 ? `, ${nproc} worker processes (DistributedDataParallel, ${device === 'cuda' ? 'nccl' : 'gloo'})` : '';
    const info = {
      engine: 'torch' as const,
      device,
      reason: `${why}; Python ${py.path}, torch ${py.torch}, ${threads} thread${threads > 1 ? 's' : ''}${workers}`,
      details: { python: py.path, torch: py.torch, threads, nproc },
    };
    // a worker process trains one process's runs; data-parallel runs start their own processes
    const worker = opts.worker instanceof TorchWorker && nproc === 1 ? opts.worker : undefined;
    return { info, train: (args) => trainWithPython(args, { python: py.path, device, threads, nproc, worker }) };
  },
  openWorker: () => new TorchWorker(() => join(pythonDir(), 'hwy_train.py')),
};

interface RunOpts {
  python: string;
  device: 'cpu' | 'cuda';
  threads: number;
  nproc: number;
  worker?: TorchWorker;
}

/** A free TCP port on the loopback interface, for the workers' rendezvous. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The tfjs lowering's model.json (the topology hwy eval loads) and its initial weights for this seed. */
export async function initialModelFiles(ir: NetworkIR, seed: number): Promise<{ modelJson: string; weights: Uint8Array }> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { lowerToModel } = await import('../tfjs/lower.js');
  const { modelFiles } = await import('../tfjs/checkpoint.js');
  // only builds and serialises the model: the pure-JS backend needs no set-up and seeded initialisers draw the same numbers on every backend
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
  // the cpu backend greets its first use in Node with advice to install tfjs-node: not advice for a torch run
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  const model = lowerToModel(ir, { seed });
  try {
    return await modelFiles(model);
  } finally {
    model.dispose();
  }
}

/** An event of the Python worker, checked: what each kind carries and its types. */
type WorkerEvent = { event: string; [k: string]: unknown };

const isNum = (v: unknown): v is number => typeof v === 'number';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The fields of an object that are not numbers (a number or null, where `nullable`). */
const notNumbers = (o: Record<string, unknown>, keys: string[], nullable: string[] = []) => keys.filter((k) => !(isNum(o[k]) || (nullable.includes(k) && o[k] === null)));

/** What is wrong with a training state from the worker, or undefined. */
function stateProblem(s: unknown, where: string): string | undefined {
  if (!isObj(s)) return `${where} is not an object`;
  const bad = notNumbers(s, ['epoch', 'step']);
  if (bad.length) return `${where}.${bad[0]} is not a number`;
  if (!isObj(s.partial)) return `${where}.partial is not an object`;
  const p = notNumbers(s.partial, ['lossSum', 'correct', 'seen', 'seconds']);
  if (p.length) return `${where}.partial.${p[0]} is not a number`;
  if (!['running', 'interrupted', 'done', 'diverged'].includes(s.status as string)) return `${where}.status is not a training status`;
  return undefined;
}

/**
 * What is wrong with an event from the worker, or undefined. The worker is hwy's own
 * hwy_train.py, but a changed or foreign one must not reach the sink as a TypeError.
 */
export function eventProblem(ev: unknown): string | undefined {
  if (!isObj(ev) || typeof ev.event !== 'string') return 'not an object with an event name';
  const first = (keys: string[], o: Record<string, unknown> = ev, prefix = '', nullable: string[] = []) => {
    const bad = notNumbers(o, keys, nullable);
    return bad.length ? `${prefix}${bad[0]} is not a number` : undefined;
  };
  switch (ev.event) {
    case 'epoch_start':
      return first(['epoch', 'epochs', 'steps', 'lr']);
    case 'progress':
      return first(['epoch', 'epochs', 'step', 'steps', 'loss', 'accuracy', 'samplesPerSec']);
    case 'epoch_end':
      if (!isObj(ev.metrics)) return 'metrics is not an object';
      if (!Number.isInteger(ev.metrics.epoch)) return 'metrics.epoch is not a whole number';
      return first(['loss', 'accuracy', 'valLoss', 'valAccuracy', 'lr', 'seconds', 'samplesPerSec'], ev.metrics, 'metrics.', ['valLoss', 'valAccuracy']);
    case 'checkpoint_staged':
      return stateProblem(ev.state, 'state');
    case 'done': {
      const o = ev.outcome;
      if (!isObj(o) || !['done', 'interrupted', 'diverged'].includes(o.status as string)) return 'outcome is not an outcome (done, interrupted or diverged)';
      if (o.status === 'diverged' && typeof o.message !== 'string') return 'outcome.message is not a string';
      return stateProblem(o.state, 'outcome.state');
    }
    case 'error':
      return typeof ev.message === 'string' ? undefined : 'message is not a string';
    default:
      return undefined; // started, resumed and events of later versions: nothing here depends on them
  }
}

const tail = (s: string, lines = 15) => s.trim().split('\n').slice(-lines).join('\n');

/**
 * torch.pt of the checkpoint to resume, checked before Python reads it: a regular file (a
 * link to /dev/zero or a FIFO would make torch.load read or wait without end) no larger
 * than what it holds can take: the weights, at most two optimizer slots each (Adam's
 * moments) and the random states.
 */
function checkTorchCheckpoint(ckpt: string, ir: NetworkIR): void {
  const weights = (ir.stats?.totalParams ?? 0) * 4;
  regularFileSize(join(ckpt, 'torch.pt'), { maxBytes: 4 * weights + 64 * 2 ** 20, what: 'a PyTorch checkpoint', limitNote: 'for this network (its weights and optimizer state)', error: (m) => new RunFileError(m) });
}

async function trainWithPython(args: EngineTrainArgs, o: RunOpts): Promise<TrainOutcome> {
  const { ir, config, data } = args;
  if (args.resumeFrom) checkTorchCheckpoint(args.resumeFrom, ir);
  const jobDir = mkdtempSync(join(tmpdir(), 'hwy-torch-'));
  // a process ended by a signal runs no finally blocks: its 'exit' still removes the job directory (and ends the workers: inProcesses, worker.ts)
  const onExit = () => rmSync(jobDir, { recursive: true, force: true });
  process.on('exit', onExit);
  try {
    const { modelJson, weights } = await initialModelFiles(ir, config.seed);
    writeFileSync(join(jobDir, 'model.py'), emitModelPy(ir));
    writeFileSync(join(jobDir, 'model.json'), modelJson);
    writeFileSync(join(jobDir, 'init-weights.bin'), weights);
    const arrays = writeArrays(data, cacheRoot());
    if (arrays.rewritten.length) args.log(`the cached arrays in ${arrays.dir} did not hold the data they are named after (${arrays.rewritten.map((f) => basename(f)).join(', ')}): written again`);
    const job = {
      model: join(jobDir, 'model.py'),
      model_json: join(jobDir, 'model.json'),
      init_weights: args.resumeFrom ? null : join(jobDir, 'init-weights.bin'),
      weight_map: torchWeightMap(ir),
      // absolute: the trainer reads paths relative to the job file, which lives in a temporary directory
      resume: args.resumeFrom ? resolvePath(args.resumeFrom) : null,
      state: args.state,
      // a worker that finds hwy gone (killed: no clean-up ran here) removes this directory
      remove_when_orphaned: jobDir,
      config,
      data: { train: { x: resolvePath(arrays.train.x), y: resolvePath(arrays.train.y) }, validation: { x: resolvePath(arrays.validation.x), y: resolvePath(arrays.validation.y) } },
      device: o.device,
      threads: o.threads,
    };
    const jobFile = join(jobDir, 'job.json');
    writeFileSync(jobFile, JSON.stringify(job));
    return o.worker && o.nproc === 1 ? await inWorker(args, o.worker, o.python, jobFile) : await inProcesses(args, o, jobFile);
  } finally {
    process.off('exit', onExit);
    rmSync(jobDir, { recursive: true, force: true });
  }
}

/** How one job's events went: its outcome or its error, and the newest checkpoint on disk. */
interface Driven {
  outcome?: TrainOutcome;
  failure?: { message: string; user: boolean };
  kept: TrainState;
}

/**
 * Reads one job's events until its 'done' or 'error' (or the end of the stream: the process
 * is gone), answering checkpoint requests through the sink and passing a stop on. Throws when
 * an event is malformed or the sink or a hook fails: Python then waits for an answer, and the
 * caller ends it.
 */
async function drive(next: () => Promise<string | null>, send: (msg: object) => void, args: EngineTrainArgs): Promise<Driven> {
  const { sink, hooks } = args;
  let stopSent = false;
  const pollStop = () => {
    if (!stopSent && hooks?.shouldStop?.()) {
      stopSent = true;
      send({ stop: true });
    }
  };
  const timer = setInterval(pollStop, 100);
  // the newest checkpoint on disk (the one resumed from, or none yet)
  let kept: TrainState = args.state;
  try {
    for (let line = await next(); line !== null; line = await next()) {
      let ev: WorkerEvent;
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      const bad = eventProblem(ev);
      if (bad) throw new TorchEngineError(`the torch worker sent a malformed event (${bad}): ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
      switch (ev.event) {
        case 'epoch_start':
          hooks?.onEpochStart?.(ev.epoch as number, ev.epochs as number, ev.steps as number, ev.lr as number);
          break;
        case 'progress':
          hooks?.onProgress?.(ev as never);
          pollStop();
          break;
        case 'epoch_end':
          sink.appendMetrics(ev.metrics as never);
          hooks?.onEpochEnd?.(ev.metrics as never);
          // a stop decided on this epoch's metrics (early stopping, a sweep's converged trial)
          // must reach Python before the checkpoint's staging directory and answers on stdin do,
          // so that the run stops after this epoch's checkpoint, not some steps into the next
          pollStop();
          break;
        case 'checkpoint':
          send({ stage: resolvePath(sink.stageCheckpoint()) });
          break;
        case 'checkpoint_staged':
          kept = { ...(ev.state as TrainState), savedAt: new Date().toISOString() };
          sink.commitCheckpoint(kept);
          send({ ack: true });
          break;
        case 'done':
          return { outcome: ev.outcome as TrainOutcome, kept };
        case 'error':
          return { failure: { message: ev.message as string, user: ev.user === true }, kept };
      }
    }
    return { kept };
  } finally {
    clearInterval(timer);
  }
}

/** A diverged run keeps the newest checkpoint committed here (with the time it was saved). */
function finished(d: Driven & { outcome: TrainOutcome }): TrainOutcome {
  return d.outcome.status === 'diverged' ? { ...d.outcome, state: { ...d.kept, status: 'diverged' } } : d.outcome;
}

/** One run in the worker's process (started now if it has none): the job named on its stdin, its events on fd 3. */
async function inWorker(args: EngineTrainArgs, worker: TorchWorker, python: string, jobFile: string): Promise<TrainOutcome> {
  const p = worker.acquire(python);
  let broken = true;
  try {
    sendTo(p, { job: jobFile });
    // a failure here leaves Python waiting for an answer it will not get: the process goes (finally), the next run starts another
    const d = await drive(() => p.events.next(), (msg) => sendTo(p, msg), args);
    if (d.outcome) {
      broken = false;
      return finished(d as Driven & { outcome: TrainOutcome });
    }
    if (d.failure?.user) {
      // a problem of this job (its data, its checkpoint): the process takes the next one
      broken = false;
      throw new EngineUnavailable(d.failure.message);
    }
    // an unexpected error ends the process (hwy_train.py); events that stopped without one: it died
    const exit = await exitWithin(p, 10_000);
    if (exit.signal && !p.killedHere && !d.failure) throw new EngineKilled(exit.signal, 'the torch worker (Python)', d.kept);
    const detail = tail(p.output);
    throw new TorchEngineError(`the torch engine failed: ${d.failure?.message ?? `Python exited with ${exit.code ?? exit.signal}`}${detail ? `\n${detail}` : ''}`);
  } finally {
    worker.release(p, broken);
    if (broken) await p.exited;
  }
}

/** How the process exited, ending it if it has not within `ms` (after an error it ends by itself). */
async function exitWithin(p: ServeProcess, ms: number): Promise<Exit> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  const first = await Promise.race([p.exited, late.then(() => undefined)]);
  clearTimeout(timer);
  if (first) return first;
  p.killedHere = true;
  p.child.kill('SIGKILL');
  return p.exited;
}

/** One run in processes of its own: `nproc` of them (rank 0 reports on fd 3), ended with it. */
async function inProcesses(args: EngineTrainArgs, o: RunOpts, jobFile: string): Promise<TrainOutcome> {
  const children: ChildProcess[] = [];
  // the workers hwy ended itself: a signal that ended any other came from outside (the OOM killer, a kill)
  const killedHere = new Set<ChildProcess>();
  const killAll = () => {
    for (const c of children)
      if (c.exitCode === null && c.signalCode === null) {
        killedHere.add(c);
        c.kill('SIGKILL');
      }
  };
  process.on('exit', killAll);
  try {
    const script = join(pythonDir(), 'hwy_train.py');
    const port = o.nproc > 1 ? await freePort() : 0;
    const stderr: string[] = [];
    const exits: Promise<{ rank: number; code: number | null; signal: NodeJS.Signals | null }>[] = [];
    for (let rank = 0; rank < o.nproc; rank++) {
      const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', HWY_DRIVEN: '1' };
      if (rank === 0) env.HWY_EVENTS_FD = '3';
      if (o.nproc > 1) Object.assign(env, { RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(o.nproc), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) });
      else for (const k of ['RANK', 'LOCAL_RANK', 'WORLD_SIZE']) delete env[k];
      const child = spawn(o.python, [script, jobFile], { env, stdio: rank === 0 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      stderr.push('');
      const keep = (b: Buffer) => {
        stderr[rank] = (stderr[rank] + b.toString()).slice(-20_000);
      };
      child.stderr!.on('data', keep);
      child.stdout!.on('data', keep);
      exits.push(
        new Promise((resolve) => {
          child.on('error', (e) => {
            stderr[rank] += `\n${e.message}`;
            resolve({ rank, code: -1, signal: null });
          });
          child.on('close', (code, signal) => resolve({ rank, code, signal }));
        }),
      );
    }
    const main = children[0];
    const send = (msg: object) => {
      if (main.stdin!.writable) main.stdin!.write(JSON.stringify(msg) + '\n');
    };
    main.stdin!.on('error', () => {}); // the child may have exited; its exit status tells why
    const events = new LineReader(main.stdio[3] as NodeJS.ReadableStream);
    // a failure here (a checkpoint that cannot be committed, a hook that throws) leaves Python
    // waiting for an answer: end the workers, and report it once they are gone
    let handlerError: unknown;
    let d: Driven = { kept: args.state };
    const handled = drive(() => events.next(), send, args)
      .then((r) => void (d = r))
      .catch((e) => {
        handlerError = e;
        killAll();
      });
    // a worker that fails leaves the others waiting in a collective: end them all
    const results = await Promise.all(
      exits.map((p) =>
        p.then((r) => {
          if (r.code !== 0) killAll();
          return r;
        }),
      ),
    );
    events.end();
    await handled;
    if (handlerError) throw handlerError;
    if (d.outcome) return finished(d as Driven & { outcome: TrainOutcome });
    const { failure, kept } = d;
    if (failure?.user) throw new EngineUnavailable(failure.message);
    const bad = results.find((r) => r.code !== 0 && r.signal !== 'SIGKILL') ?? results.find((r) => r.code !== 0) ?? results[0];
    // ended by a signal from outside: what happened, in words, and the checkpoint that is kept
    const signalled = results.find((r) => r.signal && !killedHere.has(children[r.rank]));
    if (signalled && !failure) throw new EngineKilled(signalled.signal!, `the torch worker${o.nproc > 1 ? ` ${signalled.rank}` : ''} (Python)`, kept);
    const detail = tail(stderr[bad.rank]);
    throw new TorchEngineError(`the torch engine failed${o.nproc > 1 ? ` (worker ${bad.rank})` : ''}: ${failure?.message ?? `Python exited with ${bad.code ?? bad.signal}`}${detail ? `\n${detail}` : ''}`);
  } finally {
    killAll();
    process.off('exit', killAll);
  }
}
