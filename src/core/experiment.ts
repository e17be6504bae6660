import { Diagnostics, type Diagnostic, type RelatedInfo, type Span } from '../diagnostics/types.js';
import { parse } from '../parser/index.js';
import type { FileAst, SweepDecl } from '../parser/ast.js';
import { lower } from '../lower/lower.js';
import { applyExperimentOverrides, didYouMean, lowerSweep, MAX_GRID_POINTS, MAX_SWEEP_COMPILES, settingText, type ExperimentOverrides, type LoweredSweep, type SweptName, type SweptValue } from '../lower/sweep.js';
import { resolveSettingPath, settingPaths } from '../lower/settings.js';
import { DEFAULT_LIMITS, type Limits } from '../passes/index.js';
import { measureSpec, specSizeProblem } from '../passes/limits.js';
import { TRAIN_DEFAULTS } from '../passes/expand.js';
import type { Distribution, ExperimentPlan, GridAxis, GridPoint, ParamValue, SearchParam } from '../ir/experiment.js';
import type { ConstantValue } from '../ir/types.js';
import { compile, parseSpec, type CompileResult, type ParsedSpec } from './compile.js';
import { thousands } from '../language/thousands.js';

export { settingText, type ExperimentOverrides } from '../lower/sweep.js';

export interface ExperimentOptions {
  /** A file's text by its path (resolved against the sweep file's directory), or null when it cannot be read. */
  readFile(absPath: string): string | null;
  /** What the command line changes (`--set`, `--trials`, …): checked as the spec's own, a problem naming the flag. */
  overrides?: ExperimentOverrides;
  limits?: Partial<Limits>;
}

/** A network of the sweep, compiled as written. */
export interface ExperimentNetwork {
  label: string;
  /** The spec file, as resolved (absolute when the sweep file's path is). */
  specFile: string;
  /** The path as the sweep wrote it (the sweep's own file: its name). */
  written: string;
  /** Where the sweep names it (the sweep's name, for its own network). */
  span: Span;
  result: CompileResult;
  text: string;
}

export interface ExperimentResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** The checked sweep; null when it has errors. */
  plan: ExperimentPlan | null;
  ast: FileAst;
  sweep: LoweredSweep | null;
  /** The file's own network, compiled, when it has one. */
  own: CompileResult | null;
  networks: ExperimentNetwork[];
  /**
   * What it trains at most: grid points (over every network), trials (points × trials),
   * runs (trials × seeds) and epochs (runs × the epoch cap). Null when it has errors.
   */
  budget: { points: number; trials: number; runs: number; epochs: number } | null;
}

/** One value at a run: a grid axis or searched name and its value. */
interface Assigned {
  name: SweptName;
  value: ParamValue;
}

const START = { line: 1, col: 1, offset: 0 };

/**
 * Checks a spec that declares a sweep and builds its plan. Every network it names is read
 * and compiled, at every grid point and at every range end and choice of its search space
 * (at each grid point), before anything trains: a value at which a network no longer checks
 * is reported at that value in the sweep, naming the point, with the network's own
 * diagnostic as a note. Never throws.
 */
export function compileExperiment(text: string, file: string, opts: ExperimentOptions): ExperimentResult {
  const diags = new Diagnostics();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const out: ExperimentResult = { ok: false, diagnostics: [], plan: null, ast: { file, items: [], comments: [] }, sweep: null, own: null, networks: [], budget: null };
  const held: Diagnostic[] = [];
  // the own network as the sweep's check compiled it (at grid points, range ends, choices); null: the check did not run
  let ownCompiles: (readonly Diagnostic[])[] | null = null;
  try {
    const tooBig = specSizeProblem(measureSpec(text), file, limits);
    if (tooBig) {
      diags.error('HWY4004', { file, start: START, end: START }, tooBig, 'write repeated layers as `repeat N { … }`: real specs are a few KB');
      return finish();
    }
    const parsed = new Diagnostics();
    out.ast = parse(text, file, parsed);
    const decls = out.ast.items.filter((i): i is SweepDecl => i.type === 'sweep');
    if (out.ast.items.some((i) => i.type === 'network')) {
      // the file's own network: its diagnostics (the syntax of the whole file among them) are this file's;
      // its warnings and notes are of its constants as written, which the sweep may vary: held back
      // until the sweep is checked, and shown only where they hold at every point checked
      out.own = compile(text, file, { limits });
      for (const d of out.own.diagnostics) (d.severity === 'error' ? diags.add(d) : held.push(d));
    } else {
      for (const d of parsed.items) diags.add(d);
      const lowered = new Diagnostics();
      lower(out.ast, lowered);
      for (const d of lowered.items) if (!(d.code === 'HWY2008' && decls.length)) diags.add(d);
      sweepOnlyFile(out.ast, diags);
    }
    if (!decls.length) {
      if (!diags.hasErrors()) diags.error('HWY6001', { file, start: START, end: START }, 'this file declares no sweep', "add 'sweep NAME { grid depth [10, 20] }' (the reference: grammar/README.md#sweeps)");
      return finish();
    }
    for (const extra of decls.slice(1)) {
      diags.error('HWY2012', extra.nameSpan, 'a spec holds one sweep; this is a second one', 'put each sweep in its own file', [{ span: decls[0].nameSpan, message: 'the first sweep' }]);
    }
    const sweep = (out.sweep = lowerSweep(decls[0], diags));
    if (opts.overrides) applyExperimentOverrides(sweep, opts.overrides, diags);
    const before = diags.errorCount();
    out.networks = readNetworks(sweep, file, out.own, opts, limits, diags);
    // the other lines are checked against the networks even when some line was wrong, but only
    // when every network was read: a constant of one that was not would seem to be nobody's
    const expected = sweep.networks === null ? 1 : sweep.networks.length;
    if (diags.errorCount() > before || out.networks.length !== expected) return finish();
    ownCompiles = [];
    const plan = checkAgainstNetworks(sweep, file, out.networks, limits, diags, (n, r) => {
      if (n.result === out.own) ownCompiles!.push(r.diagnostics);
    });
    if (plan && !diags.hasErrors()) {
      out.plan = plan;
      const points = gridPoints(plan).length;
      const trials = points * plan.trials;
      out.budget = { points, trials, runs: trials * plan.seeds.length, epochs: trials * plan.seeds.length * plan.stop.maxEpochs };
    }
  } catch (e) {
    diags.error('HWY9000', { file, start: START, end: START }, `internal error: ${(e as Error)?.message ?? String(e)}`, 'please report this with the spec that caused it');
  }
  return finish();

  function finish(): ExperimentResult {
    out.diagnostics = diags.sorted();
    // after the sweep's own diagnostics, never before its errors
    out.diagnostics.push(...heldThatHold());
    if (diags.droppedCount() > 0) {
      const last = out.diagnostics[out.diagnostics.length - 1]?.span ?? { file, start: START, end: START };
      out.diagnostics.push({ severity: 'info', code: 'HWY1004', message: `${diags.droppedSummary()} not shown`, span: last, hint: 'fix the first errors and check again' });
    }
    out.ok = out.plan !== null && !out.diagnostics.some((d) => d.severity === 'error');
    if (!out.ok) {
      out.plan = null;
      out.budget = null;
    }
    return out;
  }

  /**
   * The own network's warnings and notes that hold wherever the sweep trains it: all of them
   * when the sweep varies nothing of it; those that every compile of its check gave too when
   * it does (a note on the depth as written says nothing of a sweep over depths); none when the
   * sweep varies something and its check did not run (its errors come first).
   */
  function heldThatHold(): Diagnostic[] {
    if (!held.length) return [];
    const varies = out.sweep !== null && (out.sweep.grid.length > 0 || out.sweep.space.length > 0);
    if (!varies || (ownCompiles !== null && ownCompiles.length === 0 && !diags.hasErrors())) return held;
    if (!ownCompiles?.length) return [];
    const same = (a: Diagnostic, b: Diagnostic) => a.severity === b.severity && a.code === b.code && a.message === b.message && a.span.start.offset === b.span.start.offset && a.span.file === b.span.file;
    return held.filter((d) => ownCompiles!.every((ds) => ds.some((x) => same(x, d))));
  }
}

/** A file with a sweep and no network: its constants and train section would reach no network. */
function sweepOnlyFile(ast: FileAst, diags: Diagnostics): void {
  for (const i of ast.items) {
    if (i.type === 'let') diags.warning('HWY5005', i.nameSpan, `constant '${i.name}' is never used: this file has no network`, "a sweep varies its networks' constants: grid NAME […] or search NAME …");
    if (i.type === 'train') diags.error('HWY6006', i.keywordSpan, "a 'train' section here reaches no network: this file has none", 'fix a setting for every network of the sweep with a one-value grid: grid train.batch [64]');
  }
}

/** The directory part of a path (either separator), and a relative path resolved against it. */
export function resolveBeside(file: string, rel: string): string {
  const absolute = rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel) || rel.startsWith('\\\\');
  const cut = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const joined = absolute || cut < 0 ? rel : `${file.slice(0, cut)}/${rel}`;
  const lead = joined.startsWith('/') ? '/' : '';
  const parts: string[] = [];
  for (const p of joined.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (p !== '..' || !lead) parts.push(p);
  }
  return lead + parts.join('/');
}

function readNetworks(sweep: LoweredSweep, file: string, own: CompileResult | null, opts: ExperimentOptions, limits: Limits, diags: Diagnostics): ExperimentNetwork[] {
  const out: ExperimentNetwork[] = [];
  if (sweep.networks === null) {
    if (!own) {
      diags.error('HWY6005', sweep.nameSpan, `sweep '${sweep.name}' names no network, and this file has none`, 'name them: networks plain="mlp-plain.hwy" highway="mlp-highway.hwy" (paths relative to this file)');
      return out;
    }
    // errors of the file's own network were reported with the file's diagnostics
    if (own.ok && own.ir) out.push({ label: own.ir.network.name, specFile: file, written: file, span: sweep.nameSpan, result: own, text: own.text });
    return out;
  }
  const labels = new Map<string, Span>();
  for (const ref of sweep.networks) {
    const specFile = resolveBeside(file, ref.path);
    let text: string | null;
    try {
      text = opts.readFile(specFile);
    } catch {
      text = null;
    }
    if (text === null) {
      diags.error('HWY6005', ref.span, `cannot read the network spec '${ref.path}'${specFile !== ref.path ? ` (${specFile})` : ''}`, 'paths are relative to the sweep file');
      continue;
    }
    const result = compile(text, specFile, { limits });
    if (!result.source.network) {
      diags.error('HWY6005', ref.span, `'${ref.path}' defines no network`, 'a sweep trains networks: name specs that hold one');
      continue;
    }
    const label = ref.label ?? result.source.network.name;
    const prev = labels.get(label);
    if (prev) {
      diags.error('HWY6005', ref.labelSpan ?? ref.span, `two networks are labelled '${label}'`, ref.label ? 'each network needs a label of its own' : `label them: networks a="${ref.path}" …`, [{ span: prev, message: 'first labelled here' }]);
      continue;
    }
    labels.set(label, ref.labelSpan ?? ref.span);
    if (!result.ok || !result.ir) {
      const first = result.diagnostics.find((d) => d.severity === 'error')!;
      diags.error('HWY6004', ref.span, `network '${label}' (${ref.path}) does not check as written: ${first.message}`, `hwy check ${ref.path} shows every problem`, [{ span: first.span, message: `where ${ref.path} fails` }]);
      continue;
    }
    out.push({ label, specFile, written: ref.path, span: ref.span, result, text });
  }
  return out;
}

/** The constants each network defines, and the value each holds as written. */
const constantsOf = (n: ExperimentNetwork): Record<string, ConstantValue> => n.result.ir?.constants ?? {};
const hasConstant = (n: ExperimentNetwork, name: string) => Object.hasOwn(constantsOf(n), name);

/** The labels a constant applies to (undefined: every network), or null after reporting that none defines it. */
function applicability(name: SweptName, nets: ExperimentNetwork[], diags: Diagnostics): string[] | undefined | null {
  if (name.target === 'setting') return undefined;
  const has = nets.filter((n) => hasConstant(n, name.name));
  if (has.length === nets.length) return undefined;
  if (has.length) return has.map((n) => n.label);
  const all = [...new Set(nets.flatMap((n) => Object.keys(constantsOf(n))))];
  const setting = !('error' in resolveSettingPath(`train.${name.name}`)) ? `train.${name.name}` : undefined;
  diags.error(
    'HWY6002',
    name.span,
    `no network of the sweep defines a constant '${name.name}'`,
    didYouMean(name.name, all) ?? (setting ? `training settings are written with their section: did you mean '${setting}'?` : didYouMean(name.name, settingPaths())) ?? (all.length ? `the networks' constants: ${all.join(', ')}` : 'the networks define no constants: add a let to a network to sweep it'),
  );
  return null;
}

/** Every combination of values, in order (the last axis varies fastest). */
function product<T>(axes: T[][]): T[][] {
  return axes.reduce<T[][]>((acc, vs) => acc.flatMap((a) => vs.map((v) => [...a, v])), [[]]);
}

const pointText = (xs: Assigned[]) => xs.map((x) => `${x.name.name}=${typeof x.value === 'number' ? x.value : x.value}`).join(', ');

/**
 * What the sweep's check keeps of one compile at one point. A sweep compiles its networks
 * dozens of times (figure1.hwy: about 80); keeping each whole result (IR, syntax tree,
 * spans) kept megabytes alive that the garbage collector then copied from one generation to
 * the next, a third of `hwy check specs/`.
 */
interface PointCheck {
  ok: boolean;
  /** The first error, when not ok. */
  firstError?: Diagnostic;
  /** The train section as checked there: points with the same one check a training setting alike. */
  trainKey: string;
}

function checkAgainstNetworks(sweep: LoweredSweep, file: string, nets: ExperimentNetwork[], limits: Limits, diags: Diagnostics, compiled: (n: ExperimentNetwork, r: CompileResult) => void): ExperimentPlan | null {
  const start = diags.errorCount();
  const failed = () => diags.errorCount() > start;
  const axes: { axis: LoweredSweep['grid'][number]; networks?: string[] }[] = [];
  for (const axis of sweep.grid) {
    const a = applicability(axis.name, nets, diags);
    if (a !== null) axes.push({ axis, networks: a });
  }
  const params: { param: LoweredSweep['space'][number]; networks?: string[] }[] = [];
  for (const param of sweep.space) {
    const a = applicability(param.name, nets, diags);
    if (a === null) continue;
    // a numeric distribution over a constant that holds a name
    const d = param.dist;
    const holder = d.type !== 'choice' ? nets.find((n) => (!a || a.includes(n.label)) && typeof constantsOf(n)[param.name.name] === 'string') : undefined;
    if (holder) {
      const v = constantsOf(holder)[param.name.name];
      diags.error('HWY6003', param.name.span, `'${param.name.name}' holds a name (${v}) in ${holder.label}: ${d.type} draws numbers`, `search it with choice: search ${param.name.name} choice [${v}, …]`);
      continue;
    }
    params.push({ param, networks: a });
  }
  if (failed()) return null;

  const applies = (networks: string[] | undefined, n: ExperimentNetwork) => !networks || networks.includes(n.label);
  // the grid points of each network: the combinations of the axes that apply to it
  const pointsOf = new Map<ExperimentNetwork, Assigned[][]>();
  let total = 0;
  for (const n of nets) {
    const mine = axes.filter((a) => applies(a.networks, n));
    const pts = product(mine.map((a) => a.axis.values.map((v): Assigned => ({ name: a.axis.name, value: v.value }))));
    pointsOf.set(n, pts);
    total += pts.length;
  }
  if (total > MAX_GRID_POINTS) {
    diags.error('HWY6007', sweep.nameSpan, `sweep '${sweep.name}' has ${thousands(total)} grid points; the limit is ${thousands(MAX_GRID_POINTS)}`, 'fewer grid values, or search a range instead of listing it');
    return null;
  }
  let budget = 0;
  for (const n of nets) budget += pointsOf.get(n)!.length * (1 + params.filter((p) => applies(p.networks, n)).reduce((s, p) => s + p.param.points.length + 1, 0));
  if (budget > MAX_SWEEP_COMPILES) {
    diags.error('HWY6007', sweep.nameSpan, `checking sweep '${sweep.name}' compiles its networks ${thousands(budget)} times (each grid point, and each range end and choice at each); the limit is ${thousands(MAX_SWEEP_COMPILES)}`, 'fewer grid values or choices');
    return null;
  }

  // Compiles are memoised: a network at the same values is compiled once.
  const cache = new Map<string, PointCheck>();
  // and each network's text is parsed once: parsing is most of a compile
  const parsedOf = new Map<ExperimentNetwork, ParsedSpec | undefined>();
  const at = (n: ExperimentNetwork, xs: Assigned[]): PointCheck => {
    const key = `${n.label}\u0000${JSON.stringify(xs.map((x) => [x.name.name, x.value]))}`;
    let r = cache.get(key);
    if (!r) {
      const constants: Record<string, ConstantValue> = {};
      const settings: { path: string; value: string }[] = [];
      for (const x of xs) {
        if (x.name.target === 'constant') constants[x.name.name] = x.value;
        else settings.push({ path: x.name.name, value: settingText(x.value) });
      }
      if (!parsedOf.has(n)) parsedOf.set(n, parseSpec(n.text, n.specFile));
      const full = compile(n.text, n.specFile, { overrides: constants, settings, limits, parsed: parsedOf.get(n) });
      r = { ok: full.ok, firstError: full.ok ? undefined : full.diagnostics.find((d) => d.severity === 'error'), trainKey: JSON.stringify(full.ir?.train ?? null) };
      cache.set(key, r);
      compiled(n, full);
    }
    return r;
  };
  /**
   * Reports a failing compile at a value of the sweep. Networks failing there the same way
   * share one diagnostic ("networks 'plain' and 'highway' do not check").
   */
  const reported = new Map<string, { d: Diagnostic; labels: string[]; xs: Assigned[]; message: string }>();
  const fails = (n: ExperimentNetwork, xs: Assigned[], blame: Span, code = 'HWY6004'): boolean => {
    const r = at(n, xs);
    if (r.ok) return false;
    const first = r.firstError!;
    const key = `${blame.file}:${blame.start.offset}`;
    // a setting's value refused as a flag names the flag as its file: the value itself is wrong, and there is nothing to show
    const note: RelatedInfo[] = first.span.file.startsWith('--set ') ? [] : [{ span: first.span, message: `where ${n.written} fails` }];
    const prev = reported.get(key);
    if (prev && prev.message === first.message) {
      if (!prev.labels.includes(n.label)) {
        prev.labels.push(n.label);
        prev.d.message = `at ${pointText(prev.xs)}, networks ${prev.labels.map((l) => `'${l}'`).join(' and ')} do not check: ${first.message}`;
        prev.d.related = [...(prev.d.related ?? []), ...note];
      }
      return true;
    }
    if (prev) return true;
    // a flag's hint (`--set depth=10`) would name a flag the sweep did not give
    diags.error(code, blame, `at ${pointText(xs)}, network '${n.label}' (${n.written}) does not check: ${first.message}`, note.length || blame.file.startsWith('--') ? first.hint : undefined, note);
    reported.set(key, { d: diags.items[diags.items.length - 1], labels: [n.label], xs, message: first.message });
    return true;
  };

  // Each grid value alone first, so that a failure points at the value that causes it.
  const bad = new Set<SweptValue>();
  for (const n of nets) {
    for (const { axis, networks } of axes) {
      if (!applies(networks, n)) continue;
      for (const v of axis.values) if (fails(n, [{ name: axis.name, value: v.value }], v.span)) bad.add(v);
    }
  }
  const spanOf = (x: Assigned) => sweep.grid.find((a) => a.name === x.name)!.values.find((v) => v.value === x.value)!;
  const good = new Map<ExperimentNetwork, Assigned[][]>();
  for (const n of nets) {
    const ok: Assigned[][] = [];
    for (const pt of pointsOf.get(n)!) {
      const vs = pt.map(spanOf);
      if (vs.some((v) => bad.has(v))) continue;
      if (pt.length > 1 && fails(n, pt, vs[vs.length - 1].span)) continue;
      ok.push(pt);
    }
    good.set(n, ok);
  }
  // Each range end and choice at each grid point that checks.
  for (const { param, networks } of params) {
    for (const n of nets) {
      if (!applies(networks, n)) continue;
      const pts = onlyWhereItMatters(param, good.get(n)!, (pt) => at(n, pt));
      const endsOk = pts.map((pt) => param.points.map((v) => !fails(n, [...pt, { name: param.name, value: v.value }], v.span)).every(Boolean));
      // uniform and loguniform draw fractions: a constant that must be whole fails between the ends
      const d = param.dist;
      const k = endsOk.indexOf(true);
      if ((d.type === 'uniform' || d.type === 'loguniform') && param.name.target === 'constant' && k >= 0) {
        const mid = between(d);
        if (mid !== undefined) {
          const r = at(n, [...pts[k], { name: param.name, value: mid }]);
          if (!r.ok && !reported.has(`whole:${param.name.name}`)) {
            reported.set(`whole:${param.name.name}`, { d: diags.items[0], labels: [], xs: [], message: '' });
            const first = r.firstError!;
            diags.error('HWY6003', param.name.span, `'${param.name.name}' takes whole numbers in network '${n.label}': ${d.type} draws fractions (at ${param.name.name}=${mid}: ${first.message})`, `search it with int: search ${param.name.name} int ${Math.ceil(d.low)} ${Math.floor(d.high)}`, [{ span: first.span, message: `where ${n.written} fails` }]);
          }
        }
      }
    }
  }
  if (failed()) return null;

  // Objective and stop rule against what the networks train on.
  const train = (n: ExperimentNetwork) => n.result.ir?.train ?? TRAIN_DEFAULTS;
  if (sweep.objective.metric.startsWith('val_')) {
    const none = nets.find((n) => train(n).data.validation === 0);
    if (none) diags.error('HWY6006', sweep.objective.span ?? sweep.nameSpan, `the objective is ${sweep.objective.metric}, and network '${none.label}' holds out no validation data (validation=0)`, `judge by ${sweep.objective.metric.slice(4)}, or give the network a validation split: data … validation=0.1`);
  }
  let maxEpochs = sweep.stop.maxEpochs;
  if (maxEpochs === undefined) {
    const epochs = [...new Set(nets.map((n) => train(n).epochs))];
    if (epochs.length > 1) diags.error('HWY6006', sweep.stop.span ?? sweep.nameSpan, `the networks train for different numbers of epochs (${nets.map((n) => `${n.label} ${train(n).epochs}`).join(', ')})`, 'give the sweep its cap: stop epochs=N');
    maxEpochs = epochs[0];
  }
  const trials = trialCount(sweep, params.map((p) => p.param.dist), diags);
  if (failed() || trials === undefined) return null;

  return {
    name: sweep.name,
    file,
    networks: nets.map((n) => ({ label: n.label, specFile: n.specFile, network: n.result.ir!.network.name })),
    grid: axes.map(({ axis, networks }): GridAxis => ({ name: axis.name.name, target: axis.name.target, values: axis.values.map((v) => v.value), ...(networks ? { networks } : {}) })),
    space: params.map(({ param, networks }): SearchParam => ({ name: param.name.name, target: param.name.target, dist: param.dist, ...(networks ? { networks } : {}) })),
    trials,
    seeds: sweep.seeds,
    objective: { metric: sweep.objective.metric, direction: sweep.objective.direction, reduce: sweep.objective.reduce },
    stop: {
      maxEpochs: maxEpochs!,
      ...(sweep.stop.targetLoss !== undefined ? { targetLoss: sweep.stop.targetLoss } : {}),
      ...(sweep.stop.patience !== undefined ? { patience: sweep.stop.patience } : {}),
      ...(sweep.stop.minImprovement !== undefined ? { minImprovement: sweep.stop.minImprovement } : {}),
    },
    pruner: sweep.pruner,
    sampler: sweep.sampler,
    seed: sweep.samplerSeed,
  };
}

/** A fraction strictly inside a range (on its scale), to find constants that must be whole; undefined when there is none to try. */
/**
 * The grid points at which a searched value must be compiled. A training setting other than
 * the data's is checked against the training settings alone (no pass reads it with the
 * layers), so one grid point of each distinct train section stands for the rest: a sweep
 * over depth need not compile every depth at every learning rate.
 */
function onlyWhereItMatters(param: LoweredSweep['space'][number], pts: Assigned[][], at: (pt: Assigned[]) => PointCheck): Assigned[][] {
  if (param.name.target !== 'setting') return pts;
  const where = resolveSettingPath(param.name.name);
  if ('error' in where || where.kind === 'data') return pts;
  const seen = new Set<string>();
  return pts.filter((pt) => {
    const key = at(pt).trainKey;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function between(d: { type: 'uniform' | 'loguniform'; low: number; high: number }): number | undefined {
  for (const f of [0.5, 0.37, 0.21, 0.83]) {
    const x = d.type === 'uniform' ? d.low + f * (d.high - d.low) : 10 ** (Math.log10(d.low) + f * (Math.log10(d.high) - Math.log10(d.low)));
    const r = Number(x.toPrecision(6));
    if (!Number.isInteger(r) && r > d.low && r < d.high) return r;
  }
  return undefined;
}

/** How many values a distribution has when they can be listed (choice, int); undefined for a continuous one. */
function countOf(d: Distribution): number | undefined {
  if (d.type === 'choice') return d.choices.length;
  if (d.type === 'int') return Math.floor((d.high - d.low) / d.step) + 1;
  return undefined;
}

function trialCount(sweep: LoweredSweep, dists: Distribution[], diags: Diagnostics): number | undefined {
  const given = sweep.trials;
  if (!sweep.space.length) {
    // a search line that was wrong (reported), or whose name --set fixed, leaves nothing to search: not this mistake
    if (given && given.value > 1 && !sweep.lines.has('search')) {
      diags.error('HWY6006', given.span, `${given.value} trials of nothing searched would train the same trial ${given.value} times`, `repeats are seeds: seeds ${given.value}`);
      return undefined;
    }
    return 1;
  }
  if (sweep.sampler === 'grid') {
    const continuous = sweep.space.find((p) => countOf(p.dist) === undefined);
    if (continuous) {
      diags.error('HWY6006', continuous.name.span, `sampler grid tries every combination, and '${continuous.name.name}' is ${continuous.dist.type}: its values cannot be listed`, `search it with choice or int, or use sampler random or tpe`);
      return undefined;
    }
    const combos = dists.reduce((a, d) => a * countOf(d)!, 1);
    if (given && given.value > combos) {
      diags.error('HWY6006', given.span, `sampler grid has ${combos} combinations to try, not ${given.value}`, `write trials ${combos} (or leave it out: every combination)`);
      return undefined;
    }
    return given?.value ?? combos;
  }
  if (!given) {
    diags.error('HWY6006', sweep.space[0].name.span, `sweep '${sweep.name}' searches '${sweep.space[0].name.name}' but says not how many trials`, 'add trials N: the trials at each grid point');
    return undefined;
  }
  return given.value;
}

/** The grid points of a plan: for each network, every combination of the grid axes that apply to it (the last axis varies fastest). */
export function gridPoints(plan: ExperimentPlan): GridPoint[] {
  const out: GridPoint[] = [];
  for (const n of plan.networks) {
    const mine = plan.grid.filter((a) => !a.networks || a.networks.includes(n.label));
    for (const combo of product(mine.map((a) => a.values.map((v) => [a.name, v] as const)))) out.push({ network: n.label, values: Object.fromEntries(combo) });
  }
  return out;
}
