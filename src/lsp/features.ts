// The language features, as pure functions of a document's text and its compile result,
// so the server stays a thin driver and the tests can call them directly.
import type { IToken } from 'chevrotain';
import { compile, settingPaths, type CompileResult } from '../core/compile.js';
import { compileExperiment, type ExperimentResult } from '../core/experiment.js';
import { DISTRIBUTIONS, DISTRIBUTION_DOCS, METRICS, PRUNER_DOCS, PRUNERS, SAMPLER_DOCS, SAMPLERS, STOP_ATTRS, SWEEP_LINES, SWEEP_LINE_BY_WORD } from '../language/sweep.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';
import { lineOffset, lineStartBefore } from '../diagnostics/lines.js';
import type { DraftLayer, DraftNetworkIR } from '../ir/types.js';
import { hwyLexer } from '../parser/lexer.js';
import { getParser } from '../parser/parser.js';
import { ACTIVATIONS, BLOCK_BY_KIND, BLOCKS, OPTIMIZER_NAMES, SETTING_BY_KIND, SETTINGS, optimizerAttrs, type ValueType } from '../language/catalogue.js';
import { fmtShape, windowOut } from '../language/shape.js';
import { isGated, layerLabel } from '../language/kinds.js';
import { thousands } from '../language/thousands.js';


/** A `let` constant's value, looked up as data: `let toString = 3` is a constant, not Object.prototype's. */
function constantValue(a: { result: { ir: { constants: Record<string, number | string> } | null } }, name: string): number | string | undefined {
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
  const off = lineOffset(text, p.line);
  return off >= text.length ? text.length : Math.min(text.length, off + p.character);
}

/** What the server keeps per document version. */
export interface Analysis {
  text: string;
  result: CompileResult;
  tokens: IToken[];
  /** A document that declares a sweep: the sweep checked with the networks it names. */
  experiment?: ExperimentResult;
  /** What to publish: the sweep's diagnostics (its own network's among them), else the compile's. */
  diagnostics: Diagnostic[];
}

/** Reads the files a sweep names (the server: open documents first, then the disk); null when one cannot be read. */
export type ReadFile = (path: string) => string | null;

/**
 * What the language server analyses: it runs on every pause in typing, on the editor's
 * thread of work, so a document must analyse in about a second (about 100,000 tokens on a
 * slow machine). Real specs are a few KB; larger ones are checked with `hwy check`.
 */
export const INTERACTIVE_LIMITS = { maxSpecBytes: 512 * 1024, maxSpecLines: 20_000, maxSpecTokens: 100_000 };

export function analyse(text: string, file: string, opts: { interactive?: boolean; readFile?: ReadFile } = {}): Analysis {
  const limits = opts.interactive ? { limits: INTERACTIVE_LIMITS } : {};
  const result = compile(text, file, limits);
  const refused = result.diagnostics.find((d) => d.code === 'HWY4004');
  if (refused) {
    refused.hint = `the language server analyses specs up to ${INTERACTIVE_LIMITS.maxSpecBytes / 1024} KiB and ${thousands(INTERACTIVE_LIMITS.maxSpecTokens)} words and symbols; \`npx hwy check\` reads larger ones`;
    return { text, result, tokens: [], diagnostics: result.diagnostics }; // nothing else is built for a refused document
  }
  const experiment = result.ast.items.some((i) => i.type === 'sweep') ? compileExperiment(text, file, { readFile: opts.readFile ?? (() => null), ...limits }) : undefined;
  // the parser is shared: let go of this document's tokens, so they do not outlive it
  getParser().input = [];
  return { text, result, tokens: result.ast.tokens ?? hwyLexer.tokenize(text).tokens, experiment, diagnostics: experiment?.diagnostics ?? result.diagnostics };
}

const n0 = (n: number, w: string) => `${thousands(n)} ${w}${n === 1 ? '' : 's'}`;

/** Hover inside a sweep: the sweep's size at its head, a line's or word's meaning, a swept name's networks. */
function sweepHover(a: Analysis, off: number, tok: IToken | undefined): string | undefined {
  const x = a.experiment;
  const decl = a.result.ast.items.find((i) => i.type === 'sweep' && i.span.start.offset <= off && off <= i.span.end.offset);
  if (!x || !decl || decl.type !== 'sweep') return undefined;
  if (off <= decl.nameSpan.end.offset) {
    const p = x.plan;
    const b = x.budget;
    if (!p || !b) return `**sweep ${decl.name}**\n\nnot checked: it has errors`;
    const lines = [
      `**sweep ${p.name}**: ${p.networks.map((n) => n.label).join(', ')}`,
      `at most ${n0(b.points, 'grid point')} × ${n0(p.trials, 'trial')} × ${n0(p.seeds.length, 'seed')} = ${n0(b.runs, 'training run')}, each of at most ${n0(p.stop.maxEpochs, 'epoch')}: **${n0(b.epochs, 'epoch')}** in all`,
      `${p.sampler} sampler (seed ${p.seed}), pruner ${p.pruner}; objective: ${p.objective.metric}, ${p.objective.direction === 'minimize' ? 'min' : 'max'}, ${p.objective.reduce} epoch`,
    ];
    return lines.join('\n\n');
  }
  if (!tok) return undefined;
  const line = decl.body.find((s) => s.span.start.offset <= off && off <= s.span.end.offset);
  if (line && tok.startOffset === line.wordSpan.start.offset) {
    const spec = SWEEP_LINE_BY_WORD.get(line.word);
    return spec && `**${spec.word}**: ${spec.doc}\n\n\`${spec.example}\``;
  }
  const w = tok.image;
  if ((DISTRIBUTIONS as readonly string[]).includes(w)) return `**${w}**: ${DISTRIBUTION_DOCS[w as keyof typeof DISTRIBUTION_DOCS].doc}`;
  if (line?.word === 'sampler' && (SAMPLERS as readonly string[]).includes(w)) return `**${w}**: ${SAMPLER_DOCS[w as keyof typeof SAMPLER_DOCS]}`;
  if (line?.word === 'pruner' && (PRUNERS as readonly string[]).includes(w)) return `**${w}**: ${PRUNER_DOCS[w as keyof typeof PRUNER_DOCS]}`;
  // a swept constant: which networks define it, and its value in each as written
  if (line && (line.word === 'grid' || line.word === 'search') && line.args[0]?.type === 'name' && line.args[0].span.start.offset <= off && off <= line.args[0].span.end.offset) {
    const name = line.args[0].name;
    if (name.includes('.')) return `training setting \`${name}\`, given to every network`;
    const has = x.networks.filter((n) => Object.hasOwn(n.result.ir?.constants ?? {}, name));
    return has.length ? `constant \`${name}\` of ${has.map((n) => `${n.label} (${n.result.ir!.constants[name]} as written)`).join(', ')}` : undefined;
  }
  return undefined;
}

const contains = (s: Span, off: number) => s.start.offset <= off && off <= s.end.offset;
const num = thousands;

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
  const sweep = sweepHover(a, off, tok);
  if (sweep) return sweep;
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
  const lineStart = lineStartBefore(a.text, off);
  const before = a.text.slice(lineStart, off);
  const lets: Completion[] = a.result.source.lets.map((l) => ({ label: l.name, kind: 'constant', detail: `let ${l.name} = ${constantValue(a, l.name) ?? '?'}` }));
  // which section: the innermost unclosed network / train / sweep above the cursor
  const stack: string[] = [];
  for (const t of a.tokens) {
    if (t.startOffset >= lineStart) break;
    if (t.image === 'network' || t.image === 'train' || t.image === 'repeat' || t.image === 'sweep') stack.push(t.image);
    else if (t.image === '}') stack.pop();
  }
  const section = [...stack].reverse().find((s) => s !== 'repeat') ?? 'top';
  const words = before.trimStart().split(/\s+/);
  if (section === 'sweep') return completeSweep(a, words, lets);
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
    if (section === 'top') return ['let', 'network', 'train', 'sweep'].map((k) => ({ label: k, kind: 'keyword' }));
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

/**
 * Completion on a sweep line: its words at the start, then the constants of its networks and
 * the setting paths after grid or search, the distributions after a searched name, and the
 * words each line takes.
 */
function completeSweep(a: Analysis, words: string[], lets: Completion[]): Completion[] {
  if (words.length <= 1) return SWEEP_LINES.map((l) => ({ label: l.word, kind: 'keyword', detail: l.doc, insertText: `${l.word} ` }));
  const word = words[0];
  const value = (label: string, detail?: string): Completion => ({ label, kind: 'value', detail });
  if ((word === 'grid' || word === 'search') && words.length === 2) {
    const constants = new Map<string, string>();
    for (const n of a.experiment?.networks ?? []) for (const [k, v] of Object.entries(n.result.ir?.constants ?? {})) if (!constants.has(k)) constants.set(k, `let ${k} = ${v} (${n.label})`);
    const own = constants.size ? [] : lets;
    return [...[...constants].map(([k, d]): Completion => ({ label: k, kind: 'constant', detail: d })), ...own, ...settingPaths().map((p) => value(p, 'training setting'))];
  }
  if (word === 'search' && words.length === 3) return DISTRIBUTIONS.map((d) => ({ label: d, kind: 'value', detail: DISTRIBUTION_DOCS[d].doc, insertText: `${d} ` }));
  if (word === 'sampler') return words.length === 2 ? SAMPLERS.map((x) => value(x, SAMPLER_DOCS[x])) : [{ label: 'seed=', kind: 'attribute', detail: "the sampler's seed", insertText: 'seed=' }];
  if (word === 'pruner' && words.length === 2) return PRUNERS.map((x) => value(x, PRUNER_DOCS[x]));
  if (word === 'objective') return [...METRICS, 'min', 'max', 'final', 'best'].filter((x) => !words.slice(1, -1).includes(x)).map((x) => value(x));
  if (word === 'stop') return STOP_ATTRS.filter((x) => !words.some((w) => w.startsWith(`${x.name}=`))).map((x) => ({ label: `${x.name}=`, kind: 'attribute', detail: x.doc, insertText: `${x.name}=` }));
  return [];
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
  kind: 'network' | 'train' | 'constant' | 'sweep';
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
    else if (item.type === 'sweep') out.push({ name: item.name, kind: 'sweep', range: toRange(item.span), selection: toRange(item.nameSpan), detail: a.experiment?.budget ? `${num(a.experiment.budget.runs)} runs, at most ${num(a.experiment.budget.epochs)} epochs` : undefined });
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
    const lineStart = lineStartBefore(a.text, d.span.start.offset);
    const indent = /^[ \t]*/.exec(a.text.slice(lineStart))![0];
    // Projections are plain dense or conv layers (src/language/kinds.ts, `projection`).
    const text =
      p.kind === 'dense' ? `dense ${p.units} ${p.activation}` : p.kind === 'conv' && p.kernel ? `conv ${p.filters} ${p.kernel.join('x')} ${p.activation} padding=same` : undefined;
    if (!text) continue;
    out.push({ title: `Insert the plain layer explicitly: ${text}`, diagnostic: d, edit: { range: { start: { line: r.start.line, character: 0 }, end: { line: r.start.line, character: 0 } }, newText: `${indent}${text}\n` } });
  }
  return out;
}


/**
 * Highlighting from the compiler's own lexer, so that an editor without hwy's TextMate
 * grammar (the playground's CodeMirror) colours exactly what the compiler reads: the
 * token types of the LSP's semantic tokens, in this order (the legend).
 */
export const SEMANTIC_TOKEN_TYPES = ['keyword', 'type', 'function', 'property', 'variable', 'number', 'string', 'comment', 'operator'] as const;
export type SemanticTokenType = (typeof SEMANTIC_TOKEN_TYPES)[number];
export interface SemanticToken {
  line: number; // 0-based
  character: number;
  length: number;
  type: SemanticTokenType;
}

const KEYWORD_TOKENS = new Set(['Let', 'Network', 'Train', 'Repeat', 'Highway', 'Residual', 'Sweep']);
const OPERATOR_TOKENS = new Set(['Equals', 'Plus', 'Minus', 'Star', 'Slash', 'Percent', 'X']);

/** The tokens of a document in order, one line each (hwy tokens never span lines); none for a refused document. */
export function semanticTokens(a: Analysis): SemanticToken[] {
  if (a.result.diagnostics.some((d) => d.code === 'HWY4004')) return [];
  const lexed = hwyLexer.tokenize(a.text);
  const constants = new Set(Object.keys(a.result.ir?.constants ?? {}));
  const all = [...lexed.tokens, ...(lexed.groups.comments ?? []), ...(lexed.groups.slashComments ?? [])].sort((x, y) => x.startOffset - y.startOffset);
  const out: SemanticToken[] = [];
  all.forEach((t, i) => {
    const name = t.tokenType.name;
    let type: SemanticTokenType | undefined;
    if (KEYWORD_TOKENS.has(name)) type = 'keyword';
    else if (name === 'Comment' || name === 'SlashComment') type = 'comment';
    else if (name === 'NumberLit' || name === 'MalformedNumber') type = 'number';
    else if (name === 'StringLit') type = 'string';
    else if (OPERATOR_TOKENS.has(name)) type = 'operator';
    else if (name === 'Identifier') {
      const w = t.image;
      const prev = all[i - 1]?.tokenType.name;
      if (all[i + 1]?.tokenType.name === 'Equals' && prev !== 'Let') type = 'property';
      else if (prev === 'Let' || constants.has(w)) type = 'variable';
      else if ((ACTIVATIONS as readonly string[]).includes(w)) type = 'function'; // before the kinds: `relu` is a layer of its own too
      else if (BLOCK_BY_KIND.has(w) || SETTING_BY_KIND.has(w)) type = 'type';
    }
    if (type && t.startLine !== undefined && t.startColumn !== undefined) out.push({ line: t.startLine - 1, character: t.startColumn - 1, length: t.image.length, type });
  });
  return out;
}
