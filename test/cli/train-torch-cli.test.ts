import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy, trainUntilFirstEpoch } from '../helpers.js';
import { pythonOrReason } from '../backends/torch/cases.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy train --engine torch (${python.path}, torch ${python.torch})` : `hwy train --engine torch: SKIPPED, ${reason}`;

const SPEC = 'network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dropout 0.1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 100\n  epochs 1\n}\n';

function setup() {
  const d = mkdtempSync(join(tmpdir(), 'hwy-torch-cli-'));
  writeFileSync(join(d, 'tiny.hwy'), SPEC);
  return d;
}

const metrics = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(!python)(TITLE, () => {
  it('trains on the bundled digits with the engine line naming Python and torch; hwy eval (tfjs) reports the accuracy torch measured', () => {
    const d = setup();
    const out = join(d, 'run');
    const r = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'cpu', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`engine: torch on cpu (as asked; Python ${python!.path}, torch ${python!.torch}, 1 thread)`);
    expect(r.stderr).toMatch(/epoch 1: loss [\d.]+ acc [\d.]+ \| val loss [\d.]+ val acc [\d.]+/);
    expect(r.stdout).toContain(`evaluate with: npx hwy eval ${out}`);
    const [m] = metrics(out);
    const e = hwy(['eval', out, '--format', 'json']);
    expect(e.code, e.stderr).toBe(0);
    expect(Math.abs(JSON.parse(e.stdout).accuracy - m.valAccuracy)).toBeLessThanOrEqual(1e-4);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(rec).toMatchObject({ engine: 'torch', device: 'cpu', engineDetails: { torch: python!.torch, threads: 1 } });
    // --threads is the torch engine's; HWY_THREADS that is not a number is refused
    const bad = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--out', join(d, 'x')], { env: { HWY_THREADS: 'many' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("HWY_THREADS must be a positive whole number, not 'many'");
    const crowd = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'cpu', '--nproc', '100', '--out', join(d, 'crowd')]);
    expect(crowd.code).toBe(2);
    expect(crowd.stderr).toMatch(/--nproc 100: this machine has \d+ CPU cores/);
    expect(existsSync(join(d, 'crowd'))).toBe(false);
  });

  it('Ctrl-C checkpoints and exits 130; --resume, as printed (a relative path), continues with the run\'s engine', async () => {
    const d = setup();
    const out = join(d, 'run');
    // relative paths, as a user types them: the trainer runs from a temporary job directory
    const { code, err } = await trainUntilFirstEpoch(['tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run', '--epochs', '40'], 'SIGINT', { cwd: d });
    expect(code, err).toBe(130);
    expect(err).toContain('continue with: npx hwy train --resume run');
    const stoppedAt = metrics(out).length;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect(stoppedAt).toBeLessThan(40);
    const r = hwy(['train', '--resume', 'run', '--epochs', String(stoppedAt + 1)], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('engine: torch on ');
    expect(r.stderr).toMatch(/resuming .* after epoch \d/);
    expect(metrics(out).map((m) => m.epoch)).toEqual(Array.from({ length: stoppedAt + 1 }, (_, i) => i + 1));
    const wrong = hwy(['train', '--resume', out, '--epochs', String(stoppedAt + 2), '--device', 'wasm']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--device wasm is not a device of the torch engine');
    // a resume that fails before it trains leaves run.json's history as it was
    const history = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).history;
    rmSync(join(out, 'model', 'torch.pt'));
    const broken = hwy(['train', '--resume', 'run', '--epochs', String(stoppedAt + 2)], { cwd: d });
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain('torch.pt');
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).history).toEqual(history);
  });

  it('SIGTERM ends the workers and leaves no temporary job directory behind', async () => {
    const d = setup();
    const tmp = mkdtempSync(join(d, 'tmp-'));
    const { code, err } = await trainUntilFirstEpoch(['tiny.hwy', '--engine', 'torch', '--device', 'cpu', '--out', 'run', '--epochs', '40'], 'SIGTERM', { cwd: d, env: { TMPDIR: tmp } });
    expect(code, err).toBe(143);
    expect(readdirSync(tmp).filter((n) => n.startsWith('hwy-torch-'))).toEqual([]);
  });

  it('HWY_PYTHON naming a Python without torch: one line saying how to install it, exit 2', () => {
    const d = setup();
    const bare = join(d, 'python-without-torch');
    writeFileSync(bare, `#!/bin/sh\nexec ${python!.path} -S "$@"\n`);
    chmodSync(bare, 0o755);
    const r = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--out', join(d, 'run')], { env: { HWY_PYTHON: bare } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^hwy: HWY_PYTHON=.* cannot run the torch engine: it has no (torch|numpy) module; install it with/);
    expect(r.stderr).not.toContain('Traceback');
  });

  it("a crash on the Python side shows Python's traceback, not Node's stack, and exits 70", () => {
    const d = setup();
    const py = join(d, 'python-whose-trainer-crashes');
    // the interpreter as found, except that the trainer dies as a bug would kill it
    writeFileSync(py, `#!/bin/sh\ncase "$1" in *hwy_train.py) exec ${python!.path} -c "raise RuntimeError('simulated crash')" ;; esac\nexec ${python!.path} "$@"\n`);
    chmodSync(py, 0o755);
    const r = hwy(['train', join(d, 'tiny.hwy'), '--engine', 'torch', '--device', 'cpu', '--out', join(d, 'run')], { env: { HWY_PYTHON: py } });
    expect(r.code).toBe(70);
    expect(r.stderr).toContain('hwy: the torch engine failed: Python exited with 1');
    expect(r.stderr).toContain('RuntimeError: simulated crash');
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });
});
