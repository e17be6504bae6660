import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressLine, type ProgressFields } from '../../src/cli/progress-line.js';
import { ROOT } from '../helpers.js';

const typical: ProgressFields = { epoch: 3, epochs: 10, step: 405, steps: 810, loss: '0.8761', acc: '0.746', sps: '9168', eta: '1m05s' };
// the widest values a long run shows
const wide: ProgressFields = { epoch: 100, epochs: 100, step: 59999, steps: 60000, loss: '12.3456', acc: '0.999', sps: '123456', eta: '123m05s' };

const barOf = (line: string) => /[█░]+/.exec(line)?.[0] ?? '';

/** The bar's redraws in what a terminal received: each starts at column 1 (ESC [ 1 G) or a new line; other escapes take no room. */
const redraws = (out: string, epochs: number) =>
  out
    .split(/\r|\n|\x1b\[\d*G/)
    .map((s) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, ''))
    .filter((s) => new RegExp(`^epoch \\d+/${epochs} [█░]`).test(s));

function tinyProject(epochs: number) {
  const d = mkdtempSync(join(tmpdir(), 'hwy-progress-'));
  writeFileSync(join(d, 'tiny.hwy'), `network tiny {\n  input 28x28x1\n  flatten\n  dense 16 relu\n  highway dense relu gate_bias=-1\n  dense 10 softmax\n}\ntrain {\n  lr 0.05\n  batch 10\n  epochs ${epochs}\n}\n`);
  return d;
}

/** Runs a shell command in a pseudo-terminal (util-linux script), returning what the terminal received. */
function inTerminal(cwd: string, command: string) {
  return spawnSync('script', ['-qfec', command, '/dev/null'], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
}
const HWY = `'${process.execPath}' '${join(ROOT, 'bin/hwy.js')}'`;

describe('the progress line fits the terminal', () => {
  it.each([40, 60, 80, 120])('%i columns: below the last column, epoch, bar and loss always shown', (cols) => {
    for (const f of [typical, wide, { ...typical, loss: 'NaN', acc: '-', sps: '-', eta: '?' }]) {
      const line = progressLine(f, cols);
      expect(line.length, line).toBeLessThan(cols);
      expect(line).toContain(`epoch ${f.epoch}/${f.epochs}`);
      expect(line).toContain(`loss ${f.loss}`);
      expect(barOf(line).length).toBeGreaterThanOrEqual(10);
    }
  });

  it('drops samples/s first, then the ETA, the accuracy, the step count', () => {
    const at = (cols: number) => progressLine(typical, cols);
    expect(at(120)).toMatch(/405\/810 \| loss 0\.8761 \| acc 0\.746 \| 9168 samples\/s \| ETA 1m05s$/);
    expect(at(80)).not.toContain('samples/s');
    expect(at(80)).toContain('ETA 1m05s');
    expect(at(60)).not.toContain('ETA');
    expect(at(60)).toContain('acc 0.746');
    expect(at(40)).not.toContain('acc');
    // a wider terminal never shows fewer fields, and with the same fields a bar at least as long (at most 40)
    let fields = 0;
    let bar = 0;
    for (let cols = 30; cols <= 200; cols++) {
      const line = at(cols);
      const n = line.split(' | ').length + (line.includes('405/810') ? 1 : 0);
      expect(n).toBeGreaterThanOrEqual(fields);
      if (n === fields) expect(barOf(line).length).toBeGreaterThanOrEqual(bar);
      expect(barOf(line).length).toBeLessThanOrEqual(40);
      fields = n;
      bar = barOf(line).length;
    }
    expect(bar).toBe(40);
  });

  it('the bar shows the fraction of the epoch done', () => {
    const line = progressLine({ ...typical, step: 270, steps: 810 }, 120);
    const b = barOf(line);
    expect(b.length).toBe(40);
    expect([...b].filter((c) => c === '█').length).toBe(Math.round(40 / 3));
    expect(barOf(progressLine({ ...typical, step: 0, steps: 0 }, 120))).toBe('░'.repeat(40));
  });

  it('too narrow for a bar: the bar goes, then the line is cut', () => {
    const l25 = progressLine(typical, 25);
    expect(l25.length).toBeLessThan(25);
    expect(l25).toMatch(/^epoch 3\/10 \| loss 0\.8761$/);
    for (const cols of [1, 2, 5, 10, 16]) expect(progressLine(wide, cols).length).toBeLessThanOrEqual(Math.max(1, cols - 1));
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('in a 60-column terminal, no redraw of the bar is wider than the terminal', () => {
    const d = tinyProject(1);
    const r = inTerminal(d, `stty cols 60 rows 20; ${HWY} train tiny.hwy --out run --device wasm`);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const draws = redraws(r.stdout, 1);
    expect(draws.length).toBeGreaterThan(1);
    for (const s of draws) expect(s.length, s).toBeLessThan(60);
    expect(r.stdout).toContain('run directory: run');
  });

  it.skipIf(!hasScript)('a terminal narrowed during training gets lines of its new width', () => {
    const d = tinyProject(4);
    // narrowed once the first epoch is written; the marker separates the redraws before from those after
    const r = inTerminal(d, `stty cols 100 rows 20; ${HWY} train tiny.hwy --out run --device wasm & i=0; until [ -s run/metrics.jsonl ] || [ $i -gt 1200 ]; do sleep 0.05; i=$((i+1)); done; stty cols 40; sleep 0.3; echo NARROWED; wait`);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const [before, after] = r.stdout.split('NARROWED');
    expect(Math.max(...redraws(before, 4).map((s) => s.length))).toBeGreaterThan(60);
    const narrow = redraws(after, 4);
    expect(narrow.length).toBeGreaterThan(1);
    for (const s of narrow) expect(s.length, s).toBeLessThan(40);
  });

});
