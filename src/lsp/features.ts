// The language features, as pure functions of a document's text and its compile result,
// so the server stays a thin driver and the tests can call them directly.
import type { IToken } from 'chevrotain';
import { compile, type CompileResult } from '../core/compile.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import type { DraftLayer, DraftNetworkIR } from '../ir/types.js';
import { hwyLexer } from '../parser/lexer.js';
import { getParser } from '../parser/parser.js';
import { ACTIVATIONS, BLOCK_BY_KIND, BLOCKS, OPTIMIZER_NAMES, SETTING_BY_KIND, SETTINGS, optimizerAttrs, type ValueType } from '../language/catalogue.js';
import { fmtShape, windowOut } from '../language/shape.js';
import { isGated, layerLabel } from '../language/kinds.js';


/** A `let` constant's value, looked up as data: `let toString = 3` is a constant, not Object.prototype's. */
function constantValue(a: { result: { ir: { constants: Record<string, number> } | null } }, name: string): number | undefined {
  const c = a.result.ir?.constants;
  return c && Object.hasOwn(c, name) ? c[name] : undefined;
}

export interface Pos {
  /** 0-based, as the LSP counts. */
  line: number;
  character: number;
}
export interface Range {
  start: Pos;
  end: Pos;
}

export const toRange = (s: Span): Range => ({ start: { line: s.start.line - 1, character: s.start.col - 1 }, end: { line: s.end.line - 1, character: s.end.col - 1 } });

export function offsetAt(text: string, p: Pos): number {
  let off = 0;
  for (let l = 0; l < p.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return Math.min(text.length, off + p.character);
}

/** What the server keeps per document version. */
export interface Analysis {
  text: string;
  result: CompileResult;
  tokens: IToken[];
}

/**
 * What the language server analyses: it runs on every pause in typing, on the editor's
 * thread of work, so a document must analyse in about a second (about 100,000 tokens on a
 * slow machine). Real specs are a few KB; larger ones are checked with `hwy check`.
 */
export const INTERACTIVE_LIMITS = { maxSpecBytes: 512 * 1024, maxSpecLines: 20_000, maxSpecTokens: 100_000 };

export function analyse(text: string, file: string, opts: { interactive?: boolean } = {}): Analysis {
  const result = compile(text, file, opts.interactive ? { limits: INTERACTIVE_LIMITS } : {});
  const refused = result.diagnostics.find((d) => d.code === 'HWY4004');
  if (refused) {
    refused.hint = `the language server analyses specs up to ${INTERACTIVE_LIMITS.maxSpecBytes / 1024} KiB and ${INTERACTIVE_LIMITS.maxSpecTokens.toLocaleString('en-US')} words and symbols; \`npx hwy check\` reads larger ones`;
    return { text, result, tokens: [] }; // nothing else is built for a refused document
  }
  // the parser is shared: let go of this document's tokens, so they do not outlive it
  getParser().input = [];
  return { text, result, tokens: result.ast.tokens ?? hwyLexer.tokenize(text).tokens };
}

const contains = (s: Span, off: number) => s.start.offset <= off && off <= s.end.offset;
const num = (n: number) => n.toLocaleString('en-US');

function tokenAt(a: Analysis, off: number): IToken | undefined {
  return a.tokens.find((t) => t.startOffset <= off && off <= t.startOffset + t.image.length);
}

/** Layers expanded from the innermost source statement at an offset (all repetitions), and the projection inserted before it. */
function layersAt(a: Analysis, off: number): { layers: DraftLayer[]; projection?: DraftLayer } | undefined {
  // With errors the IR is the passes' draft; checked IR is one too, so read both as drafts.
  const ir: DraftNetworkIR | null = a.result.ir;
  if (!ir) return undefined;
  const hits = ir.layers.filter((l) => contains(l.span, off));
  if (!hits.length) return undefined;
  const size = (l: DraftLayer) => l.span.end.offset - l.span.start.offset;
  const inner = hits.reduce((m, l) => Math.min(m, size(l)), Infinity); // no spread: a repeat can expand to 200,000 layers
  const at = hits.filter((l) => size(l) === inner);
  return { layers: at.filter((l) => !l.inserted), projection: at.find((l) => l.inserted) };
}

function arithmetic(l: DraftLayer): string | undefined {
  if (!('kernel' in l) || !l.inShape || !l.outShape || !l.kernel || !l.stride || l.inShape.length !== 3) return undefined;
  const [n, k, s] = [l.inShape[0], l.kernel[0], l.stride[0]];
  if (l.padding === 'same') return `same padding: ⌈${n} / ${s}⌉ = ${l.outShape[0]}`;
  const given = 'round' in l ? l.round : undefined;
  const round = given ?? 'floor';
  const f = round === 'ceil' ? '⌈' : '⌊';
  const g = round === 'ceil' ? '⌉' : '⌋';
  return `${f}(${n} − ${k}) / ${s}${g} + 1 = ${windowOut(n, k, s, 'valid', round)}${given === 'ceil' ? ' (ceil, as Caffe)' : ''}`;
}

export function hover(a: Analysis, p: Pos): string | undefined {
  const off = offsetAt(a.text, p);
  const tok = tokenAt(a, off);
  const lets = a.result.source.lets;
  if (tok && tok.tokenType.name === 'Identifier') {
    const decl = lets.find((l) => l.name === tok.image);
    const next = a.tokens[a.tokens.indexOf(tok) + 1];
    if (decl && next?.image !== '=' ) {
      const value = constantValue(a, decl.name);
      return `\`\`\`hwy\nlet ${decl.name} = ${value ?? '?'}\n\`\`\`\ndefined on line ${decl.nameSpan.start.line}; change it with \`--set ${decl.name}=…\``;
    }
    if (decl && tok.startOffset === decl.nameSpan.start.offset) return `\`let ${decl.name} = ${constantValue(a, decl.name) ?? '?'}\``;
  }
  const found = layersAt(a, off);
  if (!found || !found.layers.length) return undefined;
  const l = found.layers[0];
  const reps = found.layers.length;
  const lines = [`**${layerLabel(l)}**${reps > 1 ? ` ×${reps}` : ''}`];
  if (l.kind !== 'input') lines.push(`input ${fmtShape(l.inShape)} → output ${fmtShape(l.outShape)}`);
  else lines.push(`shape ${fmtShape(l.outShape)}`);
  const ar = arithmetic(l);
  if (ar) lines.push(ar);
  if (l.params) lines.push(`parameters ${num(l.params)}${reps > 1 ? ` (×${reps} = ${num(l.params * reps)})` : ''}`);
  if (isGated(l)) {
    const from = l.given.includes('gate_bias') ? '' : " (the depth guideline for this network)";
    lines.push(`gate bias ${l.gateBias}${from}, ${l.carry === 'free' ? 'free carry gate C' : 'coupled carry C = 1 − T'}`);
  }
  if (found.projection) {
    const pr = found.projection;
    lines.push(`inserted before it: plain ${layerLabel(pr)} ${fmtShape(pr.inShape)} → ${fmtShape(pr.outShape)} (${num(pr.params ?? 0)} parameters)`);
  }
  return lines.join('\n\n');
}

export interface InlayHint {
  position: Pos;
  label: string;
}

/** The output shape (and parameters) at the end of each block line. */
export function inlayHints(a: Analysis): InlayHint[] {
  const ir: DraftNetworkIR | null = a.result.ir;
  if (!ir) return [];
  const seen = new Map<number, { l: DraftLayer; n: number }>();
  for (const l of ir.layers) {
    if (l.inserted || l.kind === 'input') continue;
    const e = seen.get(l.span.start.offset);
    if (e) e.n++;
    else seen.set(l.span.start.offset, { l, n: 1 });
  }
  const out: InlayHint[] = [];
  for (const { l, n } of seen.values()) {
    if (!l.outShape) continue;
    const params = l.params ? ` · ${num(l.params)} params${n > 1 ? ` ×${n}` : ''}` : '';
    out.push({ position: { line: l.span.end.line - 1, character: l.span.end.col - 1 }, label: ` → ${fmtShape(l.outShape)}${params}` });
  }
  return out;
}

export interface Completion {
  label: string;
  kind: 'keyword' | 'block' | 'attribute' | 'value' | 'constant';
  detail?: string;
  insertText?: string;
}

function valuesOf(t: ValueType): string[] {
  if (t.t === 'enum' || t.t === 'enumlist') return [...t.values];
  if (t.t === 'bool') return ['true', 'false'];
  return [];
}

/** Completion by context: block kinds at a line start, then the attributes of that block, then attribute values and constants. */
export function complete(a: Analysis, p: Pos): Completion[] {
  const off = offsetAt(a.text, p);
  const lineStart = a.text.lastIndexOf('\n', off - 1) + 1;
  const before = a.text.slice(lineStart, off);
  const lets: Completion[] = a.result.source.lets.map((l) => ({ label: l.name, kind: 'constant', detail: `let ${l.name} = ${constantValue(a, l.name) ?? '?'}` }));
  // which section: the innermost unclosed network / train above the cursor
  const stack: string[] = [];
  for (const t of a.tokens) {
    if (t.startOffset >= lineStart) break;
    if (t.image === 'network' || t.image === 'train' || t.image === 'repeat') stack.push(t.image);
    else if (t.image === '}') stack.pop();
  }
  const section = [...stack].reverse().find((s) => s !== 'repeat') ?? 'top';
  const words = before.trimStart().split(/\s+/);
  const attrMatch = /([A-Za-z_]\w*)=([\w\[, ]*)$/.exec(before);
  const specs = section === 'train' ? SETTING_BY_KIND : BLOCK_BY_KIND;
  if (attrMatch) {
    const kindWord = words[0] === 'highway' || words[0] === 'residual' ? words[1] : words[0];
    const attr = specs.get(kindWord)?.attrs.find((x) => x.name === attrMatch[1]);
    if (!attr) return lets;
    const vals = valuesOf(attr.type).map((v): Completion => ({ label: v, kind: 'value' }));
    return ['int', 'number', 'pair', 'shape'].includes(attr.type.t) ? lets : vals;
  }
  if (words.length <= 1) {
    if (section === 'top') return ['let', 'network', 'train'].map((k) => ({ label: k, kind: 'keyword' }));
    if (section === 'train') return SETTINGS.map((s) => ({ label: s.kind, kind: 'block', detail: s.doc }));
    return [
      ...BLOCKS.map((b): Completion => ({ label: b.kind, kind: 'block', detail: b.doc })),
      { label: 'highway', kind: 'keyword', detail: 'gate the next block: y = H·T + x·(1 − T)' },
      { label: 'residual', kind: 'keyword', detail: 'add the input: y = H(x) + x' },
      { label: 'repeat', kind: 'keyword', detail: 'repeat N { … }' },
    ];
  }
  if ((words[0] === 'highway' || words[0] === 'residual') && words.length === 2) {
    return BLOCKS.filter((b) => b.gateable).map((b) => ({ label: b.kind, kind: 'block', detail: b.doc }));
  }
  const gated = words[0] === 'highway';
  const kindWord = words[0] === 'highway' || words[0] === 'residual' ? words[1] : words[0];
  const spec = specs.get(kindWord);
  if (!spec) return lets;
  const present = new Set(words.map((w) => w.split('=')[0]));
  // an optimizer line offers the names, then only the named optimizer's attributes (sgd's when none is named)
  const optimizer = section === 'train' && kindWord === 'optimizer';
  const named = optimizer ? OPTIMIZER_NAMES.find((n) => words.slice(1, -1).includes(n)) : undefined;
  const own = optimizer ? new Set(optimizerAttrs(named ?? 'sgd')) : undefined;
  const names = optimizer && !named && words.length === 2 ? OPTIMIZER_NAMES.map((v): Completion => ({ label: v, kind: 'value', detail: 'optimizer' })) : [];
  const attrs = spec.attrs
    .filter((x) => (gated || !x.gatedOnly) && !present.has(x.name) && (!own || own.has(x.name)))
    .map((x): Completion => ({ label: `${x.name}=`, kind: 'attribute', detail: x.doc, insertText: `${x.name}=` }));
  // after a name=value attribute only attributes may follow: positional arguments come first (HWY1002)
  if (words.slice(1, -1).some((w) => w.includes('='))) return attrs;
  const acts = spec.positional.includes('activation') && !words.some((w) => (ACTIVATIONS as readonly string[]).includes(w)) ? ACTIVATIONS.map((v): Completion => ({ label: v, kind: 'value', detail: 'activation' })) : [];
  return [...names, ...attrs, ...acts, ...lets];
}

/** The declaration and every use of the constant under the cursor. */
function letTokens(a: Analysis, off: number): { decl?: IToken; uses: IToken[] } | undefined {
  const tok = tokenAt(a, off);
  if (!tok || tok.tokenType.name !== 'Identifier') return undefined;
  const name = tok.image;
  if (!a.result.source.lets.some((l) => l.name === name)) return undefined;
  const uses: IToken[] = [];
  let decl: IToken | undefined;
  a.tokens.forEach((t, i) => {
    if (t.tokenType.name !== 'Identifier' || t.image !== name) return;
    const prev = a.tokens[i - 1];
    const next = a.tokens[i + 1];
    if (prev?.image === 'let') decl = t;
    else if (next?.image !== '=') uses.push(t);
  });
  return { decl, uses };
}

const tokRange = (t: IToken): Range => ({ start: { line: (t.startLine ?? 1) - 1, character: (t.startColumn ?? 1) - 1 }, end: { line: (t.startLine ?? 1) - 1, character: (t.startColumn ?? 1) - 1 + t.image.length } });

export function definition(a: Analysis, p: Pos): Range | undefined {
  const r = letTokens(a, offsetAt(a.text, p));
  return r?.decl ? tokRange(r.decl) : undefined;
}

export function references(a: Analysis, p: Pos, includeDeclaration: boolean): Range[] {
  const r = letTokens(a, offsetAt(a.text, p));
  if (!r) return [];
  return [...(includeDeclaration && r.decl ? [r.decl] : []), ...r.uses].map(tokRange);
}

export interface Symbol {
  name: string;
  kind: 'network' | 'train' | 'constant';
  range: Range;
  selection: Range;
  detail?: string;
}

export function symbols(a: Analysis): Symbol[] {
  const out: Symbol[] = [];
  for (const item of a.result.ast.items) {
    if (item.type === 'let') out.push({ name: item.name, kind: 'constant', range: toRange(item.span), selection: toRange(item.nameSpan), detail: String(constantValue(a, item.name) ?? '') });
    else if (item.type === 'network') out.push({ name: item.name, kind: 'network', range: toRange(item.span), selection: toRange(item.nameSpan), detail: a.result.ir?.stats ? `${num(a.result.ir.stats.totalParams)} parameters` : undefined });
    else if (item.type === 'train') out.push({ name: 'train', kind: 'train', range: toRange(item.span), selection: toRange(item.keywordSpan) });
  }
  return out;
}

export interface TextEdit {
  range: Range;
  newText: string;
}
export interface CodeAction {
  title: string;
  edit: TextEdit;
  diagnostic: Diagnostic;
}

/** For an inserted projection (HWY3006): write the plain layer into the spec explicitly. */
export function codeActions(a: Analysis, range: Range): CodeAction[] {
  const ir: DraftNetworkIR | null = a.result.ir;
  if (!ir) return [];
  const out: CodeAction[] = [];
  for (const d of a.result.diagnostics) {
    if (d.code !== 'HWY3006') continue;
    const r = toRange(d.span);
    if (r.start.line > range.end.line || r.end.line < range.start.line) continue;
    const p = ir.layers.find((l) => l.inserted && l.span.start.offset === d.span.start.offset);
    if (!p || p.repeat) continue; // inside a repeat the layer would be repeated too
    const lineStart = a.text.lastIndexOf('\n', d.span.start.offset - 1) + 1;
    const indent = /^[ \t]*/.exec(a.text.slice(lineStart))![0];
    // Projections are plain dense or conv layers (src/language/kinds.ts, `projection`).
    const text =
      p.kind === 'dense' ? `dense ${p.units} ${p.activation}` : p.kind === 'conv' && p.kernel ? `conv ${p.filters} ${p.kernel.join('x')} ${p.activation} padding=same` : undefined;
    if (!text) continue;
    out.push({ title: `Insert the plain layer explicitly: ${text}`, diagnostic: d, edit: { range: { start: { line: r.start.line, character: 0 }, end: { line: r.start.line, character: 0 } }, newText: `${indent}${text}\n` } });
  }
  return out;
}

