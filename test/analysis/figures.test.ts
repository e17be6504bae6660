import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionDomain, conditionFigure, figure1, figure2, figure3, figure4, percentFormat, writeFigure } from '../../src/analysis/figures.js';
import { runLabels } from '../../src/analysis/analyze.js';
import type { GateStats } from '../../src/analysis/probes.js';

const grid = (rows: number, cols: number, f: (l: number, b: number) => number) => Array.from({ length: rows }, (_, l) => Array.from({ length: cols }, (_, b) => f(l, b)));
const gates = (bias: (l: number, b: number) => number): GateStats =>
  ({
    layers: ['h1', 'h2', 'h3'],
    biases: grid(3, 4, bias),
    meanGate: grid(3, 4, () => 0.1),
    classMeanGate: [grid(3, 4, () => 0.2), grid(3, 4, () => 0)],
    sample: { index: 0, label: 1, gate: grid(3, 4, () => 0), output: grid(3, 4, (l, b) => l - b) },
    openGates: { threshold: 0.5, gates: 12, mean: 2.5, median: 2, p10: 1, p90: 4, min: 0, max: 6, sample: 3 },
  }) as unknown as GateStats;
type Spec = Record<string, any>;
const panels = (s: Spec) => s.hconcat as Spec[];

describe('figures a researcher can read', () => {
  it('figure 1 shows solid and dashed swatches for highway and plain, and a log axis that follows the data', async () => {
    const rows = [1, 2, 3].flatMap((epoch) => [
      { network: 'plain-100', kind: 'plain', depth: 100, epoch, loss: 2.3 },
      { network: 'highway-100', kind: 'highway', depth: 100, epoch, loss: 3e-4 * epoch },
    ]);
    const spec = figure1(rows) as Spec;
    expect(spec.encoding.y.scale.domain).toEqual([1e-4, 10]);
    const dir = mkdtempSync(join(tmpdir(), 'hwy-fig-'));
    await writeFigure(join(dir, 'f1'), spec, rows);
    const svg = readFileSync(join(dir, 'f1.svg'), 'utf8');
    // the legend's line-style swatches are stroked (an unstroked swatch is invisible)
    const swatches = svg.match(/role-legend-symbol[^]*?<\/g>/g)!.filter((g) => g.includes('stroke-dasharray'));
    expect(swatches.length).toBeGreaterThan(0);
    for (const g of swatches) expect(g).toMatch(/stroke="#333"/);
    // the vega-lite spec is saved beside the data, so the figure can be restyled
    expect(JSON.parse(readFileSync(join(dir, 'f1.vl.json'), 'utf8')).layer).toHaveLength(2);
    // lines without a marker on every epoch (markers hid the dashes): one marker, where each network's run ended
    const points = [...svg.matchAll(/class="mark-symbol role-mark layer_1_marks"[^]*?<\/g>/g)].flatMap((m) => [...m[0].matchAll(/<path /g)]);
    expect(points).toHaveLength(2);
    expect(spec.layer[1].transform).toEqual([{ joinaggregate: [{ op: 'max', field: 'epoch', as: 'lastEpoch' }], groupby: ['network'] }, { filter: 'datum.epoch === datum.lastEpoch' }]);
    expect(existsSync(join(dir, 'f1.json'))).toBe(true);
  });
  it('figure 2: gate biases on a sequential scale at least one unit wide, so noise is not structure', () => {
    const noisy = figure2(gates((l, b) => -4 + ((l + b) % 2 ? 0.03 : -0.03)), 'n');
    const scale = panels(noisy)[0].encoding.color.scale;
    expect(scale.scheme).toBe('blues');
    expect(scale.domainMid).toBeUndefined();
    expect(scale.domain[1] - scale.domain[0]).toBeCloseTo(1, 10);
    const spread = figure2(gates((l) => -2 - l * 3), 'n');
    expect(panels(spread)[0].encoding.color.scale.domain).toEqual([-8, -2]);
    for (const p of panels(noisy)) expect(p.encoding.color.legend.title).toBeTruthy();
  });
  it('figure 2: the four panels stand evenly apart, whatever their titles and legends', async () => {
    const g = gates(() => -1);
    const dir = mkdtempSync(join(tmpdir(), 'hwy-fig-'));
    await writeFigure(join(dir, 'f2'), figure2(g, 'n'), g);
    const svg = readFileSync(join(dir, 'f2.svg'), 'utf8');
    const xs = [...svg.matchAll(/concat_\d_group"[^>]*>\s*<g transform="translate\(([\d.-]+),/g)].map((m) => Number(m[1]));
    expect(xs).toHaveLength(4);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0], 6);
    // each title no wider than its plot: two short lines
    for (const p of panels(figure2(g, 'n'))) for (const line of p.title as string[]) expect(line.length).toBeLessThanOrEqual(22);
  });
  it('figure 2 says how sparse the routing is, for its sample and over all examples', () => {
    const sub = (figure2(gates(() => -1), 'n') as Spec).title.subtitle.join(' ');
    expect(sub).toContain('3 of 12 gates (25.0%) more than half open');
    expect(sub).toContain('2 of 12 gates (16.7%) more than half open (median; 10-90%: 1-4)');
  });
  it('figure 4: percent labels with the decimals the range needs, so small errors do not all read 0% or 1%', () => {
    expect(percentFormat(0.5)).toBe('.0%');
    expect(percentFormat(0.012)).toBe('.1%');
    expect(percentFormat(0.003)).toBe('.2%');
    expect(percentFormat(0)).toBe('.0%');
    const f4: Spec = figure4({ intact: 0, lesioned: [{ layer: 'h1', error: 0.012 }, { layer: 'h2', error: 0.001 }] }, 'n');
    expect(f4.layer[0].encoding.y.axis.format).toBe('.1%');
    expect(f4.layer[0].encoding.x.scale.domain).toEqual([1, 2]);
  });
  it('heat-map legends are labelled at the ends of their scale, not at rounded values past them', async () => {
    const f3 = figure3(gates(() => -1), [0, 1], 'n'); // class minus overall: +0.1 and -0.1
    const legend = panels(f3.spec)[0].encoding.color.legend;
    expect(legend.values).toEqual([-0.1, 0, 0.1].map((v) => expect.closeTo(v, 12)));
    const dir = mkdtempSync(join(tmpdir(), 'hwy-fig-'));
    await writeFigure(join(dir, 'f3'), f3.spec, f3.data);
    const labels = [...readFileSync(join(dir, 'f3.svg'), 'utf8').matchAll(/role-legend-label[^]*?<\/g>/g)].flatMap((m) => [...m[0].matchAll(/<text[^>]*>([^<]*)</g)].map((t) => t[1]));
    expect(labels).toEqual(['−0.1', '0', '0.1']);
  });
  it('figure 3 titles its colour legend; figure 4 keeps its label off the data', () => {
    const f3 = figure3(gates(() => -1), [0, 1], 'n');
    for (const p of panels(f3.spec)) expect(p.encoding.color.legend.title).toBe('class mean − overall mean');
    const f4: Spec = figure4({ intact: 0.1, lesioned: [{ layer: 'h1', error: 0.5 }, { layer: 'h2', error: 0.1 }] }, 'n');
    expect(f4.layer.some((l: Spec) => l.mark.type === 'text')).toBe(false);
    expect(f4.title.subtitle.join(' ')).toContain('intact network, 10.00%');
  });
  it('condition numbers: whole-number layer ticks, an uncut legend, singular layers marked, the float32 limit drawn', () => {
    const rows = [
      { run: 'a very long run name (runs/some/long/directory/name)', index: 1, condition: 12, limit: 1e6 },
      { run: 'a very long run name (runs/some/long/directory/name)', index: 2, condition: Infinity, limit: 1e6 },
    ];
    const spec = conditionFigure(rows) as Spec;
    const line = spec.layer[0];
    expect(line.encoding.x.axis).toMatchObject({ format: 'd', tickMinStep: 1 });
    expect(line.encoding.color.legend.labelLimit).toBe(0);
    expect(spec.layer.some((l: Spec) => l.mark.shape === 'cross' && l.data.values[0].index === 2)).toBe(true);
    expect(spec.layer.some((l: Spec) => l.mark.type === 'rule' && l.data.values[0].condition === 1e6)).toBe(true);
  });
  it('condition numbers of several runs: legend in the order given, singular layers a row per run above the plot, none hiding another', () => {
    const rows = ['plain (p)', 'highway (h)', 'residual (r)'].flatMap((run, k) =>
      [1, 2, 3].map((index) => ({ run, index, condition: k === 1 || index === 1 ? 100 * (k + 1) : index === 2 ? Infinity : 1e9, limit: 1e6 })),
    );
    const spec = conditionFigure(rows) as Spec;
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(['plain (p)', 'highway (h)', 'residual (r)']);
    const crosses = spec.layer.filter((l: Spec) => l.mark.shape === 'cross');
    // plain and residual are singular at layers 2 (infinite) and 3 (past the float32 limit); highway nowhere
    expect(crosses.map((l: Spec) => l.data.values.map((v: Spec) => `${v.run}:${v.index}`))).toEqual([
      ['plain (p):2', 'plain (p):3'],
      ['residual (r):2', 'residual (r):3'],
    ]);
    const offsets = crosses.map((l: Spec) => l.mark.yOffset);
    expect(new Set(offsets).size).toBe(2);
    for (const o of offsets) expect(o).toBeLessThan(0); // above the top edge, off the data
    expect(spec.title.offset).toBeGreaterThan(-Math.min(...offsets)); // the title clears the rows
    // a number past the limit is not drawn as a point: the line stops there
    expect(spec.layer[0].data.values.filter((v: Spec) => v.condition === null).length).toBe(4);
  });
  it('condition numbers: the log axis fits the data (a conv run of 40-60 fills the plot), and the float32 limit shows only when it is on the axis', () => {
    const conv = [1, 2, 3, 4, 5].map((index) => ({ run: 'conv (c)', index, condition: 35 + 5 * index, limit: 2e6 }));
    const spec = conditionFigure(conv) as Spec;
    const [lo, hi] = spec.layer[0].encoding.y.scale.domain;
    expect(lo).toBeGreaterThan(25);
    expect(lo).toBeLessThan(40);
    expect(hi).toBeGreaterThan(60);
    expect(hi).toBeLessThan(90);
    // the data fill most of the axis (on a log scale), not its bottom seventh
    expect(Math.log(60 / 40) / Math.log(hi / lo)).toBeGreaterThan(0.4);
    expect(spec.layer.some((l: Spec) => l.mark.type === 'rule')).toBe(false);
    // over two decades or more the ends are whole decades around the data
    expect(conditionDomain([30, 5000])).toEqual([10, 10000]);
    // a flat line is not blown up: a tenth of a decade each side at least
    expect(conditionDomain([50, 50]).map((v) => Math.log10(v / 50))).toEqual([expect.closeTo(-0.1, 9), expect.closeTo(0.1, 9)]);
    // with singular layers the axis reaches past the limit, whose line is drawn
    expect(conditionDomain([40, 60], 2e6)).toEqual([10, 1e8]);
    expect(conditionDomain([], 2e6)).toEqual([1e6, 1e8]);
  });
  it('runs are named in legends by their directory names, with parent folders only where two would read the same', () => {
    expect(runLabels(['/tmp/tmp.Xy12/highway-1000', 'runs/plain-1000/'])).toEqual(['highway-1000', 'plain-1000']);
    expect(runLabels(['runs/a/run', 'runs/b/run', 'other/c'])).toEqual(['a/run', 'b/run', 'c']);
  });
  it('a 1000-layer network: about ten layer labels, no stack overflow, and numbers past the float32 limit drawn as singular', () => {
    const many = gates(() => -3);
    many.biases = grid(999, 50, () => -3);
    many.meanGate = grid(999, 50, () => 0.1);
    many.classMeanGate = [grid(999, 50, () => 0.2), grid(999, 50, () => 0), grid(999, 50, () => 0.3), grid(999, 50, () => 0.1)];
    many.sample.gate = grid(999, 50, () => 0);
    many.sample.output = grid(999, 50, (l, b) => l - b);
    const f2 = figure2(many, 'deep');
    const labels = panels(f2)[0].encoding.y.axis.values as number[];
    expect(labels.length).toBeLessThanOrEqual(13);
    expect(labels.slice(0, 3)).toEqual([1, 100, 200]);
    // 4 classes x 999 layers x 50 blocks: once a stack overflow (Math.max over 200,000 arguments)
    expect(() => figure3(many, [0, 1, 2, 3], 'deep')).not.toThrow();
    const rows = [
      { run: 'plain', index: 1, condition: 1e110, limit: 1e6 },
      { run: 'plain', index: 2, condition: 50, limit: 1e6 },
    ];
    const spec = conditionFigure(rows) as Spec;
    expect(spec.layer[0].encoding.y.scale.domain[1]).toBe(1e7);
    expect(spec.layer.find((l: Spec) => l.mark.shape === 'cross').data.values.map((v: Spec) => v.index)).toEqual([1]);
  });
});
