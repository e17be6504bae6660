import { Diagnostics, type Span } from '../diagnostics/types.js';
import type { BlockStmt, FileAst, LetDecl, Stmt, Value } from '../parser/ast.js';
import { ACTIVATIONS, BLOCK_BY_KIND, BLOCKS, RESERVED_NAMES, SETTING_BY_KIND, SETTINGS, VALUE_NAMES, isActivation, type BlockSpec } from '../language/catalogue.js';
import { closest, didYouMean, editDistance } from '../language/suggest.js';
import type { ConstantValue, SourceIR, SrcBlock, SrcNode } from '../ir/types.js';

/**
 * AST -> source IR: resolves block kinds, attribute names and positional arguments
 * against the catalogue. Values stay unevaluated (the expand pass folds them).
 */
export function lower(ast: FileAst, diags: Diagnostics): SourceIR {
  const out: SourceIR = { file: ast.file, lets: [], network: null, train: null };
  const letNames = new Map<string, LetDecl>();
  // Every constant the file defines, wherever it is: a bare name in a block is read against these.
  const scope: Scope = { lets: new Set(ast.items.flatMap((i) => (i.type === 'let' ? [i.name] : []))), names: namesHeld(ast) };
  for (const item of ast.items) {
    switch (item.type) {
      case 'let': {
        if (RESERVED_NAMES.has(item.name)) {
          diags.error('HWY2010', item.nameSpan, `'${item.name}' cannot name a constant: it already means something`, 'choose another name');
          break;
        }
        const prev = letNames.get(item.name);
        if (prev) {
          diags.error('HWY2005', item.nameSpan, `'${item.name}' is already defined`, 'each constant is defined once; use --set to change it', [
            { span: prev.nameSpan, message: 'first defined here' },
          ]);
          break;
        }
        letNames.set(item.name, item);
        out.lets.push(item);
        break;
      }
      case 'network':
        if (out.network) {
          diags.error('HWY2012', item.nameSpan, 'a spec holds one network; this is a second one', 'put each network in its own file', [
            { span: out.network.nameSpan, message: 'the first network' },
          ]);
          break;
        }
        out.network = { name: item.name, span: item.span, nameSpan: item.nameSpan, body: lowerBody(item.body, diags, 'network', scope) };
        break;
      case 'train':
        if (out.train) {
          diags.error('HWY2012', item.keywordSpan, "a spec holds one 'train' section; this is a second one", 'merge the two sections', [
            { span: out.train.span, message: "the first 'train' section" },
          ]);
          break;
        }
        out.train = { span: item.span, settings: lowerBody(item.body, diags, 'train', scope) as SrcBlock[] };
        break;
      case 'sweep':
        break; // an experiment over networks: checked by compileExperiment (src/core/experiment.ts)
      case 'stray':
        diags.error(
          'HWY2008',
          item.stmt.type === 'block' ? item.stmt.kindSpan : item.stmt.headSpan,
          'this statement is outside any network',
          "blocks go inside 'network NAME { … }', training settings inside 'train { … }'",
        );
        break;
    }
  }
  if (!out.network && !diags.hasErrors()) {
    const start = { line: 1, col: 1, offset: 0 };
    const sweep = ast.items.find((i) => i.type === 'sweep');
    if (sweep) diags.error('HWY2008', sweep.nameSpan, `this file declares sweep '${sweep.name}' and no network of its own`, `train its networks with 'hwy sweep ${ast.file}'; 'hwy check' checks it`);
    else diags.error('HWY2008', { file: ast.file, start, end: start }, 'this file defines no network', "add 'network NAME { input … }'");
  }
  return out;
}

interface Scope {
  lets: Set<string>;
  /** Constants that hold a name, as written (`let act = relu`): a bare `act` in a block fills the slot `relu` would. */
  names: Map<string, string>;
}

/** The name each constant holds, followed through constants (`let a = relu`, `let b = a`). */
export function namesHeld(ast: FileAst): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const i of ast.items) {
    if (i.type !== 'let') continue;
    if (i.value.type === 'ref') {
      // a word that is no constant is held as written: a misspelt one (`rleu`) is reported where it is defined
      const held = out.get(i.value.name) ?? (!seen.has(i.value.name) ? i.value.name : undefined);
      if (held !== undefined) out.set(i.name, held);
    }
    seen.add(i.name);
  }
  return out;
}

function lowerBody(stmts: Stmt[], diags: Diagnostics, where: 'network' | 'train', scope: Scope): SrcNode[] {
  const out: SrcNode[] = [];
  for (const s of stmts) {
    if (s.type === 'repeat') {
      if (where === 'train') {
        diags.error('HWY2011', s.headSpan, "'repeat' has no meaning in a 'train' section");
        continue;
      }
      out.push({ type: 'repeat', count: s.count, body: lowerBody(s.body, diags, where, scope), span: s.span, headSpan: s.headSpan });
      continue;
    }
    const b = where === 'network' ? lowerBlock(s, diags, scope) : lowerSetting(s, diags, scope);
    if (b) out.push(b);
  }
  return out;
}

/** The setting an attribute belongs to (`momentum` -> optimizer), for settings written as lines of their own. */
function ownerOf(attr: string): BlockSpec | undefined {
  return SETTINGS.find((x) => !x.positional.includes(attr) && x.attrs.some((a) => a.name === attr));
}

function lowerSetting(s: BlockStmt, diags: Diagnostics, scope: Scope): SrcBlock | undefined {
  const spec = SETTING_BY_KIND.get(s.kind);
  if (!spec || s.modifier) {
    const owner = !s.modifier ? ownerOf(s.kind) : undefined;
    if (owner) {
      // `momentum 0.9` on a line of its own: say where it goes, in a line that can be pasted.
      const arg = s.args[0];
      const one = arg?.type === 'dims' && arg.items.length === 1 ? arg.items[0] : undefined;
      const shown = one?.type === 'num' ? one.text : one?.type === 'ref' ? one.name : '…';
      const lead = owner.example.split(' ').slice(0, 2).join(' ');
      diags.error('HWY2011', s.kindSpan, `'${s.kind}' is not a setting of its own: it is an attribute of '${owner.kind}'`, `write it on the '${owner.kind}' line: ${lead} ${s.kind}=${shown}`);
      return undefined;
    }
    if (!s.modifier && BLOCK_BY_KIND.has(s.kind)) {
      diags.error('HWY2011', s.kindSpan, `'${s.kind}' is a block, not a training setting`, "blocks go inside 'network NAME { … }'");
      return undefined;
    }
    const hint = didYouMean(s.kind, SETTINGS.map((x) => x.kind)) ?? `training settings: ${SETTINGS.map((x) => x.kind).join(', ')}`;
    diags.error('HWY2011', s.modifierSpan ?? s.kindSpan, `unknown training setting '${s.modifier ? s.modifier + ' ' : ''}${s.kind}'`, hint);
    return undefined;
  }
  return resolveAttrs(s, spec, false, diags, scope);
}

function lowerBlock(s: BlockStmt, diags: Diagnostics, scope: Scope): SrcBlock | undefined {
  const spec = BLOCK_BY_KIND.get(s.kind);
  if (!spec) {
    const candidates = BLOCKS.map((b) => b.kind);
    // `higway dense`: the misspelt word is a modifier, and the block kind follows it.
    const next = s.args[0] && bareName(s.args[0]);
    const nextSpec = next !== undefined ? BLOCK_BY_KIND.get(next) : undefined;
    const modifier = !s.modifier && nextSpec?.gateable ? closest(s.kind, ['highway', 'residual']) : undefined;
    const setting = SETTING_BY_KIND.has(s.kind) && !s.modifier;
    const hint = modifier
      ? `did you mean '${modifier} ${next}'?`
      : setting
        ? "move it into a 'train { … }' section after the network"
        : (didYouMean(s.kind, candidates) ?? `block kinds: ${candidates.join(', ')}`);
    diags.error('HWY2001', s.kindSpan, setting ? `'${s.kind}' is a training setting, not a block` : `unknown block kind '${s.kind}'`, hint);
    return undefined;
  }
  if (s.modifier && !spec.gateable) {
    diags.error(
      'HWY2001',
      { file: s.kindSpan.file, start: s.modifierSpan!.start, end: s.kindSpan.end },
      `'${s.modifier} ${s.kind}' does not exist: only dense and conv blocks can be ${s.modifier === 'highway' ? 'gated' : 'residual'}`,
      `write '${s.modifier} dense' or '${s.modifier} conv'`,
    );
    return undefined;
  }
  return resolveAttrs(s, spec, s.modifier === 'highway', diags, scope);
}

/** `relu`, `width`: a value that is one bare name. */
function bareName(v: Value): string | undefined {
  return v.type === 'dims' && v.items.length === 1 && v.items[0].type === 'ref' ? v.items[0].name : undefined;
}

/** A bare name that is an activation (`dense 10 relu`), or a constant holding one (`dense 10 act`). */
function activationName(v: Value, scope?: Scope): string | undefined {
  const name = bareName(v);
  if (name === undefined) return undefined;
  const held = scope?.names.get(name) ?? name;
  return isActivation(held) ? held : undefined;
}

/** Which positional slot an argument fills: names of activations go to `activation`, `a x b` to a pair/shape slot, numbers to the first free numeric slot. */
function slotFor(v: Value, spec: BlockSpec, filled: Set<string>, scope: Scope): string | undefined {
  const typeOf = (n: string) => spec.attrs.find((a) => a.name === n)!.type;
  const free = spec.positional.filter((n) => !filled.has(n));
  if (activationName(v, scope) !== undefined) return free.find((n) => n === 'activation');
  // a constant holding a misspelt activation (`let act = rleu`, reported where it is defined) still fills that slot
  const held = bareName(v);
  const word = held === undefined ? undefined : scope.names.get(held);
  if (word !== undefined && !VALUE_NAMES.has(word) && closest(word, ACTIVATIONS)) return free.find((n) => n === 'activation');
  if (v.type === 'string') return free.find((n) => typeOf(n).t === 'string');
  if (v.type === 'list') return free.find((n) => typeOf(n).t === 'intlist' || typeOf(n).t === 'enumlist');
  if (v.items.length > 1) return free.find((n) => ['pair', 'shape'].includes(typeOf(n).t));
  const single = v.items[0];
  if (single.type === 'ref' && free.some((n) => typeOf(n).t === 'enum' || typeOf(n).t === 'bool')) {
    // A name: an enum value (`data mnist`) unless it can only be a constant.
    const e = free.find((n) => typeOf(n).t === 'enum' || typeOf(n).t === 'bool');
    if (e && e !== 'activation') return e;
  }
  return free.find((n) => ['int', 'number', 'pair', 'shape'].includes(typeOf(n).t));
}

/**
 * A bare name in a block with an activation slot that is neither an activation nor a
 * constant: when it reads as a misspelt activation (`dense 50 rleu`), or can only be an
 * activation (the sizes are given, or the block is gated and needs none), say so, in those
 * words. Returns true when it reported.
 */
function unknownActivation(v: Value, spec: BlockSpec, filled: Set<string>, s: BlockStmt, scope: Scope, diags: Diagnostics): boolean {
  const name = bareName(v);
  if (name === undefined || isActivation(name) || scope.lets.has(name) || !spec.positional.includes('activation') || filled.has('activation')) return false;
  const act = closest(name, ACTIVATIONS);
  const constant = closest(name, scope.lets);
  if (constant && (!act || editDistance(name.toLowerCase(), constant.toLowerCase()) < editDistance(name.toLowerCase(), act))) return false; // a misspelt constant: the evaluator says so
  const sizeFree = spec.positional.some((n) => n !== 'activation' && !filled.has(n));
  const sizeOptional = s.modifier !== undefined;
  if (act) {
    diags.error('HWY2003', v.span, `unknown activation '${name}'`, `did you mean '${act}'?`);
    return true;
  }
  if (sizeFree && !sizeOptional) return false; // `dense widht`: a size that names no constant
  diags.error('HWY2003', v.span, `'${name}' is neither an activation nor a constant`, `activations: ${ACTIVATIONS.join(', ')}; a constant is defined before the network: let ${name} = …`);
  return true;
}

function resolveAttrs(s: BlockStmt, spec: BlockSpec, gated: boolean, diags: Diagnostics, scope: Scope): SrcBlock {
  const attrs: SrcBlock['attrs'] = {};
  const filled = new Set<string>();
  const what = `'${s.modifier ? s.modifier + ' ' : ''}${s.kind}'`;
  for (const v of s.args) {
    if (unknownActivation(v, spec, filled, s, scope, diags)) {
      filled.add('activation');
      continue;
    }
    const slot = slotFor(v, spec, filled, scope);
    if (!slot) {
      const takes = spec.positional.length ? `takes ${spec.positional.join(', ')}` : 'takes no arguments';
      const act = activationName(v);
      diags.error(
        'HWY2007',
        v.span,
        act && !spec.positional.includes('activation') ? `${what} has no activation` : `too many arguments for ${what}: it ${takes}`,
        act && !spec.positional.includes('activation')
          ? `add '${act}' as a block of its own on the next line`
          : 'put each block on its own line; name other settings as name=value',
      );
      continue;
    }
    filled.add(slot);
    attrs[slot] = { value: v, span: v.span };
  }
  for (const a of s.attrs) {
    const as = spec.attrs.find((x) => x.name === a.name);
    if (!as) {
      const names = spec.attrs.filter((x) => gated || !x.gatedOnly).map((x) => x.name);
      const hint = didYouMean(a.name, spec.attrs.map((x) => x.name)) ?? (names.length ? `${what} takes: ${names.join(', ')}` : `${what} takes no attributes`);
      diags.error('HWY2002', a.nameSpan, `unknown attribute '${a.name}' for ${what}`, hint);
      continue;
    }
    if (as.gatedOnly && !gated) {
      diags.error('HWY2002', a.nameSpan, `'${a.name}' applies to highway blocks only; ${what} has no gate`, `write 'highway ${s.kind} …' to gate this block`);
      continue;
    }
    if (attrs[a.name]) {
      diags.error('HWY2007', a.nameSpan, `'${a.name}' is given twice`, 'keep one of them', [{ span: attrs[a.name].span, message: 'first given here' }]);
      continue;
    }
    attrs[a.name] = { value: a.value, span: a.span };
  }
  if (!s.modifier) {
    for (const r of spec.required ?? []) {
      if (!attrs[r]) {
        diags.error('HWY2006', s.kindSpan, `${what} needs ${r === 'shape' ? 'a shape' : `its ${r}`}`, `for example: ${spec.example}`);
      }
    }
  }
  const block: SrcBlock = { type: 'block', kind: spec.kind, attrs, span: s.span, kindSpan: s.kindSpan };
  if (s.modifier) block.modifier = s.modifier;
  return block;
}

/**
 * A name given to a constant that holds a number (`--set depth=abc`) is a mistake in the
 * flag, said as such; a word the language takes by name (`--set gate_bias=auto`) may replace
 * a number, and a constant that holds a name takes any name (checked where it is used).
 */
export function checkOverrideKinds(ast: FileAst, overrides: Record<string, ConstantValue>, diags: Diagnostics): void {
  const held = namesHeld(ast);
  for (const [name, value] of Object.entries(overrides)) {
    const decl = ast.items.find((i) => i.type === 'let' && i.name === name);
    if (!decl || typeof value !== 'string' || held.has(name) || VALUE_NAMES.has(value)) continue;
    const flag = `--set ${name}=${value}`;
    const start = { line: 1, col: 1, offset: 0 };
    diags.error('HWY2003', { file: flag, start, end: start }, `'${name}' holds a number, and '${value}' is not one`, `give a number, as in --set ${name}=10`);
  }
}

export type { Span };
