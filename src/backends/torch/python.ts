import { spawnSync } from 'node:child_process';
import { EngineUnavailable } from '../engine.js';
import { describeSpawnError } from '../../util/plain-errors.js';

/** A Python interpreter that imports torch (and numpy, which hwy_weights.py needs). */
export interface PythonInfo {
  /** The interpreter, as it was found (a command name on PATH or a path). */
  path: string;
  /** `torch.__version__`, e.g. "1.13.1" or "2.5.0+cu124". */
  torch: string;
  /** Where it came from: the HWY_PYTHON variable, or the default search. */
  source: 'HWY_PYTHON' | 'search';
}

/** No usable Python or PyTorch: the engines' one-line error (the CLI reports it with exit 2). */
export { EngineUnavailable };

const INSTALL = "install it with 'apt-get install python3-torch libopenblas0-pthread' (Debian) or 'pip install torch', or set HWY_PYTHON to a Python that has it";

// Prints the torch version, or the first missing module's name, never a traceback.
const PROBE = `
import signal, sys
# a Ctrl-C meant for hwy must not read as 'no torch here'
signal.signal(signal.SIGINT, signal.SIG_IGN)
try:
    import numpy
    import torch
except ImportError as e:
    sys.stdout.write('missing ' + str(getattr(e, 'name', None) or e))
    sys.exit(3)
sys.stdout.write('torch ' + torch.__version__)
`;

/**
 * How long an interpreter may take to start and print a word. Python starts in well under a
 * second even on a loaded machine; a program that never answers (a wrong HWY_PYTHON, a
 * wrapper waiting for input) is told apart in this time instead of the minute importing
 * torch may take.
 */
const START_TIMEOUT_MS = 5_000;

/** Why `python` is not an interpreter that answers at once (within START_TIMEOUT_MS), in words following its name; undefined when it is. */
export function pythonSilence(python: string, env: NodeJS.ProcessEnv, timeoutMs = START_TIMEOUT_MS): string | undefined {
  const ms = Math.min(START_TIMEOUT_MS, timeoutMs);
  const alive = spawnSync(python, ['-c', 'import sys; sys.stdout.write("python")'], { encoding: 'utf8', env, timeout: ms, stdio: ['ignore', 'pipe', 'pipe'], killSignal: 'SIGKILL' });
  if (alive.error || alive.status !== 0 || alive.stdout !== 'python') return failed(alive, ms, ' (a Python interpreter answers in well under a second: is it one?)').why;
  return undefined;
}

/** Why one candidate failed, or its torch version. */
function probe(python: string, env: NodeJS.ProcessEnv, timeoutMs: number): { ok: true; torch: string } | { ok: false; why: string } {
  const silent = pythonSilence(python, env, timeoutMs);
  if (silent) return { ok: false, why: silent };
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', env, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], killSignal: 'SIGKILL' });
  const out = (r.stdout ?? '').trim();
  if (!r.error && r.status === 0 && out.startsWith('torch ')) return { ok: true, torch: out.slice(6) };
  if (!r.error && out.startsWith('missing ')) return { ok: false, why: `has no ${out.slice(8)} module` };
  return failed(r, timeoutMs, '');
}

/** Why a run of a candidate failed, in words. */
function failed(r: ReturnType<typeof spawnSync>, timeoutMs: number, slow: string): { ok: false; why: string } {
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, why: `${describeSpawnError(r.error, timeoutMs)}${code === 'ETIMEDOUT' ? slow : ''}` };
  }
  const err = String(r.stderr ?? '').trim().split('\n').pop() ?? '';
  if (r.status === 0) return { ok: false, why: `is not a Python interpreter (it printed '${String(r.stdout ?? '').trim().slice(0, 60)}')` };
  return { ok: false, why: `exited with ${r.status ?? r.signal}${err ? ` (${err.slice(0, 120)})` : ''}` };
}

/** PATH's python3 first; Debian's python3-torch installs for the system one. */
const DEFAULT_CANDIDATES = ['python3', '/usr/bin/python3'];

let cached: { key: string; info: PythonInfo } | undefined;

/**
 * The interpreter the torch engine runs: HWY_PYTHON when set (and only it: a variable that
 * names a Python hwy cannot use is an error, not a hint), else `python3` on PATH, else
 * `/usr/bin/python3` (PATH's python3 may be a shim without torch). Throws EngineUnavailable.
 */
export function findPython(opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; candidates?: string[] } = {}): PythonInfo {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const candidates = opts.candidates ?? DEFAULT_CANDIDATES;
  const chosen = env.HWY_PYTHON?.trim();
  const key = [chosen ?? '', env.PATH ?? '', ...candidates].join('\0');
  if (cached?.key === key) return cached.info;
  if (chosen) {
    const r = probe(chosen, env, timeoutMs);
    if (!r.ok) throw new EngineUnavailable(`HWY_PYTHON=${chosen} cannot run the torch engine: it ${r.why}; ${INSTALL}`);
    cached = { key, info: { path: chosen, torch: r.torch, source: 'HWY_PYTHON' } };
    return cached.info;
  }
  const tried: string[] = [];
  for (const candidate of candidates) {
    const r = probe(candidate, env, timeoutMs);
    if (r.ok) {
      cached = { key, info: { path: candidate, torch: r.torch, source: 'search' } };
      return cached.info;
    }
    tried.push(`${candidate} ${r.why}`);
  }
  throw new EngineUnavailable(`no Python with PyTorch found (${tried.join('; ')}); ${INSTALL}`);
}
