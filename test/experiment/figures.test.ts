// A sweep's figures: drawn from a real small sweep (tfjs), each as SVG, PNG, its data and
// its vega-lite spec; importances from the search when it has them, else the η² stand-in,
// labelled as such.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../../src/experiment/runner.js';
import { parallelCoordinates, spreadImportances, variedAxes, writeFigures } from '../../src/experiment/figures.js';
import type { TrialRecord } from '../../src/experiment/records.js';
import { writeResults } from '../../src/experiment/results.js';
import { loadBundledMnist } from '../../src/data/mnist-bundled.js';
import { permutation, subset, type Splits } from '../../src/data/dataset.js';
import { TINY_SPEC, tinyPlan } from './plans.js';

let data: Splits;
beforeAll(() => {
  const { trainval, test } = loadBundledMnist();
  const p = permutation(trainval.count, 5);
  data = { train: subset(trainval, p.subarray(0, 256), 'train'), validation: subset(trainval, p.subarray(256, 320), 'validation'), test: subset(test, [0, 1]), source: 'subset' };
});

const FIGURES = ['objective', 'parallel', 'curves', 'importances'];

describe('sweep figures', () => {
  it('draws the objective against each setting, parallel coordinates, the best curves with seed bands and the importances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwy-exp-fig-'));
    const spec = join(dir, 'tiny.hwy');
    writeFileSync(spec, TINY_SPEC);
    const plan = tinyPlan(spec, {
      trials: 3,
      space: [
        { name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 3e-1 } },
        { name: 'train.momentum', target: 'setting', dist: { type: 'uniform', low: 0.5, high: 0.95 } },
        { name: 'depth', target: 'constant', dist: { type: 'int', low: 1, high: 3, step: 1 } },
      ],
    });
    const out = join(dir, 'sweep');
    const r = await runSweep({ plan, out, preloaded: data, device: 'wasm' });
    for (const f of FIGURES) for (const ext of ['svg', 'png', 'json', 'vl.json']) expect(r.files, `${f}.${ext}`).toContain(`${f}.${ext}`);
    for (const f of r.files) expect(existsSync(join(out, f)), f).toBe(true);
    const png = readFileSync(join(out, 'curves.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // the curves: the best trial of each group, every seed's epochs
    const curves = JSON.parse(readFileSync(join(out, 'curves.json'), 'utf8')) as { group: string; seed: number }[];
    expect([...new Set(curves.map((c) => c.group))]).toEqual(['tiny-width4', 'tiny-width8']);
    expect(new Set(curves.map((c) => c.seed)).size).toBeGreaterThanOrEqual(2);
    const svg = readFileSync(join(out, 'objective.svg'), 'utf8');
    for (const name of ['train.lr', 'train.momentum', 'depth', 'width']) expect(svg).toContain(name);
    // without the search's importances: the η² stand-in, named as such
    const imp = JSON.parse(readFileSync(join(out, 'importances.json'), 'utf8'));
    expect(imp.source).toBe('eta-squared');
    // 6 trials over the 4 quartiles of lr and of momentum cannot judge them (1.5 trials a quartile); depth's 3 values and width's 2 can
    expect(Object.keys(imp.importances).sort()).toEqual(['depth', 'width']);
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toContain('Importances leave out train.lr (6 trials over 4 values or quartiles), train.momentum (6 trials over 4 values or quartiles): too few finished trials');
    for (const v of Object.values(imp.importances) as number[]) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    expect(readFileSync(join(out, 'importances.svg'), 'utf8')).toContain('not Optuna');
    // sweep.md says what the figure shows
    expect(readFileSync(join(out, 'sweep.md'), 'utf8')).toMatch(/Share of the objective's variance each setting explains alone \(η², not Optuna's importances: interactions ignored; \d+ finished trials\): /);
    // the search's own importances replace it, and say whose they are
    const files = await writeFigures(out, plan, r.records, { importances: { 'train.lr': 0.7, 'train.momentum': 0.2, depth: 0.1 } });
    expect(files).toContain('importances.png');
    expect(JSON.parse(readFileSync(join(out, 'importances.json'), 'utf8')).source).toBe('optuna');
    expect(readFileSync(join(out, 'importances.svg'), 'utf8')).toContain('Optuna');
    // fitted within each grid point: the grid's width is not among them, and the figure says so
    expect(readFileSync(join(out, 'importances.svg'), 'utf8')).toContain('width: the grid, not among them');
  }, 300_000);

  it('η² is the share of variance between the values of a setting: 1 when the setting decides the objective, 0 when it does not matter', () => {
    const plan = tinyPlan('/x.hwy', { grid: [], space: [{ name: 'train.optimizer', target: 'setting', dist: { type: 'choice', choices: ['sgd', 'adam'] } }, { name: 'batch', target: 'constant', dist: { type: 'choice', choices: [32, 64] } }] });
    const rec = (opt: string, batch: number, objective: number): TrialRecord => ({ name: `${opt}${batch}`, id: 0, point: { network: 'tiny', values: {} }, group: 'tiny', params: { 'train.optimizer': opt, batch }, status: 'done', objective, std: 0, runs: [], rule: { maxEpochs: 1, targetLoss: 0, patience: 0, minImprovement: 0 }, objectiveSpec: plan.objective, finishedAt: '' });
    const imp = spreadImportances(plan, [rec('sgd', 32, 1), rec('sgd', 64, 1), rec('adam', 32, 2), rec('adam', 64, 2)]);
    expect(imp['train.optimizer']).toBeCloseTo(1, 12);
    expect(imp.batch).toBeCloseTo(0, 12);
    expect(variedAxes(plan).map((a) => a.kind)).toEqual(['name', 'number']);
  });
  it('parallel coordinates write each axis end above or below its axis, where no line runs, and every value of a small int range or grid', () => {
    // the conv sweep's axes: an int gate bias from -4 to -1, a carry choice, a log learning rate, depth on a grid
    const plan = tinyPlan('/x.hwy', {
      grid: [{ name: 'depth', target: 'constant', values: [2, 4, 8] }],
      space: [
        { name: 'gate_bias', target: 'constant', dist: { type: 'int', low: -4, high: -1, step: 1 } },
        { name: 'carry', target: 'constant', dist: { type: 'choice', choices: ['coupled', 'free'] } },
        { name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
      ],
    });
    const rec = (depth: number, gate_bias: number, carry: string, lr: number, objective: number): TrialRecord => ({ name: `t${depth}${gate_bias}${carry}`, id: 0, point: { network: 'tiny', values: { depth } }, group: `tiny-depth${depth}`, params: { gate_bias, carry, 'train.lr': lr }, status: 'capped', objective, std: 0, runs: [], rule: { maxEpochs: 1, targetLoss: 0, patience: 0, minImprovement: 0 }, objectiveSpec: plan.objective, finishedAt: '' });
    // lines level with the ends: -1 to free and -4 to coupled, as the torch run drew them
    const spec = parallelCoordinates(plan, [rec(2, -1, 'free', 0.01, 2.2), rec(8, -4, 'coupled', 0.05, 1.7), rec(4, -2, 'coupled', 0.002, 2.3)]);
    type Layer = { data: { values: { axis: string; pos: number; label: string }[] }; mark: { type: string; baseline?: string; dy?: number; color?: string } };
    const labels = (spec.layer as Layer[]).filter((l) => l.mark.type === 'text' && l.mark.color !== 'white');
    const all = labels.flatMap((l) => l.data.values.map((v) => ({ ...v, mark: l.mark })));
    for (const v of all) {
      // the top end above the axis's top, the bottom end below its bottom: a line leaving an end level never strikes its label
      if (v.pos === 1) expect(v.mark.baseline, `${v.axis} ${v.label}`).toBe('bottom'), expect(v.mark.dy).toBeLessThan(0);
      if (v.pos === 0) expect(v.mark.baseline, `${v.axis} ${v.label}`).toBe('top'), expect(v.mark.dy).toBeGreaterThan(0);
    }
    const at = (axis: string) => all.filter((v) => v.axis === axis).sort((a, b) => a.pos - b.pos).map((v) => v.label);
    expect(at('gate_bias')).toEqual(['-4', '-3', '-2', '-1']);
    expect(at('depth')).toEqual(['2', '4', '8']);
    expect(at('carry')).toEqual(['coupled', 'free']);
    expect(at('train.lr')).toEqual(['0.001', '0.1']);
    // every label drawn over a white halo of itself
    const halos = (spec.layer as Layer[]).filter((l) => l.mark.type === 'text' && l.mark.color === 'white');
    expect(halos.flatMap((l) => l.data.values.map((v) => v.label)).sort()).toEqual(all.map((v) => v.label).sort());
  });

  it('leaves the importances out when each trial has a value of its own (η² 1 by construction), says why in sweep.md, and draws the figure no wider than its bars', async () => {
    const plan = tinyPlan('/x.hwy', { grid: [], space: [{ name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } }] });
    const rec = (lr: number, objective: number, i: number): TrialRecord => ({ name: `tiny-t${i}`, id: i, trial: i, point: { network: 'tiny', values: {} }, group: 'tiny', params: { 'train.lr': lr }, status: 'done', objective, std: 0, runs: [], rule: { maxEpochs: 1, targetLoss: 0, patience: 0, minImprovement: 0 }, objectiveSpec: plan.objective, finishedAt: '' });
    const four = [0.001, 0.003, 0.01, 0.03].map((lr, i) => rec(lr, 1 + i * 0.1, i + 1));
    expect(spreadImportances(plan, four)).toEqual({});
    const dir = mkdtempSync(join(tmpdir(), 'hwy-exp-imp-'));
    const few = join(dir, 'few');
    mkdirSync(few);
    const files = await writeFigures(few, plan, four, {});
    expect(files.filter((f) => f.startsWith('importances'))).toEqual([]);
    // the search's own importances of the same four trials say no more
    expect((await writeFigures(few, plan, four, { importances: { 'train.lr': 1 } })).filter((f) => f.startsWith('importances'))).toEqual([]);
    writeResults(few, plan, four, { total: 4, complete: true });
    expect(readFileSync(join(few, 'sweep.md'), 'utf8')).toContain('No importances figure: train.lr (4 trials over 4 values or quartiles); too few finished trials');
    // two trials a quartile: judged, drawn, and the PNG as wide as the chart, not its subtitle
    const eight = [0.001, 0.0015, 0.003, 0.004, 0.01, 0.012, 0.03, 0.05].map((lr, i) => rec(lr, 1 + i * 0.1, i + 1));
    const enough = join(dir, 'enough');
    mkdirSync(enough);
    expect(await writeFigures(enough, plan, eight)).toContain('importances.png');
    const png = readFileSync(join(enough, 'importances.png'));
    expect(png.readUInt32BE(16)).toBeLessThanOrEqual(1300);
    writeResults(enough, plan, eight, { total: 8, complete: true });
    expect(readFileSync(join(enough, 'sweep.md'), 'utf8')).not.toContain('importances');
  }, 60_000);
});
