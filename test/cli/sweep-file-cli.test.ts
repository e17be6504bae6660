// hwy sweep FILE.hwy: the flags, the overrides of a plan, what is refused (with what to write
// instead), and the command run on a hand-written plan (the language side makes plans from
// sweep sections; runSweepCommand is what the command does with one).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hwy } from '../helpers.js';
import { planWithOverrides, runSweepCommand, type SweepFileOptions } from '../../src/cli/commands/sweep-file.js';
import { UsageError } from '../../src/cli/errors.js';
import { figure1Plan, TINY_SPEC, tinyPlan } from '../experiment/plans.js';

const base: SweepFileOptions = { format: 'text', progress: false };

describe('hwy sweep FILE flags', () => {
  it('--help says what a sweep file does, which flags override it, and gives examples', () => {
    const r = hwy(['sweep', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['[file]', '--sampler', '--storage', 'sweep.md', 'trials.csv', '--depths, --low, --set and --data are refused with a file', 'npx hwy sweep specs/paper/figure1.hwy', "Without a file, the paper's protocol", 'Several processes, on any machines, run one sweep', '--storage postgresql://hwy:PASSWORD@db-host/hwy   # on each machine']) expect(r.stdout).toContain(s);
    // --out's own line gives both defaults, and no single one that is wrong with a file
    const outHelp = r.stdout.slice(r.stdout.indexOf('--out <dir>'), r.stdout.indexOf('--seed <n>')).replace(/\s+/g, ' ');
    expect(outHelp).toContain('default runs/SWEEP_NAME with a file, runs/sweep without');
    expect(outHelp).not.toContain('(default: "runs/sweep")');
  });
  it.each([
    [['--depths', '10,20'], '--depths: with a sweep file the depths are the sweep\'s grid'],
    [['--set', 'train.batch=64'], "--set: with a sweep file, write the setting in a network's spec"],
    [['--data', 'mnist_full'], '--data: with a sweep file each network trains on the data'],
    [['--sampler', 'bayes'], "--sampler must be one of random, grid, tpe, not 'bayes'"],
  ])('%j with a file is refused with one line and exit status 2, nothing written', (flags, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-flags-'));
    const file = join(dir, 's.hwy');
    writeFileSync(file, TINY_SPEC);
    const r = hwy(['sweep', file, '--out', join(dir, 'out'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
  it('--sampler and --storage without a file are refused: the paper sweep runs its own search', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweepfile-nofile-')), 'sweep');
    const r = hwy(['sweep', '--depths', '2', '--epochs', '1', '--out', out, '--storage', 'sqlite:///x.db']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--storage is for sweep files (hwy sweep FILE.hwy --storage …)');
    expect(existsSync(out)).toBe(false);
  });
  it('a file that cannot be read is named, exit status 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-missing-'));
    const r = hwy(['sweep', join(dir, 'nothing.hwy'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read '${join(dir, 'nothing.hwy')}'`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the paper sweep flags as overrides of a plan', () => {
  it('--trials, --epochs, --target-loss, --patience, --min-improvement, --sampler replace the plan\'s; --seed seeds the draws and the runs as it did', () => {
    const p = planWithOverrides(figure1Plan(), { ...base, trials: 3, epochs: 7, targetLoss: 1e-3, patience: 2, minImprovement: 0.05, seed: 4, sampler: 'grid' });
    expect(p).toMatchObject({ trials: 3, seed: 4, seeds: [4], sampler: 'grid', stop: { maxEpochs: 7, targetLoss: 1e-3, patience: 2, minImprovement: 0.05 } });
    // the plan given is not changed
    expect(figure1Plan().stop.maxEpochs).toBe(300);
    expect(planWithOverrides(figure1Plan(), base)).toEqual(figure1Plan());
    expect(() => planWithOverrides(figure1Plan({ seeds: [1, 2] }), { ...base, seed: 3 })).toThrow(/--seed 3: this sweep trains each trial with 2 seeds \(1, 2\); write the seeds/);
  });
});

describe('runSweepCommand', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses by name what needs Optuna, before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-optuna-'));
    const plan = tinyPlan(join(dir, 'tiny.hwy'));
    const out = join(dir, 'out');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // a Python without Optuna: refused by name, never replaced by random search
    const had = process.env.HWY_PYTHON;
    process.env.HWY_PYTHON = join(dir, 'no-such-python');
    try {
      await expect(runSweepCommand({ ...plan, sampler: 'tpe' }, { ...base, out })).rejects.toThrow(/^the tpe sampler needs Optuna: apt-get install python3-optuna, or pip install optuna \(HWY_PYTHON=.*no-such-python/);
      await expect(runSweepCommand({ ...plan, pruner: 'median' }, { ...base, out })).rejects.toThrow(/^the median pruner needs Optuna/);
      await expect(runSweepCommand(plan, { ...base, out, storage: 'postgresql://x@h/db' })).rejects.toThrow(/^a shared study storage needs Optuna/);
    } finally {
      if (had === undefined) delete process.env.HWY_PYTHON;
      else process.env.HWY_PYTHON = had;
    }
    await expect(runSweepCommand({ ...plan, sampler: 'grid' }, { ...base, out })).rejects.toThrow(/^the grid sampler needs a finite set of values: 'train.lr' is loguniform/);
    await expect(runSweepCommand(plan, { ...base, out, jobs: 2 })).rejects.toThrow(/--jobs 2: the tfjs engine trains in this process/);
    expect(existsSync(join(out, 'trials'))).toBe(false);
  });

  it('--format json prints the summary, every trial and the files; text prints sweep.md', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-run-'));
    const spec = join(dir, 'tiny.hwy');
    writeFileSync(spec, TINY_SPEC);
    const plan = tinyPlan(spec, { grid: [], trials: 1, seeds: [1], stop: { maxEpochs: 1 } });
    const out = join(dir, 'out');
    const stdout: string[] = [];
    const stderr: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    await runSweepCommand(plan, { ...base, out, device: 'wasm', format: 'json' });
    const j = JSON.parse(stdout.join(''));
    expect(j).toMatchObject({ out, complete: true, finished: 1, total: 1, sweep: 'tiny' });
    expect(j.trials).toHaveLength(1);
    expect(j.files).toContain(join(out, 'sweep.md'));
    expect(j.files).toContain(join(out, 'curves.png'));
    expect(stderr.join('')).toMatch(/^sweep tiny: at most 1 trials/);
    expect(stderr.join('')).toContain('[1/1 trials');
    stdout.length = 0;
    await runSweepCommand(plan, { ...base, out, device: 'wasm' });
    expect(stdout.join('')).toContain(readFileSync(join(out, 'sweep.md'), 'utf8'));
    expect(stdout.join('')).toContain(`written: ${join(out, 'plan.json')}`);
  }, 120_000);
});

describe('hwy sweep FILE.hwy, from the spec to the figures', () => {
  const SPEC = `let depth = 2
let act = relu
network small {
  input 28x28x1
  flatten
  dense 12 act
  repeat depth {
    highway dense act gate_bias=-2
  }
  dense 10 softmax
}
train {
  lr 0.05
  batch 300
  epochs 1
}
sweep tiny {
  grid depth [1, 3]
  search train.lr loguniform 0.01 0.2
  search act choice [relu, tanh]
  trials 2
  objective val_loss min final
  stop epochs=1
}
`;

  it('compiles the sweep section and trains every trial of every grid point (tfjs, in-process random search)', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-e2e-'));
    writeFileSync(join(d, 's.hwy'), SPEC);
    const r = hwy(['sweep', 's.hwy', '--out', 'out', '--format', 'json'], { cwd: d });
    expect(r.code, r.stderr).toBe(0);
    // one epoch, not "1 epochs"
    expect(r.stderr).toContain('a run stops at the cap of 1 epoch or when it has converged');
    const j = JSON.parse(r.stdout) as { trials: { point: { values: Record<string, number> }; params: Record<string, unknown>; status: string }[] };
    expect(j.trials.map((t) => t.point.values.depth).sort()).toEqual([1, 1, 3, 3]);
    for (const t of j.trials) {
      expect(['relu', 'tanh']).toContain(t.params.act);
      expect(t.params['train.lr']).toBeGreaterThanOrEqual(0.01);
      expect(t.status).toBe('capped');
    }
    for (const f of ['sweep.md', 'sweep.json', 'trials.csv', 'objective.png', 'parallel.png', 'curves.png', 'importances.png']) expect(existsSync(join(d, 'out', f)), f).toBe(true);
  }, 300_000);

  it("a run directory, a directory of someone's files, or the other kind of sweep's directory is refused as --out, exit 2, nothing written", () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-notsweep-'));
    writeFileSync(join(d, 's.hwy'), SPEC);
    const dirs: Record<string, string[]> = { run: ['run.json', 'metrics.jsonl'], project: ['notes.txt'], 'file-sweep': ['plan.json'], 'paper-sweep': ['sweep.json'] };
    for (const [name, files] of Object.entries(dirs)) {
      mkdirSync(join(d, name));
      for (const f of files) writeFileSync(join(d, name, f), '{}\n');
    }
    const cases: [string[], string][] = [
      [['s.hwy', '--out', 'run'], "'run' is a hwy run directory (hwy train's), not a sweep directory: hwy sweep does not write into it; choose a new or empty --out"],
      [['s.hwy', '--out', 'project'], "'project' already exists, is not empty and is not a hwy sweep directory (1 entry, no plan.json): hwy does not write into it; choose a new or empty --out"],
      [['s.hwy', '--out', 'project/new/..'], "'project/new/..' already exists, is not empty and is not a hwy sweep directory"],
      [['s.hwy', '--out', 'paper-sweep'], "'paper-sweep' holds the paper's sweep (hwy sweep without a file; no plan.json)"],
      [['--depths', '2', '--epochs', '1', '--out', 'run'], "'run' is a hwy run directory (hwy train's), not a sweep directory"],
      [['--depths', '2', '--epochs', '1', '--out', 'project'], "'project' already exists, is not empty and is not a hwy sweep directory (1 entry, no sweep.json or trials/)"],
      [['--depths', '2', '--epochs', '1', '--out', 'file-sweep'], "'file-sweep' holds a sweep file's sweep (plan.json)"],
    ];
    for (const [args, message] of cases) {
      const r = hwy(['sweep', ...args], { cwd: d });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`hwy: ${message}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    for (const [name, files] of Object.entries(dirs)) expect(readdirSync(join(d, name)).sort(), name).toEqual([...files].sort());
  });

  it('names files in its diagnostics as hwy check does: as given, networks relative to the working directory', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-paths-'));
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'bad.hwy'), 'network n {\n  input 28x28x1\n  dense 10\n}\n');
    writeFileSync(join(d, 'sub', 'two.hwy'), 'sweep s {\n  networks a="nothere.hwy" b="bad.hwy"\n  grid depth [1]\n}\n');
    const sweep = hwy(['sweep', join('sub', 'two.hwy'), '--out', 'out'], { cwd: d });
    const check = hwy(['check', join('sub', 'two.hwy')], { cwd: d });
    expect(sweep.code).toBe(1);
    expect(sweep.stderr).not.toContain(d);
    expect(sweep.stderr).toContain('sub/two.hwy:2:12: error HWY6005');
    expect(sweep.stderr).toContain('(sub/bad.hwy:3:3)');
    // the diagnostics are check's, word for word; only the verdict lines differ
    const body = (s: string) => s.split('\n').filter((l) => !/^(hwy: |sub\/two\.hwy: failed)/.test(l)).join('\n');
    expect(body(sweep.stderr)).toBe(body(check.stderr));
    const missing = hwy(['sweep', 'nonexist.hwy'], { cwd: d });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("hwy: cannot read 'nonexist.hwy': no such file or directory");
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('a sweep whose grid point no longer checks is refused before anything trains, naming the point', () => {
    const d = mkdtempSync(join(tmpdir(), 'hwy-sweepfile-e2e-'));
    writeFileSync(join(d, 's.hwy'), SPEC.replace('grid depth [1, 3]', 'grid depth [1, -3]'));
    const r = hwy(['sweep', 's.hwy', '--out', 'out'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/depth=-3/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});
