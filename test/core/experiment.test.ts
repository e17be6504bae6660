import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileExperiment, gridPoints, resolveBeside, type ExperimentOverrides } from '../../src/core/experiment.js';
import { compile, parseSpec } from '../../src/core/compile.js';
import { renderDiagnostic } from '../../src/diagnostics/render.js';
import { golden, ROOT } from '../helpers.js';
import { rng } from '../../src/data/dataset.js';
import { sampleTrial, trialSeed } from '../../src/analysis/sweep.js';
import type { ExperimentPlan, ParamValue } from '../../src/ir/experiment.js';

/** The in-process random search's draw rule (the brief all runners follow): one r a parameter, in the plan's order, for the parameters that apply. */
function draw(plan: ExperimentPlan, label: string, seed: number): Record<string, ParamValue> {
  const r = rng(seed);
  const out: Record<string, ParamValue> = {};
  for (const p of plan.space) {
    if (p.networks && !p.networks.includes(label)) continue;
    const x = r();
    const d = p.dist;
    out[p.name] =
      d.type === 'uniform' ? d.low + (d.high - d.low) * x : d.type === 'loguniform' ? 10 ** (Math.log10(d.low) + (Math.log10(d.high) - Math.log10(d.low)) * x) : d.type === 'choice' ? d.choices[Math.floor(x * d.choices.length)] : d.low + d.step * Math.floor(x * ((d.high - d.low) / d.step + 1));
  }
  return out;
}

/** Sweeps beside the paper's two MLPs, read from the repository (any other file reads as missing). */
const DIR = '/sweeps';
const FILES: Record<string, string> = {
  [`${DIR}/mlp-plain.hwy`]: readFileSync(join(ROOT, 'specs/paper/mlp-plain.hwy'), 'utf8'),
  [`${DIR}/mlp-highway.hwy`]: readFileSync(join(ROOT, 'specs/paper/mlp-highway.hwy'), 'utf8'),
};
const readFile = (p: string) => (Object.hasOwn(FILES, p) ? FILES[p] : null);
const NETS = 'networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"';
const sweep = (lines: string[], o?: ExperimentOverrides) => compileExperiment(`sweep s {\n${lines.map((l) => `  ${l}\n`).join('')}}\n`, `${DIR}/s.hwy`, { readFile, overrides: o });
const errorsOf = (r: ReturnType<typeof sweep>) => r.diagnostics.filter((d) => d.severity === 'error');
const rendered = (r: ReturnType<typeof sweep>, text: string) =>
  errorsOf(r)
    .map((d) => renderDiagnostic(d, d.span.file === `${DIR}/s.hwy` ? text : (readFile(d.span.file) ?? '')))
    .join('\n\n') + '\n';

describe('compileExperiment: specs/paper/figure1.hwy', () => {
  const file = join(ROOT, 'specs/paper/figure1.hwy');
  const r = compileExperiment(readFileSync(file, 'utf8'), file, { readFile: (p) => readFileSync(p, 'utf8') });
  it('checks, and its plan says the paper sweep: two labelled networks, four depths, the space in the order the paper draws it', () => {
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const plan = r.plan!;
    expect(plan.networks).toEqual([
      { label: 'plain', specFile: join(ROOT, 'specs/paper/mlp-plain.hwy'), network: 'mlp_plain' },
      { label: 'highway', specFile: join(ROOT, 'specs/paper/mlp-highway.hwy'), network: 'mlp_highway' },
    ]);
    expect(plan.grid).toEqual([{ name: 'depth', target: 'constant', values: [10, 20, 50, 100] }]);
    expect(plan.space).toEqual([
      { name: 'train.lr', target: 'setting', dist: { type: 'loguniform', low: 1e-3, high: 1e-1 } },
      { name: 'train.momentum', target: 'setting', dist: { type: 'uniform', low: 0.5, high: 0.99 } },
      { name: 'train.lr.gamma', target: 'setting', dist: { type: 'uniform', low: 0.8, high: 1 } },
      { name: 'activation', target: 'constant', dist: { type: 'choice', choices: ['relu', 'tanh'] } },
      { name: 'gate_bias', target: 'constant', dist: { type: 'choice', choices: [-1, -2, -3, -4, -5, -6, -7, -8, -9, -10] }, networks: ['highway'] },
    ]);
    expect([plan.trials, plan.seeds, plan.sampler, plan.seed, plan.pruner]).toEqual([10, [1], 'random', 1, 'none']);
    expect(plan.objective).toEqual({ metric: 'loss', direction: 'minimize', reduce: 'final' });
    expect(plan.stop).toEqual({ maxEpochs: 300, targetLoss: 1e-4, patience: 5, minImprovement: 0.01 });
    expect(r.budget).toEqual({ points: 8, trials: 80, runs: 80, epochs: 24_000 });
    // the space, drawn in its order, gives the paper sweep's trials (up to the last bit of 10^x)
    for (const kind of ['plain', 'highway'] as const) {
      for (const trial of [1, 2, 7]) {
        const seed = trialSeed(plan.seed, kind, 50, trial);
        const t = sampleTrial(seed, kind);
        const d = draw(plan, kind, seed);
        expect(d['train.lr'] as number).toBeCloseTo(t.lr, 15);
        expect([d['train.momentum'], d['train.lr.gamma'], d.activation, d.gate_bias]).toEqual([t.momentum, t.gamma, t.activation, t.gateBias]);
      }
    }
    expect(gridPoints(plan).map((p) => `${p.network}-${p.values.depth}`)).toEqual(['plain-10', 'plain-20', 'plain-50', 'plain-100', 'highway-10', 'highway-20', 'highway-50', 'highway-100']);
  });
});

/** Each check, rendered as `hwy check` shows it (test/golden/sweeps). */
const CASES: { name: string; lines: string[]; code: string; message: RegExp }[] = [
  { name: 'unknown-constant', lines: [NETS, 'grid dpth [10, 20]'], code: 'HWY6002', message: /no network of the sweep defines a constant 'dpth'/ },
  { name: 'setting-without-section', lines: [NETS, 'search lr loguniform 1e-3 1e-1', 'trials 2'], code: 'HWY6002', message: /constant 'lr'/ },
  { name: 'unknown-setting', lines: [NETS, 'search train.lrr loguniform 1e-3 1e-1', 'trials 2'], code: 'HWY6002', message: /no training setting 'train.lrr'/ },
  { name: 'empty-range', lines: [NETS, 'search train.momentum uniform 0.5 0.5', 'trials 2'], code: 'HWY6003', message: /is empty/ },
  { name: 'inverted-range', lines: [NETS, 'search train.lr loguniform 1e-1 1e-3', 'trials 2'], code: 'HWY6003', message: /inverted/ },
  { name: 'fraction-for-whole-setting', lines: [NETS, 'search train.batch uniform 16 256', 'trials 2'], code: 'HWY6003', message: /takes whole numbers/ },
  { name: 'fraction-for-whole-constant', lines: [NETS, 'search depth uniform 10 20', 'trials 2'], code: 'HWY6003', message: /'depth' takes whole numbers in network 'plain'/ },
  { name: 'grid-point-fails', lines: [NETS, 'grid depth [10, 1000000]'], code: 'HWY6004', message: /^at depth=1000000, networks 'plain' and 'highway' do not check/ },
  { name: 'range-end-fails', lines: [NETS, 'grid depth [10, 20]', 'search train.momentum uniform 0.5 1.5', 'trials 2'], code: 'HWY6004', message: /^at depth=10, train.momentum=1.5, networks 'plain' and 'highway' do not check: 'momentum' must be below 1/ },
  { name: 'choice-fails', lines: [NETS, 'search activation choice [relu, tahn]', 'trials 2'], code: 'HWY6004', message: /^at activation=tahn, networks/ },
  { name: 'unknown-distribution', lines: [NETS, 'search train.lr logunifrom 1e-3 1e-1', 'trials 2'], code: 'HWY6001', message: /unknown distribution 'logunifrom'/ },
  { name: 'trials-missing', lines: [NETS, 'search train.lr loguniform 1e-3 1e-1'], code: 'HWY6006', message: /says not how many trials/ },
  { name: 'name-for-number', lines: [NETS, 'search activation uniform 0 1', 'trials 2'], code: 'HWY6003', message: /'activation' holds a name \(relu\)/ },
  { name: 'unreadable-network', lines: ['networks plain="mlp-plian.hwy"'], code: 'HWY6005', message: /cannot read the network spec 'mlp-plian.hwy'/ },
];

describe('compileExperiment: every check, with its golden diagnostic', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.code}`, () => {
      const text = `sweep s {\n${c.lines.map((l) => `  ${l}\n`).join('')}}\n`;
      const r = sweep(c.lines);
      expect(r.ok).toBe(false);
      expect(r.plan).toBeNull();
      const errs = errorsOf(r);
      expect(errs.map((d) => d.code)).toEqual([c.code]);
      expect(errs[0].message).toMatch(c.message);
      golden(`sweeps/${c.name}.txt`, rendered(r, text));
    });
  }
  it('a failing grid point points at its value and names it; the note points into the network', () => {
    const r = sweep([NETS, 'grid depth [10, 1000000]']);
    const d = errorsOf(r)[0];
    expect([d.span.file, d.span.start.line, d.span.start.col]).toEqual([`${DIR}/s.hwy`, 3, 19]);
    expect(d.related!.map((x) => x.span.file)).toEqual([`${DIR}/mlp-plain.hwy`, `${DIR}/mlp-highway.hwy`]);
  });
  it('a constant only some networks define applies to those, in the grid and the search', () => {
    const r = sweep([NETS, 'grid gate_bias [-1, -2]', 'search train.lr loguniform 1e-3 1e-1', 'trials 2']);
    expect(errorsOf(r)).toEqual([]);
    expect(r.plan!.grid[0].networks).toEqual(['highway']);
    expect(gridPoints(r.plan!)).toEqual([
      { network: 'plain', values: {} },
      { network: 'highway', values: { gate_bias: -1 } },
      { network: 'highway', values: { gate_bias: -2 } },
    ]);
  });
  it('a name listed for a constant that holds a number is reported at the value, without the command line\'s hint', () => {
    const d = errorsOf(sweep([NETS, 'grid depth [10, deep]']))[0];
    expect([d.code, d.message, d.hint, d.span.start.col]).toEqual(['HWY6004', "at depth=deep, networks 'plain' and 'highway' do not check: 'depth' holds a number, and 'deep' is not one", undefined, 19]);
  });
  it('a searched setting is checked under every train section the grid gives, and once for the depths that share one', () => {
    // momentum is a setting of sgd, not of adam: the grid's adam points must be checked,
    // though a training setting is checked at one grid point a distinct train section
    const r = sweep(['networks highway="mlp-highway.hwy"', 'grid train.optimizer [sgd, adam]', 'grid depth [10, 20]', 'search train.momentum uniform 0.5 0.99', 'trials 2']);
    const errs = errorsOf(r);
    expect(errs.length).toBeGreaterThan(0);
    expect(errs.every((d) => d.code === 'HWY6004' && /train\.optimizer=adam/.test(d.message) && /'momentum' is not a setting of adam/.test(d.message))).toBe(true);
    // with sgd alone every depth shares one train section, and it checks
    expect(sweep(['networks highway="mlp-highway.hwy"', 'grid depth [10, 20, 50]', 'search train.momentum uniform 0.5 0.99', 'trials 2']).ok).toBe(true);
  });
  it('the same setting swept by two paths is swept twice', () => {
    expect(errorsOf(sweep([NETS, 'grid train.momentum [0.9]', 'search train.optimizer.momentum uniform 0.5 0.9', 'trials 2'])).map((d) => d.code)).toEqual(['HWY6006']);
  });
  it('without networks, the file\'s own network is swept; a file with neither is refused', () => {
    const own = 'let width = 8\nnetwork n {\n  input 784\n  dense width relu\n  dense 10 softmax\n}\nsweep s {\n  grid width [4, 8]\n  seeds 3\n}\n';
    const r = compileExperiment(own, '/x/own.hwy', { readFile: () => null });
    expect(r.ok).toBe(true);
    expect(r.plan!.networks).toEqual([{ label: 'n', specFile: '/x/own.hwy', network: 'n' }]);
    expect([r.plan!.trials, r.plan!.seeds, r.plan!.sampler, r.plan!.stop.maxEpochs]).toEqual([1, [1, 2, 3], 'grid', 10]);
    expect(r.budget).toEqual({ points: 2, trials: 2, runs: 6, epochs: 60 });
    expect(errorsOf(sweep(['grid w [1]'])).map((d) => d.code)).toEqual(['HWY6005']);
  });
  it("the own network's notes are shown only where they hold at the sweep's points, and after its errors", () => {
    const spec = (sweepLines: string[]) =>
      `let depth = 10\nlet gate_bias = auto\nnetwork n {\n  input 784\n  dense 16 relu\n  repeat depth - 1 {\n    highway dense relu gate_bias=gate_bias\n  }\n  dense 10 softmax\n}\nsweep s {\n${sweepLines.map((l) => `  ${l}\n`).join('')}}\n`;
    const notes = (lines: string[]) => compileExperiment(spec(lines), '/x/own.hwy', { readFile: () => null }).diagnostics.map((d) => `${d.severity} ${d.code}${d.severity === 'info' ? `: ${d.message}` : ''}`);
    const atTen = 'info HWY5004: no gate bias given: using -1, the depth guideline for 9 highway layers';
    // the sweep varies nothing the note is about: it holds at every point
    expect(notes(['grid train.lr [0.1, 0.2]'])).toEqual([atTen]);
    // a sweep over depths (10 among them) or over the gate bias trains no network the note is about
    expect(notes(['grid depth [10, 20]'])).toEqual([]);
    expect(notes(['search gate_bias choice [-1, -2]', 'trials 2'])).toEqual([]);
    // its errors come alone, or first
    expect(notes(['grid depth [2, 4]', 'grid nothere [1]'])).toEqual(['error HWY6002']);
    expect(notes(['grid depth [2, 4]', 'search gate_bias choice [-1, -2]'])).toEqual(['error HWY6006']);
    expect(notes(['grid train.lr [0.1, 0.2]', 'objective val_los min final'])[0]).toMatch(/^error /);
  });

  it('a file without a sweep, a second sweep, and a train section in a file without a network are errors', () => {
    expect(errorsOf(compileExperiment('network n {\n  input 10\n}\n', '/x/a.hwy', { readFile: () => null })).map((d) => d.message)).toEqual(['this file declares no sweep']);
    expect(errorsOf(sweep([NETS]).diagnostics ? compileExperiment(`sweep a {\n  ${NETS}\n}\nsweep b {\n  ${NETS}\n}\n`, `${DIR}/s.hwy`, { readFile }) : sweep([])).map((d) => d.code)).toEqual(['HWY2012']);
    expect(errorsOf(compileExperiment(`train {\n  batch 64\n}\nsweep a {\n  ${NETS}\n}\n`, `${DIR}/s.hwy`, { readFile })).map((d) => d.code)).toEqual(['HWY6006']);
  });
  it('never throws on junk', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (junk) => {
        const r = compileExperiment(`sweep s {\n${junk}\n}\n`, `${DIR}/s.hwy`, { readFile });
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('compileExperiment: the command line', () => {
  it('--set fixes a name for the whole sweep: a grid axis or searched name gives way to one value', () => {
    const r = sweep([NETS, 'grid depth [10, 20]', 'search train.lr loguniform 1e-3 1e-1', 'trials 2'], { constants: { depth: 50 }, settings: [{ path: 'train.lr', value: '0.05' }] });
    expect(r.ok).toBe(true);
    expect(r.plan!.grid).toEqual([
      { name: 'depth', target: 'constant', values: [50] },
      { name: 'train.lr', target: 'setting', values: [0.05] },
    ]);
    expect(r.plan!.space).toEqual([]);
  });
  it('--trials, --epochs and the others replace their lines; a bad value names the flag', () => {
    const r = sweep([NETS, 'search train.lr loguniform 1e-3 1e-1', 'trials 2', 'stop epochs=5'], { trials: 4, epochs: 7, patience: 2, pruner: 'median', sampler: 'tpe', seed: 3 });
    expect([r.plan!.trials, r.plan!.stop, r.plan!.pruner, r.plan!.sampler, r.plan!.seed]).toEqual([4, { maxEpochs: 7, patience: 2 }, 'median', 'tpe', 3]);
    const bad = sweep([NETS], { trials: 0, pruner: 'medain' });
    expect(errorsOf(bad).map((d) => [d.span.file, d.message, d.hint])).toEqual([
      ['--trials 0', '--trials must be a whole number of at least 1, not 0', undefined],
      ['--pruner medain', "unknown pruner 'medain'", "did you mean 'median'?"],
    ]);
  });
  it('--set of a value at which a network does not check names the flag', () => {
    const d = errorsOf(sweep([NETS], { constants: { depth: -5 } }))[0];
    expect([d.code, d.span.file]).toEqual(['HWY6004', '--set depth=-5']);
  });
});

describe('ranges and grids (properties)', () => {
  it('a network compiled from its parsed text says exactly what a fresh compile says, at any values', () => {
    const text = FILES[`${DIR}/mlp-highway.hwy`];
    const file = `${DIR}/mlp-highway.hwy`;
    const parsed = parseSpec(text, file)!;
    fc.assert(
      fc.property(fc.integer({ min: -3, max: 120 }), fc.constantFrom('relu', 'tanh', 'nope', 7), fc.constantFrom('0.1', '-1', 'x'), (depth, activation, lr) => {
        const opts = { overrides: { depth, activation }, settings: [{ path: 'train.lr', value: lr }] };
        const again = compile(text, file, { ...opts, parsed });
        const fresh = compile(text, file, opts);
        expect(again.diagnostics).toEqual(fresh.diagnostics);
        expect(again.ir).toEqual(fresh.ir);
      }),
      { numRuns: 40 },
    );
    // the parsed text of another file is not used for this one
    expect(compile('network n {', file, { parsed }).ok).toBe(false);
  });
  it('any listed grid of depths gives one grid point a network and value, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }), (depths) => {
        const r = sweep([NETS, `grid depth [${depths.join(', ')}]`]);
        expect(r.ok).toBe(true);
        expect(r.plan!.grid[0].values).toEqual(depths);
        expect(gridPoints(r.plan!).length).toBe(2 * depths.length);
      }),
      { numRuns: 15 },
    );
  });
  it('a uniform range checks exactly when its lowest is below its highest (within the setting\'s bounds)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.99, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), (a, b) => {
        const r = sweep([NETS, `search train.momentum uniform ${a} ${b}`, 'trials 2']);
        if (a < b) expect(errorsOf(r)).toEqual([]);
        else expect(errorsOf(r).map((d) => d.code)).toEqual(['HWY6003']);
      }),
      { numRuns: 40 },
    );
  });
  it('an int range checks exactly when it is a whole number of steps, lowest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), (lo, hi, step) => {
        const r = sweep([NETS, `search train.batch int ${lo} ${hi} step=${step}`, 'trials 2']);
        const ok = lo < hi && (hi - lo) % step === 0;
        expect(errorsOf(r).map((d) => d.code)).toEqual(ok ? [] : ['HWY6003']);
      }),
      { numRuns: 40 },
    );
  });
  it('resolveBeside: a relative path lands beside the sweep file; an absolute one stays', () => {
    expect(resolveBeside('/a/b/s.hwy', 'n.hwy')).toBe('/a/b/n.hwy');
    expect(resolveBeside('/a/b/s.hwy', '../c/./n.hwy')).toBe('/a/c/n.hwy');
    expect(resolveBeside('/a/b/s.hwy', '/d/n.hwy')).toBe('/d/n.hwy');
    expect(resolveBeside('s.hwy', 'n.hwy')).toBe('n.hwy');
    fc.assert(fc.property(fc.array(fc.constantFrom('x', 'y', '..', '.'), { maxLength: 6 }), (parts) => resolveBeside('/r/s.hwy', parts.join('/') || '.').startsWith('/')));
  });
});
