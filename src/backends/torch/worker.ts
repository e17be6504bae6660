// The torch engine's long-lived worker: one `hwy_train.py --serve` process that trains the runs
// a caller (a sweep's job slot) gives it, one after another, so torch is imported once for them
// all instead of once a run. hwy_train.py puts the process-wide state back before each job and
// each job seeds its own streams, so a run trains as in a fresh process (test/backends/torch/
// worker.test.ts holds it to that). A process that dies (killed, out of memory, an unexpected
// error) fails the run it was training; the next run starts a new one.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EngineWorker } from '../engine.js';

/** The lines of a stream, taken one at a time across jobs (a for-await over readline would close the stream when one job's loop ends). */
export class LineReader {
  private lines: string[] = [];
  private waiting?: (line: string | null) => void;
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    const rl = createInterface({ input });
    rl.on('line', (line) => this.put(line));
    rl.on('close', () => this.end());
  }

  private put(line: string | null): void {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w(line);
    } else if (line !== null) this.lines.push(line);
  }

  /** No more lines will come (the stream closed, or the process is gone). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.put(null);
  }

  /** The next line, or null once the stream has ended and every line was taken. */
  next(): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** How a worker process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running `hwy_train.py --serve`. */
export interface ServeProcess {
  child: ChildProcess;
  python: string;
  events: LineReader;
  /** What the process wrote on stdout and stderr since the current job began (its end: a traceback). */
  output: string;
  exited: Promise<Exit>;
  /** Ended by hwy itself (close(), a failed job): its signal says nothing about the run. */
  killedHere: boolean;
}

// Every worker process still running, killed by PID when hwy exits: normally, through
// process.exit (a second Ctrl-C), or an uncaught error. A hwy killed with SIGKILL runs no code:
// the worker sees its parent change, or its stdin close, and ends itself (hwy_train.py).
const running = new Set<ServeProcess>();
let exitHook = false;
function killAllOnExit(): void {
  for (const p of running) kill(p);
}

function kill(p: ServeProcess): void {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.killedHere = true;
  p.child.kill('SIGKILL');
}

const KEEP_OUTPUT = 20_000;

/** A worker that starts its process with the first run, and again after one that died. */
export class TorchWorker implements EngineWorker {
  readonly engine = 'torch' as const;
  private proc?: ServeProcess;
  private busy = false;
  private closed = false;

  /** `script`: where hwy_train.py is, asked when a process starts. */
  constructor(private readonly script: () => string) {}

  /** The running process's id (none before the first run, or after it died). */
  get pid(): number | undefined {
    return this.alive(this.proc) ? this.proc!.child.pid : undefined;
  }

  private alive(p: ServeProcess | undefined): boolean {
    return !!p && p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined;
  }

  /** The process for the next run on `python` (started now if there is none, or it died, or ran another interpreter); one run at a time. */
  acquire(python: string): ServeProcess {
    if (this.closed) throw new Error('the torch worker was closed');
    if (this.busy) throw new Error('the torch worker is training another run: one run at a time');
    if (!this.alive(this.proc) || this.proc!.python !== python) {
      if (this.proc) this.end(this.proc);
      this.proc = this.start(python);
    }
    this.busy = true;
    this.proc!.output = '';
    return this.proc!;
  }

  /** The run is over; `broken`: the process is in no state to take another (ended now). */
  release(p: ServeProcess, broken: boolean): void {
    if (broken) this.end(p);
    if (this.proc === p && broken) this.proc = undefined;
    this.busy = false;
  }

  private start(python: string): ServeProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', HWY_DRIVEN: '1', HWY_EVENTS_FD: '3' };
    for (const k of ['RANK', 'LOCAL_RANK', 'WORLD_SIZE']) delete env[k];
    const child = spawn(python, [this.script(), '--serve'], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const events = new LineReader(child.stdio[3] as NodeJS.ReadableStream);
    const p: ServeProcess = { child, python, events, output: '', killedHere: false, exited: undefined as unknown as Promise<Exit> };
    const keep = (b: Buffer) => {
      p.output = (p.output + b.toString()).slice(-KEEP_OUTPUT);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.stdin!.on('error', () => {}); // the process may have exited; how it exited says why
    p.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        p.output += `\n${e.message}`;
        running.delete(p);
        events.end();
        resolve({ code: -1, signal: null });
      });
      // after every stdio stream closed: each event line was read
      child.on('close', (code, signal) => {
        running.delete(p);
        events.end();
        resolve({ code, signal });
      });
    });
    running.add(p);
    if (!exitHook) {
      exitHook = true;
      process.on('exit', killAllOnExit);
    }
    return p;
  }

  private end(p: ServeProcess): void {
    kill(p);
    running.delete(p);
  }

  /** Ends the process (by its PID) and waits for it to be gone. */
  async close(): Promise<void> {
    this.closed = true;
    const p = this.proc;
    this.proc = undefined;
    if (!p) return;
    kill(p);
    await p.exited;
  }
}

/** A command to the process on its stdin (dropped when it has exited: how it exited says why). */
export function sendTo(p: ServeProcess, msg: object): void {
  if (p.child.stdin!.writable) p.child.stdin!.write(JSON.stringify(msg) + '\n');
}
