import { Diagnostics } from '../diagnostics/types.js';
import { ARRAY_FORMATS, BLOCK_BY_KIND, OPTIMIZER_NAMES, SETTING_BY_KIND, optimizerAttrs, optimizerDefaults, type OptimizerName } from '../language/catalogue.js';
import { didYouMean } from '../language/suggest.js';
import { KINDS, kindOfBlock } from '../language/kinds.js';
import { IR_VERSION, type ConstantValue, type DraftLayer, type LayerKind, type DraftNetworkIR, type Expect, type NetworkSourceIR, type SourceIR, type SrcBlock, type SrcNode, type TrainConfig, type RepeatIndex } from '../ir/types.js';
import { convertValue, evalConstant, evalExpr, type Concrete, type Env } from './evaluate.js';
import type { Limits } from './limits.js';
import { thousands } from '../language/thousands.js';

/** Attribute names of the language -> field names of the IR: `gate_bias` -> `gateBias` (memoised: asked once an attribute a layer). */
const FIELDS = new Map<string, string>();
function fieldOf(attr: string): string {
  let f = FIELDS.get(attr);
  if (f === undefined) FIELDS.set(attr, (f = attr.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
  return f;
}

export function evaluateConstants(src: SourceIR, overrides: Record<string, ConstantValue>, diags: Diagnostics): Env {
  const env: Env = new Map();
  for (const l of src.lets) {
    // Names are data: Object.hasOwn, so that `let constructor = 3` is not read as Object's constructor.
    const v = Object.hasOwn(overrides, l.name) ? overrides[l.name] : evalConstant(l.value, env, diags);
    env.set(l.name, v ?? null);
  }
  return env;
}

/**
 * Constant folding and repeat expansion: source IR -> flat network IR. The size of the
 * expansion is computed before anything is allocated, so a repeat in the millions is
 * refused with a limit error rather than exhausting memory.
 */
export function expand(src: NetworkSourceIR, overrides: Record<string, ConstantValue>, diags: Diagnostics, limits: Limits): DraftNetworkIR {
  const env = evaluateConstants(src, overrides, diags);
  const ir: DraftNetworkIR = {
    irVersion: IR_VERSION,
    file: src.file,
    network: { name: src.network.name, span: src.network.span },
    constants: Object.fromEntries([...env].filter((e): e is [string, ConstantValue] => e[1] !== null)),
    layers: [],
    expects: [],
    train: expandTrain(src, env, diags),
    stats: null,
  };
  const counts = new Map<SrcNode, number>();
  const total = countLayers(src.network.body, env, diags, limits, counts);
  if (total === undefined || total > limits.maxLayers) return ir;
  new Expander(env, diags, ir, counts).run(src.network.body);
  return ir;
}

/**
 * Statements expansion may visit per layer allowed: a repeat iteration, an `expect` or a
 * `defaults` costs work but adds no layer, so `repeat 1000000000 { expect 8 }` must hit a
 * limit too.
 */
const STEPS_PER_LAYER = 4;

const many = (n: number) => (n > 1e15 ? 'more than 10^15' : thousands(n));

/**
 * Layers a body expands to; undefined when a count is invalid or a limit is crossed
 * (reported). Both limits are checked after every statement, inside repeats too, so the
 * error points at the statement that crosses them and nothing is expanded past them.
 */
function countLayers(nodes: SrcNode[], env: Env, diags: Diagnostics, limits: Limits, counts: Map<SrcNode, number>): number | undefined {
  const r = countWork(nodes, env, diags, limits, counts);
  return r?.layers;
}

function countWork(nodes: SrcNode[], env: Env, diags: Diagnostics, limits: Limits, counts: Map<SrcNode, number>): { layers: number; steps: number } | undefined {
  let layers = 0;
  let steps = 0;
  const maxSteps = limits.maxLayers * STEPS_PER_LAYER;
  for (const n of nodes) {
    let span = n.type === 'block' ? n.span : n.headSpan;
    if (n.type === 'block') {
      if (n.kind !== 'expect' && n.kind !== 'defaults') layers++;
      steps++;
    } else {
      const c = evalExpr(n.count, env, diags);
      if (c === undefined) return undefined;
      if (!Number.isInteger(c) || c < 0) {
        diags.error('HWY4003', n.headSpan, `a repeat count must be a whole number of at least 0, not ${c}`);
        return undefined;
      }
      counts.set(n, c);
      const inner = countWork(n.body, env, diags, limits, counts);
      if (inner === undefined) return undefined;
      layers += c * inner.layers;
      // Each iteration is a step of its own, so an empty or layer-free body is bounded too.
      steps += c * (inner.steps + 1);
      span = n.headSpan;
    }
    if (layers > limits.maxLayers) {
      diags.error('HWY4001', span, `the network expands to ${many(layers)} layers here; the limit is ${thousands(limits.maxLayers)}`, n.type === 'repeat' ? 'lower the repeat count' : 'split the network or use fewer layers');
      return undefined;
    }
    if (steps > maxSteps) {
      diags.error(
        'HWY4001',
        span,
        `expanding the network takes ${many(steps)} steps here; the limit is ${thousands(maxSteps)}`,
        n.type === 'repeat' ? 'lower the repeat count: a repeated body that adds no layers still costs a step each time' : 'use fewer statements',
      );
      return undefined;
    }
  }
  return { layers, steps };
}

class Expander {
  private readonly defaults = new Map<string, Concrete>();
  private readonly counters = new Map<string, number>();
  /** Converted attributes per block: the environment is the same in every repetition. */
  private readonly converted = new Map<SrcBlock, Map<string, Concrete> | null>();
  private readonly stack: RepeatIndex[] = [];
  private readonly kinds = new Map<SrcBlock, LayerKind>();

  constructor(
    private readonly env: Env,
    private readonly diags: Diagnostics,
    private readonly ir: DraftNetworkIR,
    private readonly counts: Map<SrcNode, number>,
  ) {}

  run(nodes: SrcNode[]): void {
    for (const n of nodes) {
      if (n.type === 'repeat') {
        const c = this.counts.get(n) ?? 0;
        for (let i = 1; i <= c; i++) {
          this.stack.push({ index: i, count: c });
          this.run(n.body);
          this.stack.pop();
        }
      } else {
        this.block(n);
      }
    }
  }

  private convert(b: SrcBlock): Map<string, Concrete> | null {
    let m = this.converted.get(b);
    if (m !== undefined) return m;
    const spec = BLOCK_BY_KIND.get(b.kind)!;
    m = new Map();
    let ok = true;
    for (const [name, a] of Object.entries(b.attrs)) {
      const as = spec.attrs.find((x) => x.name === name)!;
      const v = convertValue(a.value, as.type, this.env, this.diags, `'${name}'`);
      if (v === undefined) ok = false;
      // a name a number takes (`gate_bias=auto`) means "as if not written": earlier defaults, else the guideline
      else if (!(as.type.t === 'number' && typeof v === 'string')) m.set(name, v);
    }
    if (!ok) m = null;
    this.converted.set(b, m);
    return m;
  }

  /** The layer kind a block writes, found once a block rather than once a repetition. */
  private kindOf(b: SrcBlock): LayerKind {
    let kind = this.kinds.get(b);
    if (kind === undefined) {
      kind = kindOfBlock(b.kind, b.modifier);
      if (!kind) throw new Error(`no layer kind is written '${b.modifier ? b.modifier + ' ' : ''}${b.kind}'`); // lowering admits only catalogue blocks
      this.kinds.set(b, kind);
    }
    return kind;
  }

  private block(b: SrcBlock): void {
    const attrs = this.convert(b);
    if (b.kind === 'defaults') {
      if (attrs) for (const [k, v] of attrs) this.defaults.set(k, v);
      return;
    }
    const last = this.ir.layers.length ? this.ir.layers[this.ir.layers.length - 1].name : null;
    if (b.kind === 'expect') {
      const shape = attrs?.get('shape');
      if (shape) this.ir.expects.push({ shape: shape as number[], after: last, span: b.span } satisfies Expect);
      return;
    }
    const kind = this.kindOf(b);
    const def = KINDS[kind];
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    const layer = { name: `${kind}_${n}`, kind, span: b.span, inserted: false, given: [] } as DraftLayer;
    if (this.stack.length) layer.repeat = this.stack.map((r) => ({ ...r }));
    if (def.fromKeyword) Object.assign(layer, def.fromKeyword(b.kind));
    // Attributes are checked against the catalogue by lowering; here they are copied by name.
    const rec = layer as unknown as Record<string, unknown>;
    for (const [k, v] of attrs ?? []) {
      rec[fieldOf(k)] = Array.isArray(v) ? [...v] : v;
      layer.given.push(k);
    }
    for (const [k, v] of this.defaults) {
      if (def.takesDefaults.includes(k) && rec[fieldOf(k)] === undefined) {
        rec[fieldOf(k)] = v;
        layer.given.push(k);
      }
    }
    this.ir.layers.push(layer);
  }
}

export const TRAIN_DEFAULTS: TrainConfig = {
  data: { name: 'mnist', normalize: 'scale', augment: [], validation: 0.1 },
  optimizer: { name: 'sgd', momentum: 0.9, nesterov: false },
  lr: { value: 0.01, schedule: 'constant', gamma: 1, steps: [], minLr: 0, warmup: 0, warmupSteps: 0 },
  weightDecay: 0,
  batch: 128,
  epochs: 10,
  seed: 1,
};

/** `optimizer adagrad`: said in the user's words, with the optimizers hwy has. */
function unknownOptimizer(s: SrcBlock, diags: Diagnostics): boolean {
  const v = s.attrs.name?.value;
  const item = v?.type === 'dims' && v.items.length === 1 ? v.items[0] : undefined;
  if (item?.type !== 'ref') return false;
  const known: readonly string[] = OPTIMIZER_NAMES;
  if (known.includes(item.name)) return false;
  diags.error('HWY2003', v!.span, `unknown optimizer '${item.name}'`, didYouMean(item.name, known) ?? `hwy has ${known.join(', ')}: write 'optimizer adam' or 'optimizer sgd momentum=0.9'`);
  return true;
}

/** npz and npy name their arrays with a path; the named data sets take none. */
function dataPath(s: SrcBlock, data: TrainConfig['data'], diags: Diagnostics): void {
  const arrays = (ARRAY_FORMATS as readonly string[]).includes(data.name);
  if (arrays && !s.attrs.path && s.attrs.name) {
    diags.error('HWY2006', s.kindSpan, `'data ${data.name}' needs the path of its arrays`, data.name === 'npz' ? `for example: data npz "data/mnist.npz"` : `for example: data npy "data/arrays" (a directory holding x_train.npy, y_train.npy)`);
  } else if (!arrays && s.attrs.path) {
    diags.error('HWY2002', s.attrs.path.span, `'${data.name}' is read by name and takes no path`, `for NumPy arrays write 'data npz "file.npz"' or 'data npy "directory"'; the files of ${data.name} come from dir= or --data-dir`);
  }
}

/** `optimizer sgd beta1=0.8`: an attribute of another optimizer, named as such rather than ignored. */
function foreignAttr(attr: string, name: OptimizerName): string {
  const owners = OPTIMIZER_NAMES.filter((o) => optimizerAttrs(o).includes(attr));
  const takes = optimizerAttrs(name);
  return `${owners.length ? `'${attr}' is a setting of ${owners.join(' and ')}; ` : ''}${name} takes ${takes.join(', ')}`;
}

/** Attributes of the lr line that cannot hold together, said where they are written. */
function checkLr(s: SrcBlock, lr: TrainConfig['lr'], diags: Diagnostics): void {
  const at = (name: string) => s.attrs[name]?.span ?? s.kindSpan;
  if (s.attrs.warmup && s.attrs.warmup_steps && lr.warmup > 0 && lr.warmupSteps > 0) {
    diags.error('HWY2007', at('warmup_steps'), "give 'warmup' (epochs) or 'warmup_steps' (steps), not both", 'keep one of them', [{ span: at('warmup'), message: "'warmup' given here" }]);
  }
  if (s.attrs.min_lr && lr.schedule !== 'cosine') {
    diags.error('HWY2002', at('min_lr'), `'min_lr' is the floor of schedule=cosine; this schedule is ${lr.schedule}`, "add schedule=cosine, or leave 'min_lr' out");
  } else if (lr.schedule === 'cosine' && lr.minLr >= lr.value) {
    diags.error('HWY2003', at('min_lr'), `'min_lr' must be below the learning rate (${lr.value}), not ${lr.minLr}`, 'the cosine schedule decays from the rate down to min_lr');
  }
}

function expandTrain(src: SourceIR, env: Env, diags: Diagnostics): TrainConfig {
  const t: TrainConfig = structuredClone(TRAIN_DEFAULTS);
  if (!src.train) return t;
  const seen = new Map<string, SrcBlock>();
  let gammaGiven = false;
  let lrBlock: SrcBlock | undefined;
  for (const s of src.train.settings) {
    const prev = seen.get(s.kind);
    if (prev) {
      diags.error('HWY2007', s.kindSpan, `'${s.kind}' is given twice`, 'keep one of them', [{ span: prev.kindSpan, message: 'first given here' }]);
      continue;
    }
    seen.set(s.kind, s);
    const spec = SETTING_BY_KIND.get(s.kind)!;
    const v = (name: string): Concrete | undefined => {
      const a = s.attrs[name];
      if (!a) return undefined;
      // Messages name what the person wrote: 'batch must be at least 1', not the catalogue's internal 'value'.
      const what = name === 'value' ? s.kind : name === 'name' ? (s.kind === 'data' ? 'the data set' : `the ${s.kind}`) : `'${name}'`;
      return convertValue(a.value, spec.attrs.find((x) => x.name === name)!.type, env, diags, what);
    };
    const set = <T>(val: Concrete | undefined, f: (x: T) => void) => {
      if (val !== undefined) f(val as T);
    };
    switch (s.kind) {
      case 'data':
        set<string>(v('name'), (x) => (t.data.name = x));
        set<string>(v('dir'), (x) => (t.data.dir = x));
        set<string>(v('path'), (x) => (t.data.path = x));
        dataPath(s, t.data, diags);
        set<TrainConfig['data']['normalize']>(v('normalize'), (x) => (t.data.normalize = x));
        set<string[]>(v('augment'), (x) => (t.data.augment = x));
        set<number>(v('validation'), (x) => (t.data.validation = x));
        break;
      case 'optimizer': {
        // checked like every other value: an optimizer hwy does not have is an error, not SGD
        if (unknownOptimizer(s, diags)) break;
        // a named optimizer starts from its own defaults; its attributes then apply to it
        set<OptimizerName>(v('name'), (x) => (t.optimizer = optimizerDefaults(x)));
        const name = t.optimizer.name;
        const fields = t.optimizer as unknown as Record<string, unknown>;
        for (const attr of Object.keys(s.attrs)) {
          if (attr === 'name') continue;
          if (!optimizerAttrs(name).includes(attr)) {
            diags.error('HWY2002', s.attrs[attr].span, `'${attr}' is not a setting of ${name}`, foreignAttr(attr, name));
            continue;
          }
          set<number | boolean>(v(attr), (x) => (fields[fieldOf(attr)] = x));
        }
        break;
      }
      case 'lr':
        set<number>(v('value'), (x) => (t.lr.value = x));
        set<TrainConfig['lr']['schedule']>(v('schedule'), (x) => (t.lr.schedule = x));
        set<number>(v('gamma'), (x) => {
          t.lr.gamma = x;
          gammaGiven = true;
        });
        set<number[]>(v('steps'), (x) => (t.lr.steps = x));
        set<number>(v('min_lr'), (x) => (t.lr.minLr = x));
        set<number>(v('warmup'), (x) => (t.lr.warmup = x));
        set<number>(v('warmup_steps'), (x) => (t.lr.warmupSteps = x));
        lrBlock = s;
        break;
      case 'weight_decay':
        set<number>(v('value'), (x) => (t.weightDecay = x));
        break;
      case 'batch':
        set<number>(v('value'), (x) => (t.batch = x));
        break;
      case 'epochs':
        set<number>(v('value'), (x) => (t.epochs = x));
        break;
      case 'seed':
        set<number>(v('value'), (x) => (t.seed = x));
        break;
    }
  }
  if (!gammaGiven) t.lr.gamma = t.lr.schedule === 'exponential' ? 0.95 : t.lr.schedule === 'multistep' ? 0.1 : 1;
  if (lrBlock) checkLr(lrBlock, t.lr, diags);
  return t;
}
