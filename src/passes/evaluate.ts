import { Diagnostics } from '../diagnostics/types.js';
import type { Expr, Value } from '../parser/ast.js';
import { VALUE_NAMES, type ValueType } from '../language/catalogue.js';
import { didYouMean } from '../language/suggest.js';
import type { ConstantValue } from '../ir/types.js';

/**
 * The constants in scope: numbers, or the names a `let` holds (`let act = relu`); null for a
 * constant whose value was reported as wrong, so that its uses are not reported again.
 */
export type Env = Map<string, ConstantValue | null>;

/**
 * A `let`'s value: a bare name is the constant of that name, else a word the language
 * takes by name (`relu`, `free`, `auto`), which the constant then holds; anything else is
 * arithmetic.
 */
export function evalConstant(e: Expr, env: Env, diags: Diagnostics): ConstantValue | undefined {
  if (e.type !== 'ref') return evalExpr(e, env, diags);
  const v = env.get(e.name);
  if (v !== undefined) return v ?? undefined;
  if (VALUE_NAMES.has(e.name)) return e.name;
  diags.error('HWY2004', e.span, `'${e.name}' is not defined`, didYouMean(e.name, [...env.keys(), ...VALUE_NAMES]) ?? `define it first: let ${e.name} = …`);
  return undefined;
}

/** Folds an expression to a number; reports and returns undefined on any problem. */
export function evalExpr(e: Expr, env: Env, diags: Diagnostics): number | undefined {
  switch (e.type) {
    case 'num':
      // a malformed number (`3..5`): the lexer has reported it
      if (Number.isNaN(e.value)) return undefined;
      if (!Number.isFinite(e.value)) {
        diags.error('HWY2013', e.span, 'this number is too large', 'sizes and settings must be finite');
        return undefined;
      }
      return e.value;
    case 'paren':
      return evalExpr(e.inner, env, diags);
    case 'ref': {
      const v = env.get(e.name);
      if (v === null) return undefined; // its definition was reported
      if (v === undefined) {
        diags.error('HWY2004', e.span, `'${e.name}' is not defined`, didYouMean(e.name, env.keys()) ?? `define it first: let ${e.name} = …`);
      }
      if (typeof v === 'string') {
        diags.error('HWY2003', e.span, `'${e.name}' holds the name '${v}', not a number`, `a constant that holds a name goes where the language takes that name (dense 10 ${e.name}, carry=${e.name}); arithmetic takes numbers`);
        return undefined;
      }
      return v;
    }
    case 'neg': {
      const v = evalExpr(e.operand, env, diags);
      return v === undefined ? undefined : -v;
    }
    case 'bin': {
      const a = evalExpr(e.left, env, diags);
      const b = evalExpr(e.right, env, diags);
      if (a === undefined || b === undefined) return undefined;
      if ((e.op === '/' || e.op === '%') && b === 0) {
        diags.error('HWY2013', e.span, 'division by zero');
        return undefined;
      }
      const r = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : e.op === '/' ? a / b : a % b;
      if (!Number.isFinite(r)) {
        diags.error('HWY2013', e.span, 'this number is too large', 'sizes and settings must be finite');
        return undefined;
      }
      return r;
    }
  }
}

export type Concrete = number | string | boolean | number[] | string[];

function describe(v: Value): string {
  if (v.type === 'string') return 'a string';
  if (v.type === 'list') return 'a list';
  return v.items.length > 1 ? `a ${v.items.length}-part size` : 'a number';
}

function typeText(t: ValueType): string {
  switch (t.t) {
    case 'int':
      return t.min === 1 ? 'a positive whole number' : 'a whole number';
    case 'number':
      return t.names?.length ? `a number or ${t.names.join(', ')}` : 'a number';
    case 'pair':
      return "a size such as '3' or '3x3'";
    case 'shape':
      return "a shape such as '784' or '28x28x1'";
    case 'enum':
      return `one of ${t.values.join(', ')}`;
    case 'bool':
      return 'true or false';
    case 'string':
      return 'a string in double quotes';
    case 'intlist':
      return 'a list of whole numbers: [10, 20]';
    case 'enumlist':
      return `a list of ${t.values.join(', ')}`;
  }
}

function checkRange(n: number, t: { t: string; min?: number; max?: number; maxExclusive?: boolean; minExclusive?: boolean }, v: Value, what: string, diags: Diagnostics): number | undefined {
  const integer = t.t === 'int' || t.t === 'pair' || t.t === 'shape' || t.t === 'intlist';
  if (integer && !Number.isInteger(n)) {
    diags.error('HWY2013', v.span, `${what} must be a whole number, not ${n}`, 'sizes, counts and steps are whole numbers');
    return undefined;
  }
  const min = t.min ?? (t.t === 'pair' || t.t === 'shape' ? 1 : undefined);
  if (min !== undefined && (n < min || (t.minExclusive && n === min))) {
    const code = min === 1 && integer ? 'HWY3001' : 'HWY2003';
    diags.error(code, v.span, `${what} must be ${t.minExclusive ? 'greater than' : 'at least'} ${min}, not ${n}`, code === 'HWY3001' ? 'sizes are positive' : undefined);
    return undefined;
  }
  if (t.max !== undefined && (n > t.max || (t.maxExclusive && n === t.max))) {
    diags.error('HWY2003', v.span, `${what} must be ${t.maxExclusive ? 'below' : 'at most'} ${t.max}, not ${n}`);
    return undefined;
  }
  return n;
}

/** Converts a written value to the concrete value its attribute type wants. */
export function convertValue(v: Value, type: ValueType, env: Env, diags: Diagnostics, what: string): Concrete | undefined {
  const wrong = (): undefined => {
    diags.error('HWY2003', v.span, `${what} must be ${typeText(type)}, not ${describe(v)}`);
    return undefined;
  };
  const bare = (x: Value): string | undefined => (x.type === 'dims' && x.items.length === 1 && x.items[0].type === 'ref' ? x.items[0].name : undefined);
  /** The name a value stands for: a constant's name (`act`: relu), else the word written; a constant holding a number is reported. */
  const symbol = (x: Value): string | undefined => {
    const b = bare(x);
    const held = b === undefined ? undefined : env.get(b);
    if (held === null) return undefined;
    if (typeof held === 'number') {
      diags.error('HWY2003', x.span, `${what} must be ${typeText(type)}, not ${held} ('${b}')`);
      return undefined;
    }
    return held ?? b;
  };
  // a constant whose definition was reported: its uses are not reported again
  if (bare(v) !== undefined && env.get(bare(v)!) === null) return undefined;
  switch (type.t) {
    case 'int':
    case 'number': {
      if (v.type !== 'dims' || v.items.length !== 1) return wrong();
      // a name it takes (`gate_bias=auto`), written or held by a constant
      const b = bare(v);
      const named = b === undefined ? undefined : typeof env.get(b) === 'string' ? (env.get(b) as string) : env.has(b) ? undefined : b;
      if (named !== undefined && type.t === 'number' && type.names?.includes(named)) return named;
      if (named !== undefined && env.has(b!)) {
        diags.error('HWY2003', v.span, `${what} must be ${typeText(type)}, not the name '${named}' ('${b}')`);
        return undefined;
      }
      const n = evalExpr(v.items[0], env, diags);
      return n === undefined ? undefined : checkRange(n, type, v, what, diags);
    }
    case 'pair':
    case 'shape': {
      if (v.type !== 'dims') return wrong();
      if (type.t === 'pair' && v.items.length > 2) return wrong();
      if (type.t === 'shape' && v.items.length > 3) {
        diags.error('HWY2003', v.span, `${what} has ${v.items.length} dimensions; hwy knows vectors (N) and feature maps (HxWxC)`);
        return undefined;
      }
      const ns: number[] = [];
      for (const e of v.items) {
        const n = evalExpr(e, env, diags);
        if (n === undefined || checkRange(n, type, { ...v, span: e.span }, what, diags) === undefined) return undefined;
        ns.push(n);
      }
      return type.t === 'pair' && ns.length === 1 ? [ns[0], ns[0]] : ns;
    }
    case 'enum': {
      if (bare(v) !== undefined && typeof env.get(bare(v)!) === 'number') return symbol(v);
      const s = symbol(v) ?? (v.type === 'string' ? v.value : undefined);
      if (s === undefined) return wrong();
      if (!type.values.includes(s)) {
        diags.error('HWY2003', v.span, `unknown value '${s}' for ${what}`, didYouMean(s, type.values) ?? `expected ${typeText(type)}`);
        return undefined;
      }
      return s;
    }
    case 'bool': {
      if (bare(v) !== undefined && typeof env.get(bare(v)!) === 'number') return symbol(v);
      const s = symbol(v);
      if (s !== 'true' && s !== 'false') return wrong();
      return s === 'true';
    }
    case 'string':
      return v.type === 'string' ? v.value : wrong();
    case 'intlist':
    case 'enumlist': {
      if (v.type !== 'list') return wrong();
      const out: (number | string)[] = [];
      for (const item of v.items) {
        const c = convertValue(item, type.t === 'intlist' ? { t: 'int', min: type.min } : { t: 'enum', values: type.values }, env, diags, `each item of ${what}`);
        if (c === undefined) return undefined;
        out.push(c as number | string);
      }
      return out as number[] | string[];
    }
  }
}
