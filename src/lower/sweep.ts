/**
 * A `sweep NAME { … }` section, read against the sweep vocabulary (src/language/sweep.ts):
 * every line, distribution and setting path is checked here; what needs the networks (their
 * constants, whether each grid point still checks) is checked by compileExperiment
 * (src/core/experiment.ts), which builds the plan from what this returns.
 */
import { Diagnostics, type Span } from '../diagnostics/types.js';
import type { SweepDecl, SweepStmt, SweepValue } from '../parser/ast.js';
import type { Distribution, ObjectiveMetric, ParamValue, PrunerName, SamplerName } from '../ir/experiment.js';
import { SETTING_BY_KIND, type ValueType } from '../language/catalogue.js';
import { DISTRIBUTIONS, DISTRIBUTION_DOCS, METRICS, PRUNERS, SAMPLERS, STOP_ATTRS, SWEEP_LINES, SWEEP_LINE_BY_WORD, type DistributionName } from '../language/sweep.js';
import { didYouMean } from '../language/suggest.js';
import { isSettingPath, resolveSettingPath, settingPaths } from './settings.js';

export { didYouMean };
export { MAX_GRID_POINTS, MAX_SWEEP_COMPILES } from '../language/sweep.js';

/** A name a grid axis or search parameter varies, as written. */
export interface SweptName {
  name: string;
  span: Span;
  target: 'constant' | 'setting';
  /** A setting's value type (from the catalogue); constants are typed by the networks. */
  type?: ValueType;
}

/** A value to compile the networks at, with where it is written (a grid value, a range end, a choice). */
export interface SweptValue {
  value: ParamValue;
  span: Span;
}

export interface LoweredAxis {
  name: SweptName;
  values: SweptValue[];
  span: Span;
}

export interface LoweredParam {
  name: SweptName;
  dist: Distribution;
  /** The range's ends or the choices: each is compiled at every grid point. */
  points: SweptValue[];
  span: Span;
}

export interface NetworkRef {
  /** Written as LABEL="path"; a bare "path" is labelled by its network's name. */
  label?: string;
  labelSpan?: Span;
  path: string;
  span: Span;
}

export interface LoweredSweep {
  name: string;
  nameSpan: Span;
  span: Span;
  /** null: the network of the sweep's own file. */
  networks: NetworkRef[] | null;
  grid: LoweredAxis[];
  space: LoweredParam[];
  /** Absent when not written (1 without a search; every combination under sampler grid). */
  trials?: { value: number; span: Span };
  seeds: number[];
  sampler: SamplerName;
  samplerSeed: number;
  objective: { metric: ObjectiveMetric; direction: 'minimize' | 'maximize'; reduce: 'final' | 'best'; span?: Span };
  stop: { maxEpochs?: number; targetLoss?: number; patience?: number; minImprovement?: number; span?: Span };
  pruner: PrunerName;
  /** Each line by its word (the first, for grid and search), for hover and for pointing at. */
  lines: Map<string, SweepStmt>;
}

/**
 * What the command line may change in a sweep: `--set` fixes a constant or setting for the
 * whole sweep (a grid axis or searched name becomes that one value), and the others replace
 * the sweep line of the same meaning. Each is checked as the spec's own; a problem names
 * the flag.
 */
export interface ExperimentOverrides {
  constants?: Record<string, ParamValue>;
  settings?: { path: string; value: string }[];
  trials?: number;
  seeds?: number;
  epochs?: number;
  patience?: number;
  targetLoss?: number;
  minImprovement?: number;
  sampler?: string;
  seed?: number;
  pruner?: string;
}

const shown = (v: SweepValue): string =>
  v.type === 'num' ? v.text : v.type === 'name' ? v.name : v.type === 'string' ? JSON.stringify(v.value) : `[${v.items.map(shown).join(', ')}]`;

const whole = (t: ValueType | undefined) => t !== undefined && (t.t === 'int' || t.t === 'intlist' || t.t === 'pair' || t.t === 'shape');
const named = (t: ValueType | undefined) => t !== undefined && (t.t === 'enum' || t.t === 'bool' || t.t === 'string' || t.t === 'enumlist');

/** Reads a sweep section. Never throws; what is wrong is reported and left out. */
export function lowerSweep(decl: SweepDecl, diags: Diagnostics): LoweredSweep {
  const out: LoweredSweep = {
    name: decl.name,
    nameSpan: decl.nameSpan,
    span: decl.span,
    networks: null,
    grid: [],
    space: [],
    seeds: [1],
    sampler: 'random',
    samplerSeed: 1,
    objective: { metric: 'val_loss', direction: 'minimize', reduce: 'final' },
    stop: {},
    pruner: 'none',
    lines: new Map(),
  };
  let samplerGiven = false;
  const swept = new Map<string, Span>();
  for (const s of decl.body) {
    const spec = SWEEP_LINE_BY_WORD.get(s.word);
    if (!spec) {
      unknownLine(s, diags);
      continue;
    }
    const prev = out.lines.get(s.word);
    if (prev && !spec.repeatable) {
      diags.error('HWY6001', s.wordSpan, `'${s.word}' is given twice in sweep '${decl.name}'`, 'keep one of them', [{ span: prev.wordSpan, message: 'first given here' }]);
      continue;
    }
    if (!prev) out.lines.set(s.word, s);
    const known = new Set(spec.attrs.map((a) => a.name));
    const attrs = s.attrs.filter((a) => {
      if (known.has(a.name) || s.word === 'networks') return true; // networks are written LABEL="path"
      const names = [...known];
      diags.error('HWY6001', a.nameSpan, `unknown attribute '${a.name}' for '${s.word}'`, didYouMean(a.name, names) ?? (names.length ? `'${s.word}' takes: ${names.join(', ')}` : `'${s.word}' takes no attributes; for example: ${spec.example}`));
      return false;
    });
    const attr = (name: string) => attrs.find((a) => a.name === name);
    switch (s.word) {
      case 'networks':
        out.networks = networksLine(s, diags);
        break;
      case 'grid': {
        const axis = gridLine(s, diags);
        if (axis && notSweptTwice(axis.name, swept, diags)) out.grid.push(axis);
        break;
      }
      case 'search': {
        const p = searchLine(s, attr('step')?.value, diags);
        if (p && notSweptTwice(p.name, swept, diags)) out.space.push(p);
        break;
      }
      case 'trials': {
        const n = oneNumber(s, diags, { min: 1, whole: true, what: 'trials' });
        if (n !== undefined) out.trials = { value: n, span: s.args[0].span };
        break;
      }
      case 'seeds': {
        const seeds = seedsLine(s, diags);
        if (seeds) out.seeds = seeds;
        break;
      }
      case 'sampler': {
        const w = oneWord(s, SAMPLERS, diags, 'a sampler');
        if (w) {
          out.sampler = w as SamplerName;
          samplerGiven = true;
        }
        const seed = attr('seed');
        if (seed) {
          const n = numberValue(seed.value, diags, { min: 0, whole: true, what: "the sampler's seed" });
          if (n !== undefined) out.samplerSeed = n;
        }
        break;
      }
      case 'objective': {
        const o = objectiveLine(s, diags);
        if (o) out.objective = o;
        break;
      }
      case 'stop':
        out.stop = stopLine(s, attrs, diags);
        break;
      case 'pruner': {
        const w = oneWord(s, PRUNERS, diags, 'a pruner');
        if (w) out.pruner = w as PrunerName;
        break;
      }
    }
  }
  if (!samplerGiven) out.sampler = out.space.length ? 'random' : 'grid';
  return out;
}

function unknownLine(s: SweepStmt, diags: Diagnostics): void {
  const words = SWEEP_LINES.map((l) => l.word);
  const near = didYouMean(s.word, words);
  // `lr 0.01` in a sweep: settings are varied by grid and search lines
  const setting = !near && (SETTING_BY_KIND.has(s.word) || resolveSettingPath(`train.${s.word}`)) ? `train.${s.word}` : undefined;
  diags.error(
    'HWY6001',
    s.wordSpan,
    `unknown sweep line '${s.word}'`,
    near ?? (setting ? `a sweep varies a training setting with a grid or search line: grid ${setting} [${s.args.map(shown).join(', ') || '…'}]` : `a sweep's lines: ${words.join(', ')}`),
  );
}

function notSweptTwice(n: SweptName, swept: Map<string, Span>, diags: Diagnostics): boolean {
  const key = sweptKey(n);
  const prev = swept.get(key);
  if (prev) {
    diags.error('HWY6006', n.span, `'${n.name}' is swept twice`, 'vary each name on one grid or search line', [{ span: prev, message: 'first swept here' }]);
    return false;
  }
  swept.set(key, n.span);
  return true;
}

function networksLine(s: SweepStmt, diags: Diagnostics): NetworkRef[] {
  const out: NetworkRef[] = [];
  const labels = new Map<string, Span>();
  for (const v of s.args) {
    if (v.type !== 'string') {
      diags.error('HWY6001', v.span, `a network is a spec file in double quotes, not ${shown(v)}`, 'networks "mlp.hwy", or labelled: networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"');
      continue;
    }
    out.push({ path: v.value, span: v.span });
  }
  for (const a of s.attrs) {
    if (a.value.type !== 'string') {
      diags.error('HWY6001', a.value.span, `a network is a spec file in double quotes, not ${shown(a.value)}`, `${a.name}="${a.name}.hwy"`);
      continue;
    }
    const prev = labels.get(a.name);
    if (prev) {
      diags.error('HWY6005', a.nameSpan, `two networks are labelled '${a.name}'`, 'each network needs a label of its own', [{ span: prev, message: 'first labelled here' }]);
      continue;
    }
    labels.set(a.name, a.nameSpan);
    out.push({ label: a.name, labelSpan: a.nameSpan, path: a.value.value, span: a.span });
  }
  if (!s.args.length && !s.attrs.length) diags.error('HWY6001', s.wordSpan, "'networks' names no network", 'networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"; leave the line out to sweep the network of this file');
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

/** `depth`, `train.lr`: a constant or a setting path, checked against the settings hwy has. */
function sweptName(v: SweepValue | undefined, s: SweepStmt, diags: Diagnostics): SweptName | undefined {
  if (!v || v.type !== 'name') {
    const line = SWEEP_LINE_BY_WORD.get(s.word)!;
    diags.error('HWY6001', v?.span ?? s.wordSpan, `'${s.word}' needs the name of a constant or training setting first${v ? `, not ${shown(v)}` : ''}`, `for example: ${line.example}`);
    return undefined;
  }
  if (isSettingPath(v.name)) {
    const where = resolveSettingPath(v.name);
    if ('error' in where) {
      diags.error('HWY6002', v.span, where.error);
      return undefined;
    }
    if (where.kind === 'epochs') {
      diags.error('HWY6006', v.span, "a sweep's trials train for the epochs its stop rule gives", 'write stop epochs=N (the most epochs a trial trains)');
      return undefined;
    }
    if (where.kind === 'seed') {
      diags.error('HWY6006', v.span, "a sweep's seeds are its own: each trial trains once per seed", 'write seeds N (seeds 1 to N) or seeds [a, b]');
      return undefined;
    }
    const type = SETTING_BY_KIND.get(where.kind)!.attrs.find((a) => a.name === where.attr)!.type;
    return { name: v.name, span: v.span, target: 'setting', type };
  }
  if (v.name.includes('.')) {
    diags.error('HWY6002', v.span, `there is no setting '${v.name}'`, didYouMean(v.name, settingPaths()) ?? 'training settings are train.SETTING or train.SETTING.ATTRIBUTE (train.lr, train.optimizer.momentum) or data.ATTRIBUTE; constants are plain names');
    return undefined;
  }
  return { name: v.name, span: v.span, target: 'constant' };
}

/** A grid value or choice: a number, a name or a string; lists are not values of a sweep. */
function paramValue(v: SweepValue, diags: Diagnostics): SweptValue | undefined {
  if (v.type === 'list') {
    diags.error('HWY6003', v.span, 'a list inside a list: each value of a grid or choice is a number, a name or a string');
    return undefined;
  }
  if (v.type === 'num' && !Number.isFinite(v.value)) {
    diags.error('HWY6003', v.span, 'this number is too large');
    return undefined;
  }
  return { value: v.type === 'num' ? v.value : v.type === 'name' ? v.name : v.value, span: v.span };
}

/** The values of a list, each once. */
function listValues(list: SweepValue, what: string, diags: Diagnostics): SweptValue[] | undefined {
  if (list.type !== 'list') return undefined;
  if (!list.items.length) {
    diags.error('HWY6003', list.span, `${what} has no values`, 'list at least one: [10, 20]');
    return undefined;
  }
  const out: SweptValue[] = [];
  const seen = new Map<ParamValue, Span>();
  for (const item of list.items) {
    const v = paramValue(item, diags);
    if (!v) return undefined;
    const prev = seen.get(v.value);
    if (prev) {
      diags.error('HWY6003', v.span, `${JSON.stringify(v.value)} is listed twice in ${what}`, 'list each value once', [{ span: prev, message: 'first listed here' }]);
      return undefined;
    }
    seen.set(v.value, v.span);
    out.push(v);
  }
  return out;
}

/** A value of the setting's type, as far as the catalogue tells without the networks (compiling says the rest). */
function fitsSetting(n: SweptName, v: SweptValue, diags: Diagnostics): boolean {
  if (n.target !== 'setting') return true;
  if (typeof v.value === 'number' && named(n.type)) {
    diags.error('HWY6003', v.span, `'${n.name}' takes a name, not ${v.value}`, n.type?.t === 'enum' ? `one of ${n.type.values.join(', ')}` : undefined);
    return false;
  }
  if (typeof v.value === 'number' && whole(n.type) && !Number.isInteger(v.value)) {
    diags.error('HWY6003', v.span, `'${n.name}' takes whole numbers, not ${v.value}`);
    return false;
  }
  return true;
}

function gridLine(s: SweepStmt, diags: Diagnostics): LoweredAxis | undefined {
  const name = sweptName(s.args[0], s, diags);
  if (!name) return undefined;
  const list = s.args[1];
  if (!list || list.type !== 'list' || s.args.length > 2) {
    const rest = s.args.slice(1).filter((v) => v.type !== 'list');
    diags.error('HWY6001', (rest[0] ?? list ?? s.args[0]).span, `'grid ${name.name}' takes one list of values`, `grid ${name.name} [${rest.map(shown).join(', ') || '…'}]`);
    return undefined;
  }
  const values = listValues(list, `the grid of '${name.name}'`, diags);
  if (!values || !values.every((v) => fitsSetting(name, v, diags))) return undefined;
  return { name, values, span: s.span };
}

function searchLine(s: SweepStmt, stepValue: SweepValue | undefined, diags: Diagnostics): LoweredParam | undefined {
  const name = sweptName(s.args[0], s, diags);
  if (!name) return undefined;
  const distWord = s.args[1];
  if (!distWord || distWord.type !== 'name' || !(DISTRIBUTIONS as readonly string[]).includes(distWord.name)) {
    const word = distWord?.type === 'name' ? distWord.name : undefined;
    diags.error(
      'HWY6001',
      distWord?.span ?? s.args[0].span,
      distWord ? `unknown distribution ${word !== undefined ? `'${word}'` : shown(distWord)}` : `'search ${name.name}' needs a distribution`,
      (word && didYouMean(word, DISTRIBUTIONS)) ?? `distributions: ${DISTRIBUTIONS.map((d) => DISTRIBUTION_DOCS[d].example).join('; ')}`,
    );
    return undefined;
  }
  const dist = distWord.name as DistributionName;
  const args = s.args.slice(2);
  const example = `search ${name.name} ${DISTRIBUTION_DOCS[dist].example}`;
  if (stepValue && dist !== 'int') {
    diags.error('HWY6001', stepValue.span, `step= belongs to int; ${dist} takes none`, `for example: search ${name.name} int 16 256 step=16`);
    return undefined;
  }
  if (dist === 'choice') {
    if (args.length !== 1 || args[0].type !== 'list') {
      diags.error('HWY6001', (args[0] ?? distWord).span, 'choice takes one list of values', `for example: ${example}`);
      return undefined;
    }
    const choices = listValues(args[0], `the choices of '${name.name}'`, diags);
    if (!choices || !choices.every((v) => fitsSetting(name, v, diags))) return undefined;
    return { name, dist: { type: 'choice', choices: choices.map((c) => c.value) }, points: choices, span: s.span };
  }
  // uniform, loguniform, int: LOW HIGH
  if (args.length !== 2 || args.some((a) => a.type !== 'num')) {
    diags.error('HWY6001', (args.find((a) => a.type !== 'num') ?? args[2] ?? distWord).span, `${dist} takes two numbers, the lowest and the highest`, `for example: ${example}`);
    return undefined;
  }
  const [lo, hi] = args as Extract<SweepValue, { type: 'num' }>[];
  const range = `${lo.text} to ${hi.text}`;
  const whole_ = dist === 'int';
  if (named(name.type)) {
    diags.error('HWY6003', distWord.span, `'${name.name}' takes a name: ${dist} draws numbers`, `search it with choice: search ${name.name} choice [${name.type?.t === 'enum' ? name.type.values.join(', ') : '…'}]`);
    return undefined;
  }
  if (!whole_ && whole(name.type)) {
    diags.error('HWY6003', distWord.span, `'${name.name}' takes whole numbers: ${dist} draws fractions`, `search it with int: search ${name.name} int ${lo.text} ${hi.text}`);
    return undefined;
  }
  if (whole_ && (!Number.isInteger(lo.value) || !Number.isInteger(hi.value))) {
    const bad = Number.isInteger(lo.value) ? hi : lo;
    diags.error('HWY6003', bad.span, `int draws whole numbers: its ends are whole, not ${bad.text}`, `for fractions: search ${name.name} uniform ${lo.text} ${hi.text}`);
    return undefined;
  }
  if (lo.value === hi.value) {
    diags.error('HWY6003', hi.span, `the range ${range} is empty: it holds one value`, `a single value is fixed, not searched: grid ${name.name} [${lo.text}]`);
    return undefined;
  }
  if (lo.value > hi.value) {
    diags.error('HWY6003', { file: lo.span.file, start: lo.span.start, end: hi.span.end }, `the range ${range} is inverted: the lowest comes first`, `write ${dist} ${hi.text} ${lo.text}`);
    return undefined;
  }
  if (dist === 'loguniform' && lo.value <= 0) {
    diags.error('HWY6003', lo.span, `loguniform draws on a log scale: its lowest must be above 0, not ${lo.text}`, `use uniform for a range that includes 0 or negative numbers`);
    return undefined;
  }
  const points: SweptValue[] = [
    { value: lo.value, span: lo.span },
    { value: hi.value, span: hi.span },
  ];
  if (dist === 'int') {
    const step = stepValue ? numberValue(stepValue, diags, { min: 1, whole: true, what: 'step' }) : 1;
    if (step === undefined) return undefined;
    if ((hi.value - lo.value) % step !== 0) {
      diags.error('HWY6003', stepValue!.span, `the range ${range} is not a whole number of steps of ${step}`, `end it at ${lo.value + step * Math.floor((hi.value - lo.value) / step)} or ${lo.value + step * Math.ceil((hi.value - lo.value) / step)}`);
      return undefined;
    }
    return { name, dist: { type: 'int', low: lo.value, high: hi.value, step }, points, span: s.span };
  }
  return { name, dist: { type: dist, low: lo.value, high: hi.value }, points, span: s.span };
}

function numberValue(v: SweepValue, diags: Diagnostics, o: { min?: number; minExclusive?: boolean; whole?: boolean; what: string }): number | undefined {
  if (v.type !== 'num') {
    diags.error('HWY6003', v.span, `${o.what} must be ${o.whole ? 'a whole number' : 'a number'}, not ${shown(v)}`);
    return undefined;
  }
  if (!Number.isFinite(v.value)) {
    diags.error('HWY6003', v.span, 'this number is too large');
    return undefined;
  }
  if (o.whole && !Number.isInteger(v.value)) {
    diags.error('HWY6003', v.span, `${o.what} must be a whole number, not ${v.text}`);
    return undefined;
  }
  if (o.min !== undefined && (v.value < o.min || (o.minExclusive && v.value === o.min))) {
    diags.error('HWY6003', v.span, `${o.what} must be ${o.minExclusive ? 'above' : 'at least'} ${o.min}, not ${v.text}`);
    return undefined;
  }
  return v.value;
}

function oneNumber(s: SweepStmt, diags: Diagnostics, o: { min?: number; whole?: boolean; what: string }): number | undefined {
  if (s.args.length !== 1) {
    diags.error('HWY6001', s.args[1]?.span ?? s.wordSpan, `'${s.word}' takes one number`, `for example: ${SWEEP_LINE_BY_WORD.get(s.word)!.example}`);
    return undefined;
  }
  return numberValue(s.args[0], diags, o);
}

function oneWord(s: SweepStmt, words: readonly string[], diags: Diagnostics, what: string): string | undefined {
  const v = s.args[0];
  if (s.args.length !== 1 || v.type !== 'name') {
    diags.error('HWY6001', (s.args[1] ?? v)?.span ?? s.wordSpan, `'${s.word}' takes ${what}: ${words.join(', ')}`, `for example: ${SWEEP_LINE_BY_WORD.get(s.word)!.example}`);
    return undefined;
  }
  if (!words.includes(v.name)) {
    diags.error('HWY6001', v.span, `unknown ${what.replace(/^an? /, '')} '${v.name}'`, didYouMean(v.name, words) ?? `${what.replace(/^an? /, '')}s: ${words.join(', ')}`);
    return undefined;
  }
  return v.name;
}

function seedsLine(s: SweepStmt, diags: Diagnostics): number[] | undefined {
  const v = s.args[0];
  if (s.args.length === 1 && v.type === 'list') {
    const items = listValues(v, "the sweep's seeds", diags);
    if (!items) return undefined;
    const out: number[] = [];
    for (const [i, it] of items.entries()) {
      const n = numberValue(v.items[i], diags, { min: 0, whole: true, what: 'a seed' });
      if (n === undefined || typeof it.value !== 'number') return undefined;
      out.push(n);
    }
    return out;
  }
  const n = oneNumber(s, diags, { min: 1, whole: true, what: 'seeds' });
  return n === undefined ? undefined : Array.from({ length: n }, (_, i) => i + 1);
}

const DIRECTION_WORDS: Record<string, 'minimize' | 'maximize'> = { min: 'minimize', max: 'maximize', minimize: 'minimize', maximize: 'maximize' };

function objectiveLine(s: SweepStmt, diags: Diagnostics): LoweredSweep['objective'] | undefined {
  let metric: ObjectiveMetric | undefined;
  let direction: 'minimize' | 'maximize' | undefined;
  let reduce: 'final' | 'best' | undefined;
  let directionSpan: Span | undefined;
  const words = [...METRICS, 'min', 'max', 'final', 'best'];
  for (const v of s.args) {
    const w = v.type === 'name' ? v.name : undefined;
    const twice = () => diags.error('HWY6001', v.span, `'objective' names its ${w && (METRICS as readonly string[]).includes(w) ? 'metric' : w && DIRECTION_WORDS[w] ? 'direction' : 'epoch'} twice`, 'for example: objective val_loss min final');
    if (w && (METRICS as readonly string[]).includes(w)) {
      if (metric) return twice(), undefined;
      metric = w as ObjectiveMetric;
    } else if (w && Object.hasOwn(DIRECTION_WORDS, w)) {
      if (direction) return twice(), undefined;
      direction = DIRECTION_WORDS[w];
      directionSpan = v.span;
    } else if (w === 'final' || w === 'best') {
      if (reduce) return twice(), undefined;
      reduce = w;
    } else {
      diags.error('HWY6001', v.span, `unknown objective word ${w ? `'${w}'` : shown(v)}`, (w && didYouMean(w, words)) ?? `an objective is a metric (${METRICS.join(', ')}), min or max, and final or best`);
      return undefined;
    }
  }
  if (!metric) {
    diags.error('HWY6001', s.args[0]?.span ?? s.wordSpan, "'objective' needs a metric", `one of ${METRICS.join(', ')}: objective val_loss min final`);
    return undefined;
  }
  const natural = metric.endsWith('loss') ? 'minimize' : 'maximize';
  if (direction && direction !== natural) {
    diags.error('HWY6006', directionSpan!, `${metric} is ${natural === 'minimize' ? 'minimised' : 'maximised'}: the best trial has the ${natural === 'minimize' ? 'lowest' : 'highest'}`, `write objective ${metric} ${natural === 'minimize' ? 'min' : 'max'}, or judge by ${metric.endsWith('loss') ? metric.replace('loss', 'accuracy') : metric.replace('accuracy', 'loss')}`);
    return undefined;
  }
  return { metric, direction: natural, reduce: reduce ?? 'final', span: s.span };
}

function stopLine(s: SweepStmt, attrs: SweepStmt['attrs'], diags: Diagnostics): LoweredSweep['stop'] {
  const out: LoweredSweep['stop'] = { span: s.span };
  if (s.args.length) diags.error('HWY6001', s.args[0].span, "'stop' takes name=value attributes", `for example: stop epochs=25 patience=5 (${STOP_ATTRS.map((a) => a.name).join(', ')})`);
  for (const a of attrs) {
    if (a.name === 'epochs') out.maxEpochs = numberValue(a.value, diags, { min: 1, whole: true, what: 'epochs' });
    else if (a.name === 'patience') out.patience = numberValue(a.value, diags, { min: 1, whole: true, what: 'patience' });
    else if (a.name === 'target_loss') out.targetLoss = numberValue(a.value, diags, { min: 0, minExclusive: true, what: 'target_loss' });
    else if (a.name === 'min_improvement') out.minImprovement = numberValue(a.value, diags, { min: 0, what: 'min_improvement' });
  }
  if (!attrs.length && !s.args.length) diags.error('HWY6001', s.wordSpan, "'stop' names no rule", 'for example: stop epochs=25 patience=5');
  return out;
}

/** The text a value takes as a `--set train.…=` value: numbers and names bare, lists as written, other strings quoted. */
export function settingText(v: ParamValue): string {
  if (typeof v === 'number') return String(v);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || /^\[.*\]$/.test(v) ? v : JSON.stringify(v);
}

/** Where a command-line flag's problems are reported: the flag is their file. */
function flagSpan(flag: string): Span {
  const start = { line: 1, col: 1, offset: 0 };
  return { file: flag, start, end: start };
}

/** The same setting however its path is written (`train.momentum`, `train.optimizer.momentum`); a constant by its name. */
function sweptKey(n: { name: string; target: 'constant' | 'setting' }): string {
  if (n.target === 'constant') return n.name;
  const where = resolveSettingPath(n.name);
  return 'error' in where ? n.name : `${where.kind}.${where.attr}`;
}

/**
 * Applies the command line's changes to a read sweep. `--set NAME=VALUE` fixes a name for
 * the whole sweep: a grid axis or searched name of that name gives way to the one value.
 */
export function applyExperimentOverrides(sweep: LoweredSweep, o: ExperimentOverrides, diags: Diagnostics): void {
  const whole = (flag: string, n: number | undefined, min: number): number | undefined => {
    if (n === undefined) return undefined;
    if (!Number.isInteger(n) || n < min) {
      diags.error('HWY6003', flagSpan(`${flag} ${n}`), `${flag} must be a whole number of at least ${min}, not ${n}`);
      return undefined;
    }
    return n;
  };
  const trials = whole('--trials', o.trials, 1);
  if (trials !== undefined) sweep.trials = { value: trials, span: flagSpan(`--trials ${trials}`) };
  const seeds = whole('--seeds', o.seeds, 1);
  if (seeds !== undefined) sweep.seeds = Array.from({ length: seeds }, (_, i) => i + 1);
  const epochs = whole('--epochs', o.epochs, 1);
  if (epochs !== undefined) sweep.stop.maxEpochs = epochs;
  const patience = whole('--patience', o.patience, 1);
  if (patience !== undefined) sweep.stop.patience = patience;
  const seed = whole('--seed', o.seed, 0);
  if (seed !== undefined) sweep.samplerSeed = seed;
  if (o.targetLoss !== undefined) {
    if (!(o.targetLoss > 0) || !Number.isFinite(o.targetLoss)) diags.error('HWY6003', flagSpan(`--target-loss ${o.targetLoss}`), `--target-loss must be a number above 0, not ${o.targetLoss}`);
    else sweep.stop.targetLoss = o.targetLoss;
  }
  if (o.minImprovement !== undefined) {
    if (!(o.minImprovement >= 0) || !Number.isFinite(o.minImprovement)) diags.error('HWY6003', flagSpan(`--min-improvement ${o.minImprovement}`), `--min-improvement must be a number of at least 0, not ${o.minImprovement}`);
    else sweep.stop.minImprovement = o.minImprovement;
  }
  const word = (flag: string, v: string | undefined, words: readonly string[]): string | undefined => {
    if (v === undefined) return undefined;
    if (words.includes(v)) return v;
    diags.error('HWY6001', flagSpan(`${flag} ${v}`), `unknown ${flag.slice(2)} '${v}'`, didYouMean(v, words) ?? `${flag.slice(2)}s: ${words.join(', ')}`);
    return undefined;
  };
  const sampler = word('--sampler', o.sampler, SAMPLERS);
  if (sampler) sweep.sampler = sampler as SamplerName;
  const pruner = word('--pruner', o.pruner, PRUNERS);
  if (pruner) sweep.pruner = pruner as PrunerName;

  const fixed: { name: SweptName; value: SweptValue }[] = [];
  for (const [name, value] of Object.entries(o.constants ?? {})) {
    const span = flagSpan(`--set ${name}=${value}`);
    fixed.push({ name: { name, span, target: 'constant' }, value: { value, span } });
  }
  for (const s of o.settings ?? []) {
    const span = flagSpan(`--set ${s.path}=${s.value}`);
    const where = resolveSettingPath(s.path);
    if ('error' in where) {
      diags.error('HWY2011', span, where.error);
      continue;
    }
    const n = Number(s.value);
    const value = s.value.trim() !== '' && Number.isFinite(n) ? n : s.value;
    const type = SETTING_BY_KIND.get(where.kind)!.attrs.find((a) => a.name === where.attr)!.type;
    fixed.push({ name: { name: s.path, span, target: 'setting', type }, value: { value, span } });
  }
  for (const f of fixed) {
    const key = sweptKey(f.name);
    sweep.grid = sweep.grid.filter((a) => sweptKey(a.name) !== key);
    sweep.space = sweep.space.filter((p) => sweptKey(p.name) !== key);
    sweep.grid.push({ name: f.name, values: [f.value], span: f.value.span });
  }
}
