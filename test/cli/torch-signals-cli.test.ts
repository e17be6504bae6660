// The torch engine's worker under signals and damage: hwy stopped by SIGTERM or SIGHUP
// checkpoints as on Ctrl-C; hwy killed outright takes its worker with it; a worker killed
// from outside (the OOM killer) or fed a damaged checkpoint is one message saying what
// happened, never a traceback or "please report this".
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy, ROOT } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';
import { alive, childrenOf } from '../processes.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `the torch engine under signals and damage (${python.path}, torch ${python.torch})` : `the torch engine under signals and damage: SKIPPED, ${reason}`;

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-torch-signals-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  const tmp = mkdtempSync(join(d, 'tmp-'));
  return { d, tmp, out: join(d, 'run') };
}


/** Starts `hwy train …` (torch, cpu) and resolves once `ready(stderr)` holds, with the process and what it wrote so far. */
function start(args: string[], opts: { cwd: string; tmp: string; env?: Record<string, string> }, ready: (err: string) => boolean) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'train', ...args, '--no-progress'], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: '1', TMPDIR: opts.tmp, ...opts.env } });
  const out = { err: '', code: null as number | null };
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve((out.code = code ?? (signal ? -1 : null)))));
  child.stderr.on('data', (b) => (out.err += b));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (ready(out.err)) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      if (!ready(out.err)) reject(new Error(`hwy ended before it was ready (${out.code}): ${out.err}`));
    });
  });
  return { child, out, exited, started };
}

/** Waits until `cond` holds, up to `ms`. */
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

const jobDirs = (tmp: string) => readdirSync(tmp).filter((n) => n.startsWith('hwy-torch-'));
const TRAIN = ['tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run', '--epochs', '200'];

describe.skipIf(!python)(TITLE, () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} to hwy stops training as Ctrl-C does: a checkpoint, a message, the lock released, exit ${code}`, async () => {
      const { d, tmp, out } = setup();
      const run = start(TRAIN, { cwd: d, tmp }, (err) => err.includes('epoch 1:'));
      await run.started;
      run.child.kill(signal);
      expect(await run.exited, run.out.err).toBe(code);
      expect(run.out.err).toContain(`${signal}: stopping: writing a checkpoint`);
      const m = /stopped (?:after epoch (\d+)|(\d+) steps? into epoch (\d+)); checkpoint in run\ncontinue with: npx hwy train --resume run/.exec(run.out.err);
      expect(m, run.out.err).not.toBeNull();
      // the checkpoint is where the message says training stopped
      const state = JSON.parse(readFileSync(join(out, 'model', 'state.json'), 'utf8'));
      expect([state.epoch, state.step]).toEqual(m![1] !== undefined ? [Number(m![1]), 0] : [Number(m![3]) - 1, Number(m![2])]);
      expect(existsSync(join(out, '.hwy.lock'))).toBe(false);
      expect(jobDirs(tmp)).toEqual([]);
    });
  }

  it('hwy killed with SIGKILL takes its worker with it within seconds, and the job directory goes too', async () => {
    const { d, tmp } = setup();
    const run = start(TRAIN, { cwd: d, tmp }, (err) => err.includes('epoch 1:'));
    await run.started;
    const workers = childrenOf(run.child.pid!);
    expect(workers.length).toBe(1);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await until(() => !workers.some(alive), 5_000)).toBe(true);
    expect(await until(() => jobDirs(tmp).length === 0, 3_000)).toBe(true);
  });

  it('a worker killed by SIGKILL (as by the OOM killer) after a checkpoint: what happened, what is kept, how to continue; the resume works', async () => {
    const { d, tmp, out } = setup();
    const run = start(TRAIN, { cwd: d, tmp }, () => existsSync(join(out, 'model', 'state.json')));
    await run.started;
    const [worker] = childrenOf(run.child.pid!);
    process.kill(worker, 'SIGKILL');
    expect(await run.exited, run.out.err).toBe(137);
    const last = run.out.err.trim().split('\n').pop()!;
    expect(last).toMatch(
      /^hwy: the torch worker \(Python\) was killed by SIGKILL \(perhaps out of memory: the kernel's OOM killer sends SIGKILL; dmesg would say\)\. The last checkpoint \(after epoch \d+[^)]*\) is kept in run; continue with: npx hwy train --resume run$/,
    );
    expect(run.out.err).not.toContain('Please report');
    expect(existsSync(join(out, '.checkpoint-new'))).toBe(false);
    const epoch = JSON.parse(readFileSync(join(out, 'model', 'state.json'), 'utf8')).epoch;
    const resumed = hwy(['train', '--resume', 'run', '--epochs', String(epoch + 1)], { cwd: d, env: { TMPDIR: tmp } });
    expect(resumed.code, resumed.stderr).toBe(0);
  });

  it('a worker killed while staging its first checkpoint: no checkpoint was written, the staging directory is removed, and --resume says there never was one', () => {
    const { d, tmp, out } = setup();
    const py = join(d, 'python-killed-while-staging');
    // the interpreter as found for the probes; as the trainer: ask for a staging directory, put a file there, then die as the OOM killer would end it
    writeFileSync(py, `#!/bin/sh\ncase "$1" in *hwy_train.py) echo '{"event":"checkpoint"}' >&3; read reply; echo partial > "$(dirname "$0")/run/.checkpoint-new/torch.pt"; kill -9 $$ ;; esac\nexec ${python!.path} "$@"\n`);
    chmodSync(py, 0o755);
    const r = hwy(['train', 'tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run'], { cwd: d, env: { HWY_PYTHON: py, TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(137);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      "hwy: the torch worker (Python) was killed by SIGKILL (perhaps out of memory: the kernel's OOM killer sends SIGKILL; dmesg would say) before the first checkpoint: no checkpoint was written, so there is nothing to resume; train again (the same command, with --force to replace the run in run)",
    );
    expect(existsSync(join(out, '.checkpoint-new'))).toBe(false);
    const resumed = hwy(['train', '--resume', 'run'], { cwd: d });
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain("cannot resume 'run': no checkpoint was ever written there (training ended before its first); nothing was changed.");
    expect(resumed.stderr).not.toContain('Restore');
  });

  it('a garbage or foreign torch.pt on resume is one line naming it, not a Python traceback', () => {
    const { d, tmp, out } = setup();
    const first = hwy(['train', 'tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run'], { cwd: d, env: { TMPDIR: tmp } });
    expect(first.code, first.stderr).toBe(0);
    const pt = join(out, 'model', 'torch.pt');
    writeFileSync(pt, Buffer.from('this is not a checkpoint at all, just some bytes\n'.repeat(20)));
    // state.json's checksum and size made to match, as whoever put the file there could: Python's loader must refuse it alone
    const reseal = () => {
      const sp = join(out, 'model', 'state.json');
      const st = JSON.parse(readFileSync(sp, 'utf8'));
      st.sha256['torch.pt'] = createHash('sha256').update(readFileSync(pt)).digest('hex');
      st.bytes['torch.pt'] = readFileSync(pt).length;
      writeFileSync(sp, JSON.stringify(st, null, 2));
    };
    reseal();
    const garbage = hwy(['train', '--resume', 'run', '--epochs', '2'], { cwd: d, env: { TMPDIR: tmp } });
    expect(garbage.code, garbage.stderr).toBe(2);
    expect(garbage.stderr.trim().split('\n').pop()).toMatch(/^hwy: (cannot read the checkpoint .*run\/model\/torch\.pt: \w+|.*run\/model\/torch\.pt is not a checkpoint hwy can load safely)/);
    expect(garbage.stderr).not.toContain('Traceback');
    const saved = spawnSync(python!.path, ['-c', `import torch; torch.save({'weights': [1, 2, 3]}, ${JSON.stringify(pt)})`]);
    expect(saved.status).toBe(0);
    reseal();
    const foreign = hwy(['train', '--resume', 'run', '--epochs', '2'], { cwd: d, env: { TMPDIR: tmp } });
    expect(foreign.code, foreign.stderr).toBe(2);
    expect(foreign.stderr.trim().split('\n').pop()).toMatch(/^hwy: .*run\/model\/torch\.pt is not a torch checkpoint written by this hwy \(format None, expected 2\)$/);
    expect(foreign.stderr).not.toContain('Traceback');
  });

  it('a malformed event from the worker is a clear error, not a TypeError, and the worker is ended', () => {
    const { d, tmp } = setup();
    const py = join(d, 'python-with-a-malformed-event');
    writeFileSync(py, `#!/bin/sh\ncase "$1" in *hwy_train.py) echo '{"event":"epoch_end","metrics":null}' >&3; exec sleep 60 ;; esac\nexec ${python!.path} "$@"\n`);
    chmodSync(py, 0o755);
    const started = Date.now();
    const r = hwy(['train', 'tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run'], { cwd: d, env: { HWY_PYTHON: py, TMPDIR: tmp } });
    expect(r.code, r.stderr).toBe(70);
    expect(r.stderr).toContain('hwy: the torch worker sent a malformed event (metrics is not an object): {"event":"epoch_end","metrics":null}');
    expect(r.stderr).not.toContain('TypeError');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    // the worker (sleeping 60 s) was ended, not waited for
    expect(Date.now() - started).toBeLessThan(45_000);
  });
});
