// hwy sweep FILE --engine torch trains each job slot's trials in one Python worker, not one
// process a trial, and the workers end with the sweep: when it finishes, when it is stopped
// (SIGTERM), and when hwy is killed outright.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { pythonOrReason, torchTitle } from '../backends/torch/cases.js';
import { alive, childrenOf } from '../processes.js';

const { python, reason } = pythonOrReason();
const title = torchTitle(python, reason);

const SPEC = (trials: number, epochs: number) => `network small {
  input 28x28x1
  flatten
  dense 12 relu
  highway dense relu gate_bias=-2
  dense 10 softmax
}
train {
  lr 0.05
  batch 300
  epochs 1
}
sweep tiny {
  search train.lr loguniform 0.01 0.2
  trials ${trials}
  objective loss min final
  stop epochs=${epochs}
}
`;


async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

/** `hwy sweep s.hwy --engine torch …` in a temp dir, its worker processes seen every 50 ms. */
function sweep(spec: string, args: string[]) {
  const d = mkdtempSync(join(tmpdir(), 'hwy-torch-worker-sweep-'));
  const tmp = mkdtempSync(join(d, 'tmp-'));
  writeFileSync(join(d, 's.hwy'), spec);
  const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'sweep', 's.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'out', '--no-progress', ...args], { cwd: d, env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp } });
  const seen = new Set<number>();
  const out = { err: '' };
  child.stderr.on('data', (b) => (out.err += b));
  const poll = setInterval(() => childrenOf(child.pid!, 'hwy_train.py').forEach((p) => seen.add(p)), 50);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  const jobDirs = () => readdirSync(tmp).filter((n) => n.startsWith('hwy-torch-'));
  return { child, seen, out, exited, jobDirs, dir: d };
}

/** Both workers started and both slots' runs past their first checkpoint (torch imported, training). */
async function training(s: ReturnType<typeof sweep>): Promise<boolean> {
  const runs = join(s.dir, 'out', 'runs');
  const checkpointed = () => (existsSync(runs) ? readdirSync(runs).filter((r) => existsSync(join(runs, r, 'model'))).length : 0);
  return (await until(() => (s.seen.size === 2 && checkpointed() === 2) || s.child.exitCode !== null, 120_000)) && s.child.exitCode === null;
}

describe.skipIf(!python)(title('hwy sweep FILE --engine torch: one worker a job slot'), () => {
  it('one Python process trains all of a slot’s trials, and it is gone when the sweep ends', async () => {
    const s = sweep(SPEC(3, 1), ['--jobs', '1']);
    expect(await s.exited, s.out.err).toBe(0);
    const trials = readdirSync(join(s.dir, 'out', 'trials'));
    expect(trials).toHaveLength(3);
    // a process a trial would show three (each lives for seconds: the polling sees it)
    expect(s.seen.size, s.out.err).toBe(1);
    expect([...s.seen].some(alive)).toBe(false);
    expect(s.jobDirs()).toEqual([]);
  }, 240_000);

  it('SIGTERM stops the sweep at a checkpoint and ends its workers; SIGKILL to hwy takes them too', async () => {
    const stopped = sweep(SPEC(4, 200), ['--jobs', '2']);
    expect(await training(stopped), stopped.out.err).toBe(true);
    stopped.child.kill('SIGTERM');
    expect(await stopped.exited, stopped.out.err).toBe(143);
    expect(await until(() => ![...stopped.seen].some(alive), 5_000)).toBe(true);
    expect(stopped.jobDirs()).toEqual([]);

    const killed = sweep(SPEC(4, 200), ['--jobs', '2']);
    expect(await training(killed), killed.out.err).toBe(true);
    const workers = [...killed.seen];
    expect(workers.length, killed.out.err).toBe(2);
    killed.child.kill('SIGKILL');
    await killed.exited;
    // no clean-up ran in hwy: each worker sees its parent gone and ends itself, removing its job's directory
    expect(await until(() => !workers.some(alive), 10_000)).toBe(true);
    expect(await until(() => killed.jobDirs().length === 0, 3_000)).toBe(true);
  }, 300_000);
});
