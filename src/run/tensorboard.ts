// TensorBoard event files for a run (`hwy train --tensorboard`). The event format is
// TensorBoard's, written by a maintained library: a Python child (hwy_tensorboard.py) with
// PyTorch's torch.utils.tensorboard or tensorboardX. No npm package writes it without
// libtensorflow, so Node hands each epoch's metrics to that child; both engines report their
// epochs to Node, so this serves tfjs and torch runs alike.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { describeSpawnError } from '../util/plain-errors.js';
import { pythonSilence } from '../backends/torch/python.js';
import { join } from 'node:path';
import type { MetricsLine } from '../backends/engine.js';
import { pythonDir } from '../backends/torch/engine.js';
import { TENSORBOARD_DIR } from './run-dir.js';

/** No Python here can write TensorBoard files: the flag is refused, with what to install. */
export class TensorboardUnavailable extends Error {}

const INSTALL =
  "--tensorboard needs a Python with TensorBoard's writer: 'pip install tensorboard' (PyTorch's torch.utils.tensorboard uses it) or 'pip install tensorboardX' (Debian packages neither), or set HWY_PYTHON to a Python that has one";

const CANDIDATES = ['python3', '/usr/bin/python3'];

/** The interpreter that writes the events and the library it uses: HWY_PYTHON when set (and only it), else python3, else /usr/bin/python3. */
export function findTensorboardWriter(env: NodeJS.ProcessEnv = process.env): { python: string; library: string } {
  const script = join(pythonDir(), 'hwy_tensorboard.py');
  const probe = (python: string): string => {
    // an interpreter that never answers is given up on in seconds, not after the import's minute
    const silent = pythonSilence(python, env);
    if (silent) return silent;
    const r = spawnSync(python, [script, '--probe'], { encoding: 'utf8', env, timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.error) return describeSpawnError(r.error, 60_000);
    const out = (r.stdout ?? '').trim();
    if (r.status === 0 && out.startsWith('writer ')) return out;
    return out === 'missing' ? 'has neither tensorboard nor tensorboardX' : `exited with ${r.status ?? r.signal}`;
  };
  const chosen = env.HWY_PYTHON?.trim();
  const tried: string[] = [];
  for (const python of chosen ? [chosen] : CANDIDATES) {
    const r = probe(python);
    if (r.startsWith('writer ')) return { python, library: r.slice(7) };
    tried.push(`${chosen ? 'HWY_PYTHON=' : ''}${python} ${r}`);
  }
  throw new TensorboardUnavailable(`${INSTALL} (${tried.join('; ')})`);
}

/** The scalars of one epoch, under TensorBoard tags; absent values (no validation split) are left out. */
export function epochScalars(m: MetricsLine): Record<string, number> {
  const all: Record<string, number | null> = {
    'train/loss': m.loss,
    'train/accuracy': m.accuracy,
    'validation/loss': m.valLoss,
    'validation/accuracy': m.valAccuracy,
    lr: m.lr,
    samples_per_sec: m.samplesPerSec,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/** A running writer: epochs go in with `write`; `close` waits for the files to be complete. */
export class TensorboardWriter {
  private child: ChildProcess;
  private stderr = '';
  private exited: Promise<number | null>;
  /** Set when the writer failed; training goes on, and the caller reports it. */
  failure: string | undefined;

  /** `purgeStep` (a resume from epoch N: N + 1) hides what an earlier writer wrote for later epochs, which the resume trains again. */
  constructor(
    readonly runDir: string,
    writer: { python: string },
    purgeStep?: number,
  ) {
    const dir = join(runDir, TENSORBOARD_DIR);
    this.child = spawn(writer.python, [join(pythonDir(), 'hwy_tensorboard.py'), dir, purgeStep ? String(purgeStep) : ''], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    this.child.stdin!.on('error', () => {}); // a writer that died: its exit status and stderr say why
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.failure ??= e.message;
        resolve(-1);
      });
      this.child.on('close', (code) => {
        if (code !== 0) this.failure ??= `the TensorBoard writer exited with ${code}${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').pop()}` : ''}`;
        resolve(code);
      });
    });
  }

  write(m: MetricsLine): void {
    if (this.child.stdin!.writable) this.child.stdin!.write(JSON.stringify({ step: m.epoch, scalars: epochScalars(m) }) + '\n');
  }

  /** Ends the writer and waits until its files are flushed; the failure, if it failed. */
  async close(): Promise<string | undefined> {
    this.child.stdin!.end();
    const timeout = setTimeout(() => {
      this.failure ??= 'the TensorBoard writer did not finish within 60 s';
      this.child.kill('SIGKILL');
    }, 60_000);
    await this.exited;
    clearTimeout(timeout);
    return this.failure;
  }
}
