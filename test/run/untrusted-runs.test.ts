// A run directory is data: it is shared and downloaded like data, and loading it (resume,
// eval, export, an exported job's --resume) must never run code from it. A torch.pt whose
// pickle would run a command is refused, whether or not its checksum was forged to match.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const { python, reason } = pythonOrReason();
const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 8 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 500\n  epochs 1\n}\n';

/** A torch.pt whose unpickling creates `marker`: what an attacker would put in a run directory. */
function plantEvil(py: string, file: string, marker: string): void {
  const code = `import os, sys, torch
class Evil:
    def __reduce__(self):
        return (os.system, ('touch ' + sys.argv[2],))
torch.save({'format': 2, 'meta': Evil(), 'tensors': [], 'model': Evil()}, sys.argv[1])`;
  const r = spawnSync(py, ['-c', code, file, marker], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** state.json with its checksum and size of torch.pt forged to match the planted file. */
function forgeChecksum(ckpt: string): void {
  const state = JSON.parse(readFileSync(join(ckpt, 'state.json'), 'utf8'));
  state.sha256 = { ...state.sha256, 'torch.pt': sha(join(ckpt, 'torch.pt')) };
  if (state.bytes) state.bytes = { ...state.bytes, 'torch.pt': statSync(join(ckpt, 'torch.pt')).size };
  writeFileSync(join(ckpt, 'state.json'), JSON.stringify(state, null, 2));
}

describe.skipIf(!python)(python ? 'loading a run never runs code from it' : `loading a run never runs code from it: SKIPPED, ${reason}`, () => {
  let dir: string;
  let run: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hwy-untrusted-'));
    writeFileSync(join(dir, 'net.hwy'), SPEC);
    run = join(dir, 'run');
    const r = hwy(['train', 'net.hwy', '--engine', 'torch', '--out', run, '--no-progress'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }, 180_000);

  it('state.json records the checksum of every checkpoint file, torch.pt included', () => {
    const state = JSON.parse(readFileSync(join(run, 'model', 'state.json'), 'utf8'));
    for (const f of ['torch.pt', 'weights.bin', 'model.json']) expect(state.sha256[f], f).toBe(sha(join(run, 'model', f)));
  });

  it('a replaced torch.pt is refused by its checksum; with a forged checksum, the safe loader refuses it: the command never runs', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'hwy-untrusted-')), 'run');
    cpSync(run, copy, { recursive: true });
    const marker = join(copy, 'PWNED');
    plantEvil(python!.path, join(copy, 'model', 'torch.pt'), marker);
    const replaced = hwy(['train', '--resume', copy, '--epochs', '2', '--no-progress']);
    expect(replaced.code).toBe(2);
    expect(replaced.stderr).toMatch(/torch\.pt does not match the checksum in .*state\.json/);
    expect(existsSync(marker)).toBe(false);

    forgeChecksum(join(copy, 'model'));
    const forged = hwy(['train', '--resume', copy, '--epochs', '2', '--no-progress']);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toMatch(/is not a checkpoint hwy can load safely .*; a torch\.pt from before checkpoint format \d+ \(tensors only\) cannot be resumed/);
    expect(forged.stderr).not.toMatch(/Traceback/);
    expect(existsSync(marker)).toBe(false);
  }, 180_000);

  it('a torch.pt planted in a tfjs run is not recorded in state.json: eval and resume refuse the checkpoint', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-untrusted-'));
    writeFileSync(join(d, 'net.hwy'), SPEC);
    const t = hwy(['train', 'net.hwy', '--out', 'run', '--backend', 'wasm', '--no-progress'], { cwd: d });
    expect(t.code, t.stderr).toBe(0);
    plantEvil(python!.path, join(d, 'run', 'model', 'torch.pt'), join(d, 'PWNED'));
    for (const args of [['eval', 'run'], ['train', '--resume', 'run', '--epochs', '2']]) {
      const r = hwy(args, { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/torch\.pt is not recorded in .*state\.json/);
    }
    expect(existsSync(join(d, 'PWNED'))).toBe(false);
  }, 180_000);

  it("an exported job's train.py --resume refuses a planted torch.pt, forged checksum or not", () => {
    const job = join(mkdtempSync(join(tmpdir(), 'hwy-untrusted-')), 'job');
    const e = hwy(['export', run, '--to', 'pytorch', '--out', job]);
    expect(e.code, e.stderr).toBe(0);
    const py = python!.path;
    const first = spawnSync(py, ['train.py', '--epochs', '1'], { cwd: job, encoding: 'utf8', env: { ...process.env, HWY_DRIVEN: undefined, HWY_EVENTS_FD: undefined } });
    expect(first.status, first.stderr).toBe(0);
    const ckpt = join(job, 'run', 'model');
    const marker = join(job, 'PWNED');
    // a checkpoint the job wrote itself resumes
    const again = spawnSync(py, ['train.py', '--resume', '--epochs', '2'], { cwd: job, encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    plantEvil(py, join(ckpt, 'torch.pt'), marker);
    const replaced = spawnSync(py, ['train.py', '--resume', '--epochs', '3'], { cwd: job, encoding: 'utf8' });
    expect(replaced.status).toBe(2);
    expect(replaced.stderr).toMatch(/torch\.pt does not match the checksum/);
    forgeChecksum(ckpt);
    const forged = spawnSync(py, ['train.py', '--resume', '--epochs', '3'], { cwd: job, encoding: 'utf8' });
    expect(forged.status).toBe(2);
    expect(forged.stderr).toMatch(/is not a checkpoint hwy can load safely/);
    expect(existsSync(marker)).toBe(false);
  }, 300_000);
});
