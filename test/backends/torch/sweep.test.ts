// hwy sweep with the torch engine: every run of the sweep trains on PyTorch, and the
// sweep's summary reads the runs as it reads tfjs runs.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonOrReason } from './cases.js';
import { sweep } from '../../../src/analysis/sweep.js';
import { loadBundledMnist } from '../../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../../src/data/dataset.js';
import { findCheckpoint, readMetrics, readState } from '../../../src/run/run-dir.js';
import { hwy, ROOT } from '../../helpers.js';

const { python, reason } = pythonOrReason();
const TITLE = python ? `hwy sweep --engine torch (${python.path}, torch ${python.torch})` : `hwy sweep --engine torch: SKIPPED, ${reason}`;

describe.skipIf(!python)(TITLE, () => {
  it('trains every network with the torch engine and summarises them', async () => {
    const { trainval, test } = loadBundledMnist();
    const p = permutation(trainval.count, 5);
    const data: Splits = { train: subset(trainval, p.subarray(0, 400), 'train'), validation: subset(trainval, p.subarray(400, 500), 'validation'), test: subset(test, Array.from({ length: 50 }, (_, i) => i)), source: 'subset' };
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweep-torch-')), 'sweep');
    const r = await sweep({ depths: [3], kinds: ['plain', 'highway'], epochs: 1, trials: 1, out, preloaded: data, engine: 'torch', device: 'cpu' });
    expect(r.best.map((b) => b.network)).toEqual(['plain-3', 'highway-3']);
    for (const b of r.best) {
      expect(Number.isFinite(b.finalLoss), b.network).toBe(true);
      const record = JSON.parse(readFileSync(join(b.runDir, 'run.json'), 'utf8'));
      expect(record).toMatchObject({ engine: 'torch', device: 'cpu' });
      expect(existsSync(join(b.runDir, 'model', 'torch.pt'))).toBe(true);
    }
    expect(existsSync(join(out, 'sweep.md'))).toBe(true);
  });

  it('--jobs 2 trains two trials at once, and a converged trial stops at the end of its epoch, checkpointed', async () => {
    const { trainval, test } = loadBundledMnist();
    const p = permutation(trainval.count, 7);
    const data: Splits = { train: subset(trainval, p.subarray(0, 400), 'train'), validation: subset(trainval, p.subarray(400, 450), 'validation'), test: subset(test, [0, 1, 2]), source: 'subset' };
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweep-jobs-')), 'sweep');
    const events: { at: number; line: string }[] = [];
    // a 50% fall every epoch is more than these nets keep up: each stops on a plateau well before the cap
    const r = await sweep({ depths: [2], kinds: ['plain', 'highway'], epochs: 40, trials: 1, jobs: 2, out, preloaded: data, engine: 'torch', device: 'cpu', stop: { patience: 1, minImprovement: 0.5 }, log: (line) => events.push({ at: Date.now(), line }) });
    const at = (re: RegExp) => events.find((e) => re.test(e.line))!.at;
    const ends = [at(/^  plain depth 2: /), at(/^  highway depth 2: /)];
    // the second trial started before the first one ended
    expect(Math.max(at(/^run 1\/2/), at(/^run 2\/2/))).toBeLessThan(Math.min(...ends));
    for (const row of r.rows) {
      expect(row.stopped, row.network).toBe('plateau');
      expect(row.epochs).toBeLessThan(40);
      const state = readState(findCheckpoint(row.runDir)!);
      // stopped between epochs, not some steps into the next one
      expect([state.epoch, state.step]).toEqual([row.epochs, 0]);
      expect(readMetrics(row.runDir).length).toBe(row.epochs);
    }
  });

  it('hwy sweep killed mid-sweep and started again does not redo its finished trials', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hwy-sweep-kill-')), 'sweep');
    const args = ['sweep', '--engine', 'torch', '--device', 'cpu', '--depths', '2', '--trials', '3', '--epochs', '6', '--patience', '0', '--jobs', '2', '--out', out];
    const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), ...args], { cwd: ROOT });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    const records = () => (existsSync(join(out, 'trials')) ? readdirSync(join(out, 'trials')) : []);
    const code = await new Promise<number | null>((resolve) => {
      const poll = setInterval(() => {
        if (records().length >= 1 && !child.killed) child.kill('SIGTERM');
      }, 100);
      child.on('exit', (c) => {
        clearInterval(poll);
        resolve(c);
      });
    });
    expect(code, err).toBe(143);
    const finished = records().map((f) => f.replace(/\.json$/, ''));
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(6);
    const mtimes = finished.map((n) => statSync(join(out, n, 'metrics.jsonl')).mtimeMs);
    const again = hwy(args);
    expect(again.code, again.stderr).toBe(0);
    for (const n of finished) {
      const [, kind, depth, trial] = /^(plain|highway)-(\d+)-t(\d+)$/.exec(n)!;
      expect(again.stderr).toMatch(new RegExp(`run \\d+/6: ${kind} depth ${depth} trial ${trial} \\(done before\\)`));
    }
    expect(finished.map((n) => statSync(join(out, n, 'metrics.jsonl')).mtimeMs)).toEqual(mtimes);
    expect(records()).toHaveLength(6);
    const saved = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(saved).toMatchObject({ complete: true, finished: 6, total: 6 });
    for (const row of saved.rows) expect(row.epochs, row.network).toBe(6);
    expect(again.stdout).toContain('## Claims');
  }, 300_000);
});
