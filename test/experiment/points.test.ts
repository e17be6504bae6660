// Grid points, trial draws and run assignments from a plan; the in-process random search
// draws figure 1's trials exactly as the paper sweep did, and the grid search enumerates.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleTrial, trialSeed } from '../../src/analysis/sweep.js';
import { applicableParams, gridPoints, plannedRuns, pointKey, pointName, runAssignments, trialDrawSeed } from '../../src/experiment/points.js';
import { drawParam, randomSearch } from '../../src/experiment/random.js';
import { gridSearch, GridSearchError, gridTrials } from '../../src/experiment/grid.js';
import type { GridPoint } from '../../src/ir/experiment.js';
import { ROOT } from '../helpers.js';
import { figure1Plan } from './plans.js';

// the paper's plain network has no gate bias
const has = (network: string, name: string) => !(network === 'plain' && name === 'gate_bias');

describe('grid points', () => {
  it('every network at every depth, depth outermost as the paper sweep trained them', () => {
    const points = gridPoints(figure1Plan(), has);
    expect(points.map((p) => `${p.network}-${p.values.depth}`)).toEqual(['plain-10', 'highway-10', 'plain-20', 'highway-20', 'plain-50', 'highway-50', 'plain-100', 'highway-100']);
    expect(plannedRuns(figure1Plan(), has)).toEqual({ points: 8, trials: 80, runs: 80 });
    expect(pointName(figure1Plan(), points[1])).toBe('highway-depth10');
    expect(pointKey(figure1Plan(), points[1])).toBe('10');
  });
  it('two axes: the first outermost; a constant axis a network lacks does not multiply its points', () => {
    const plan = figure1Plan({ grid: [{ name: 'depth', target: 'constant', values: [10, 20] }, { name: 'gate_bias', target: 'constant', values: [-1, -3] }, { name: 'train.optimizer', target: 'setting', values: ['sgd', 'adam'] }] });
    const points = gridPoints(plan, has);
    const names = points.map((p) => pointName(plan, p));
    expect(names.filter((n) => n.startsWith('plain'))).toEqual(['plain-depth10-optimizersgd', 'plain-depth10-optimizeradam', 'plain-depth20-optimizersgd', 'plain-depth20-optimizeradam']);
    expect(names.filter((n) => n.startsWith('highway')).length).toBe(8);
    expect(names[1]).toBe('highway-depth10-gate_bias-1-optimizersgd');
    expect(pointKey(plan, points[1])).toBe('depth=10,gate_bias=-1,train.optimizer=sgd');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('the in-process random search', () => {
  it("draws figure 1's trials as the paper sweep's sampleTrial(trialSeed(…)) did, and trains trial t with seed t", async () => {
    const plan = figure1Plan();
    const search = randomSearch(plan);
    let n = 0;
    for (const point of gridPoints(plan, has)) {
      const kind = point.network as 'plain' | 'highway';
      const depth = point.values.depth as number;
      for (let t = 1; t <= 10; t++) {
        expect(trialDrawSeed(plan.seed, kind, pointKey(plan, point), t)).toBe(trialSeed(1, kind, depth, t));
        const ticket = (await search.ask(point))!;
        expect(ticket).toMatchObject({ id: n++, trial: t });
        const p = applicableParams(plan, kind, ticket.params, has);
        const paper = sampleTrial(trialSeed(1, kind, depth, t), kind);
        expect({ lr: p['train.lr'], momentum: p['train.momentum'], gamma: p['train.lr.gamma'], activation: p.activation, ...(kind === 'highway' ? { gateBias: p.gate_bias } : {}) }).toEqual(paper);
        if (kind === 'plain') expect(p).not.toHaveProperty('gate_bias');
        const runs = runAssignments(plan, point, ticket.params, ticket.trial, has);
        expect(runs.map((r) => r.seed)).toEqual([t]);
        expect(runs[0].constants).toEqual({ depth, activation: paper.activation, ...(kind === 'highway' ? { gate_bias: paper.gateBias } : {}) });
        // the settings as `--set` takes them: the text reads back as the same number
        expect(runs[0].settings.map((s) => [s.path, Number(s.value)])).toEqual([
          ['train.lr', paper.lr],
          ['train.momentum', paper.momentum],
          ['train.lr.gamma', paper.gamma],
        ]);
      }
      expect(await search.ask(point)).toBeNull();
    }
  });
  it('draws the settings of the committed figure 1 table (docs/sweep/sweep.json)', async () => {
    const saved = JSON.parse(readFileSync(join(ROOT, 'docs', 'sweep', 'sweep.json'), 'utf8')) as { rows: { kind: string; depth: number; trial: number; settings: Record<string, unknown> }[] };
    const plan = figure1Plan();
    const search = randomSearch(plan);
    const drawn = new Map<string, Record<string, unknown>>();
    for (let t = 1; t <= 10; t++)
      for (const point of gridPoints(plan, has)) {
        const ticket = (await search.ask(point))!;
        const p = applicableParams(plan, point.network, ticket.params, has);
        drawn.set(`${point.network}-${point.values.depth}-${ticket.trial}`, { lr: p['train.lr'], momentum: p['train.momentum'], gamma: p['train.lr.gamma'], activation: p.activation, ...(p.gate_bias !== undefined ? { gateBias: p.gate_bias } : {}) });
      }
    expect(saved.rows.length).toBe(80);
    for (const r of saved.rows) expect(drawn.get(`${r.kind}-${r.depth}-${r.trial}`), `${r.kind}-${r.depth} trial ${r.trial}`).toEqual(r.settings);
  });
  it("a parameter listed for some networks only is neither drawn nor given elsewhere (the language side's `networks`)", async () => {
    const base = figure1Plan();
    // gate_bias listed for highway: the same draws as the paper's, with no spec read
    const listed = figure1Plan({ space: base.space.map((p) => (p.name === 'gate_bias' ? { ...p, networks: ['highway'] } : p)) });
    const plain = { network: 'plain', values: { depth: 10 } };
    const highway = { network: 'highway', values: { depth: 10 } };
    const p = (await randomSearch(listed).ask(plain))!.params;
    expect(p).not.toHaveProperty('gate_bias');
    expect(p.activation).toBe(sampleTrial(trialSeed(1, 'plain', 10, 1), 'plain').activation);
    expect(runAssignments(listed, plain, p, 1)[0].constants).toEqual({ depth: 10, activation: p.activation });
    const h = (await randomSearch(listed).ask(highway))!.params;
    expect(h.gate_bias).toBe(sampleTrial(trialSeed(1, 'highway', 10, 1), 'highway').gateBias);
    // listed first for plain only: the highway network's draws start with the rate, not after it
    const first = figure1Plan({ space: [{ name: 'width', target: 'constant', dist: { type: 'int', low: 10, high: 90, step: 10 }, networks: ['plain'] } as (typeof base.space)[number], ...base.space.slice(0, 4)] });
    const hf = (await randomSearch(first).ask(highway))!.params;
    expect(hf).not.toHaveProperty('width');
    expect(hf['train.lr']).toBe(sampleTrial(trialSeed(1, 'highway', 10, 1), 'highway').lr);
    // a grid axis listed for highway does not multiply the plain network's points
    const grid = figure1Plan({ grid: [...base.grid, { name: 'gate_bias', target: 'constant', values: [-1, -3], networks: ['highway'] } as (typeof base.grid)[number]] });
    expect(gridPoints(grid).filter((x) => x.network === 'plain').length).toBe(4);
    expect(gridPoints(grid).filter((x) => x.network === 'highway').length).toBe(8);
  });
  it('each distribution stays in its range and reaches its ends', () => {
    expect(drawParam({ type: 'uniform', low: 0.8, high: 1 }, 0.5)).toBe(0.9);
    expect(drawParam({ type: 'loguniform', low: 1e-3, high: 1e-1 }, 0.5)).toBeCloseTo(1e-2, 15);
    expect(drawParam({ type: 'int', low: 2, high: 10, step: 4 }, 0)).toBe(2);
    expect(drawParam({ type: 'int', low: 2, high: 10, step: 4 }, 0.999999)).toBe(10);
    expect(drawParam({ type: 'int', low: 2, high: 10, step: 4 }, 0.5)).toBe(6);
    expect(drawParam({ type: 'choice', choices: ['a', 'b', 'c'] }, 0.999999)).toBe('c');
  });
  it('a grid sampler runs the trials with the seeds as written; the random sampler offsets them by trial', () => {
    const point: GridPoint = { network: 'highway', values: { depth: 10 } };
    expect(runAssignments(figure1Plan({ seeds: [1, 2, 3] }), point, {}, 3, has).map((r) => r.seed)).toEqual([3, 4, 5]);
    expect(runAssignments(figure1Plan({ seeds: [1, 2, 3], sampler: 'grid' }), point, {}, 3, has).map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(runAssignments(figure1Plan({ seeds: [7] }), point, {}, undefined, has).map((r) => r.seed)).toEqual([7]);
  });
});

describe('the in-process grid search', () => {
  it('every combination of choices and whole-number ranges, the first parameter outermost, one a trial', async () => {
    const plan = figure1Plan({
      sampler: 'grid',
      trials: 100,
      space: [
        { name: 'activation', target: 'constant', dist: { type: 'choice', choices: ['relu', 'tanh'] } },
        { name: 'width', target: 'constant', dist: { type: 'int', low: 10, high: 30, step: 10 } },
      ],
    });
    expect(gridTrials(plan)).toEqual({ combinations: 6, trials: 6 });
    const search = gridSearch(plan);
    const point = gridPoints(plan, has)[0];
    const got = [];
    for (let t; (t = await search.ask(point)); ) got.push(t.params);
    expect(got).toEqual([
      { activation: 'relu', width: 10 },
      { activation: 'relu', width: 20 },
      { activation: 'relu', width: 30 },
      { activation: 'tanh', width: 10 },
      { activation: 'tanh', width: 20 },
      { activation: 'tanh', width: 30 },
    ]);
    expect(gridTrials({ ...plan, trials: 2 })).toEqual({ combinations: 6, trials: 2 });
  });
  it('refuses a continuous distribution by name', () => {
    expect(() => gridSearch(figure1Plan({ sampler: 'grid' }))).toThrow(GridSearchError);
    expect(() => gridSearch(figure1Plan({ sampler: 'grid' }))).toThrow(/grid sampler needs a finite set of values: 'train.lr' is loguniform from 0.001 to 0.1/);
  });
});
