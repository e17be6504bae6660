import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Attr, BlockStmt, Dims, Expr, FileAst, Stmt, SweepAttr, SweepStmt, SweepValue, TopLevel, Value } from './ast.js';
import type { Diagnostics, Span } from '../diagnostics/types.js';
import { tokenSpan } from './lexer.js';

type Children = Record<string, CstElement[] | undefined>;

function isToken(e: CstElement): e is IToken {
  return (e as IToken).image !== undefined;
}

/**
 * Builds the AST from the CST. The parser recovers from errors, so any child may be
 * missing: such constructs are dropped (the parser already reported them).
 */
/** Operators in one expression; longer chains are refused (later stages walk expressions recursively). */
export const MAX_OPERATORS = 1000;

export class AstBuilder {
  constructor(
    private readonly file: string,
    private readonly diags: Diagnostics,
    /** The source, to quote the corrected line in hints. */
    private readonly text = '',
  ) {}

  private span(node: CstNode): Span | undefined {
    const l = node.location;
    if (!l || l.startOffset === undefined || Number.isNaN(l.startOffset) || l.endOffset === undefined || Number.isNaN(l.endOffset)) return undefined;
    return {
      file: this.file,
      start: { line: l.startLine ?? 1, col: l.startColumn ?? 1, offset: l.startOffset },
      end: { line: l.endLine ?? 1, col: (l.endColumn ?? 1) + 1, offset: l.endOffset + 1 },
    };
  }
  private tok(c: Children, name: string, i = 0): IToken | undefined {
    const e = c[name]?.[i];
    return e && isToken(e) && !e.isInsertedInRecovery ? e : undefined;
  }
  private nodes(c: Children, name: string): CstNode[] {
    return (c[name] ?? []).filter((e): e is CstNode => !isToken(e));
  }
  private tokens(c: Children, name: string): IToken[] {
    return (c[name] ?? []).filter((e): e is IToken => isToken(e) && !e.isInsertedInRecovery);
  }

  fileAst(cst: CstNode, comments: IToken[]): FileAst {
    const c = cst.children as Children;
    const items: TopLevel[] = [];
    for (const n of this.nodes(c, 'letDecl')) {
      const cc = n.children as Children;
      const name = this.tok(cc, 'Identifier');
      const value = this.nodes(cc, 'expr')[0];
      const span = this.span(n);
      const expr = value && this.expr(value);
      if (name && expr && span) items.push({ type: 'let', name: name.image, nameSpan: tokenSpan(this.file, name), value: expr, span });
    }
    for (const n of this.nodes(c, 'networkDecl')) {
      const cc = n.children as Children;
      const name = this.tok(cc, 'Identifier');
      const span = this.span(n);
      if (!name || !span) continue;
      items.push({ type: 'network', name: name.image, nameSpan: tokenSpan(this.file, name), body: this.body(this.nodes(cc, 'body')[0]), openLine: this.openLine(cc), span });
    }
    for (const n of this.nodes(c, 'trainDecl')) {
      const cc = n.children as Children;
      const kw = this.tok(cc, 'Train');
      const span = this.span(n);
      if (!kw || !span) continue;
      items.push({ type: 'train', keywordSpan: tokenSpan(this.file, kw), body: this.body(this.nodes(cc, 'body')[0]), openLine: this.openLine(cc), span });
    }
    for (const n of this.nodes(c, 'sweepDecl')) {
      const cc = n.children as Children;
      const kw = this.tok(cc, 'Sweep');
      const name = this.tok(cc, 'Identifier');
      const span = this.span(n);
      if (!kw || !name || !span) continue;
      const body: SweepStmt[] = [];
      for (const st of this.nodes(cc, 'sweepStmt')) {
        const x = this.sweepStmt(st);
        if (x) body.push(x);
      }
      items.push({ type: 'sweep', name: name.image, nameSpan: tokenSpan(this.file, name), keywordSpan: tokenSpan(this.file, kw), body, openLine: this.openLine(cc), span });
    }
    for (const st of this.body(cst)) items.push({ type: 'stray', stmt: st, span: st.span });
    items.sort((a, b) => a.span.start.offset - b.span.start.offset);
    return {
      file: this.file,
      items,
      comments: comments.map((t) => ({ text: t.image, span: tokenSpan(this.file, t) })),
    };
  }

  /** The line of a declaration's `{` (absent when recovery supplied it). */
  private openLine(c: Children): number | undefined {
    const open = this.nodes(c, 'openBrace')[0];
    const brace = open && this.tok(open.children as Children, 'LCurly');
    return brace && brace.image !== '' ? brace.startLine : undefined;
  }

  private body(n: CstNode | undefined): Stmt[] {
    if (!n) return [];
    const out: Stmt[] = [];
    for (const s of this.nodes(n.children as Children, 'statement')) {
      const sc = s.children as Children;
      const rep = this.nodes(sc, 'repeatStmt')[0];
      const blk = this.nodes(sc, 'blockStmt')[0];
      const stmt = rep ? this.repeat(rep) : blk ? this.block(blk) : undefined;
      if (stmt) out.push(stmt);
    }
    return out;
  }

  private repeat(n: CstNode): Stmt | undefined {
    const c = n.children as Children;
    const kw = this.tok(c, 'Repeat');
    const countNode = this.nodes(c, 'expr')[0];
    const count = countNode && this.expr(countNode);
    const span = this.span(n);
    if (!kw || !count || !span) return undefined;
    const head = tokenSpan(this.file, kw);
    return {
      type: 'repeat',
      count,
      body: this.body(this.nodes(c, 'body')[0]),
      headSpan: { file: this.file, start: head.start, end: count.span.end },
      openLine: this.openLine(c),
      span,
    };
  }

  private block(n: CstNode): BlockStmt | undefined {
    const c = n.children as Children;
    const kind = this.tok(c, 'Identifier');
    const span = this.span(n);
    if (!kind || !span) return undefined;
    const modTok = this.tok(c, 'Highway') ?? this.tok(c, 'Residual');
    const args: Value[] = [];
    for (const d of this.nodes(c, 'dims')) {
      const v = this.dims(d);
      if (v) args.push(v);
    }
    for (const t of this.tokens(c, 'StringLit')) args.push(this.string(t));
    args.sort((a, b) => a.span.start.offset - b.span.start.offset);
    const attrs: Attr[] = [];
    for (const a of this.nodes(c, 'attr')) {
      const ac = a.children as Children;
      const name = this.tok(ac, 'Identifier');
      const vn = this.nodes(ac, 'value')[0];
      const value = vn && this.value(vn);
      const aspan = this.span(a);
      if (name && value && aspan) attrs.push({ name: name.image, nameSpan: tokenSpan(this.file, name), value, span: aspan });
    }
    this.positionalFirst(kind, modTok, args, attrs);
    const stmt: BlockStmt = { type: 'block', kind: kind.image, kindSpan: tokenSpan(this.file, kind), args, attrs, span };
    if (modTok) {
      stmt.modifier = modTok.image as 'highway' | 'residual';
      stmt.modifierSpan = tokenSpan(this.file, modTok);
    }
    return stmt;
  }

  /**
   * Positional arguments come before name=value attributes (`highway dense relu 50
   * gate_bias=-7`): one written after an attribute reads as a value of it to a person, so it
   * is refused, once, at the first such argument. The block keeps it (the arguments are in
   * order), so the rest of the file is checked as if it had been moved.
   */
  private positionalFirst(kind: IToken, modTok: IToken | undefined, args: Value[], attrs: Attr[]): void {
    if (attrs.length === 0) return;
    const firstAttr = Math.min(...attrs.map((a) => a.span.start.offset));
    const late = args.find((a) => a.span.start.offset > firstAttr);
    if (!late) return;
    const quote = (sp: Span) => this.text.slice(sp.start.offset, sp.end.offset).replace(/\s+/g, ' ');
    const shown = quote(late.span);
    const named = attrs.find((a) => a.span.start.offset === firstAttr)!;
    const head = [modTok, kind].filter((t): t is IToken => t !== undefined).map((t) => t.image);
    const fixed = [...head, ...args.map((a) => quote(a.span)), ...[...attrs].sort((a, b) => a.span.start.offset - b.span.start.offset).map((a) => quote(a.span))].join(' ');
    this.diags.error(
      'HWY1002',
      late.span,
      `positional argument '${shown.length > 30 ? shown.slice(0, 30) + '…' : shown}' after the named '${quote(named.span)}': positional arguments come first`,
      this.text ? `move it before the named ones: '${fixed}'` : 'move it before the named ones',
    );
  }

  private sweepStmt(n: CstNode): SweepStmt | undefined {
    const c = n.children as Children;
    const word = this.tok(c, 'Identifier');
    const span = this.span(n);
    if (!word || !span) return undefined;
    const args: SweepValue[] = [];
    for (const v of this.nodes(c, 'sweepValue')) {
      const x = this.sweepValue(v);
      if (x) args.push(x);
    }
    const attrs: SweepAttr[] = [];
    for (const a of this.nodes(c, 'sweepAttr')) {
      const ac = a.children as Children;
      const name = Object.keys(ac).filter((k) => k !== 'Equals' && k !== 'sweepValue').map((k) => this.tok(ac, k))[0];
      const vn = this.nodes(ac, 'sweepValue')[0];
      const value = vn && this.sweepValue(vn);
      const aspan = this.span(a);
      if (name && value && aspan) attrs.push({ name: name.image, nameSpan: tokenSpan(this.file, name), value, span: aspan });
    }
    return { word: word.image, wordSpan: tokenSpan(this.file, word), args, attrs, span };
  }

  private sweepValue(n: CstNode): SweepValue | undefined {
    const c = n.children as Children;
    const span = this.span(n);
    const num = this.tok(c, 'NumberLit');
    if (num) {
      const minus = this.tokens(c, 'Minus');
      const negative = minus.length % 2 === 1;
      const value = Number(num.image);
      const start = minus.length ? tokenSpan(this.file, minus[0]).start : tokenSpan(this.file, num).start;
      return { type: 'num', value: negative ? -value : value, text: `${negative ? '-' : ''}${num.image}`, span: { file: this.file, start, end: tokenSpan(this.file, num).end } };
    }
    const s = this.tok(c, 'StringLit');
    if (s) return this.string(s) as SweepValue;
    const p = this.nodes(c, 'path')[0];
    if (p) {
      const pc = p.children as Children;
      const head = this.tok(pc, 'Identifier') ?? this.tok(pc, 'Train');
      const pspan = this.span(p);
      if (!head || !pspan) return undefined;
      const parts = [...this.tokens(pc, 'Identifier'), ...this.tokens(pc, 'Train')].sort((a, b) => a.startOffset - b.startOffset);
      // a path cut short by a syntax error (`train.`) is dropped: the parser reported it
      if (this.tokens(pc, 'Dot').length !== parts.length - 1) return undefined;
      return { type: 'name', name: parts.map((t) => t.image).join('.'), span: pspan };
    }
    const l = this.nodes(c, 'sweepList')[0];
    if (!l || !span) return undefined;
    const items: SweepValue[] = [];
    for (const v of this.nodes(l.children as Children, 'sweepValue')) {
      const x = this.sweepValue(v);
      if (x) items.push(x);
    }
    return { type: 'list', items, span };
  }

  private string(t: IToken): Value {
    let value: string;
    try {
      value = JSON.parse(t.image) as string;
    } catch {
      value = t.image.slice(1, -1);
    }
    return { type: 'string', value, span: tokenSpan(this.file, t) };
  }

  private value(n: CstNode): Value | undefined {
    const c = n.children as Children;
    const d = this.nodes(c, 'dims')[0];
    if (d) return this.dims(d);
    const s = this.tok(c, 'StringLit');
    if (s) return this.string(s);
    const l = this.nodes(c, 'list')[0];
    if (!l) return undefined;
    const span = this.span(l);
    if (!span) return undefined;
    const items: Value[] = [];
    for (const v of this.nodes(l.children as Children, 'value')) {
      const iv = this.value(v);
      if (iv) items.push(iv);
    }
    return { type: 'list', items, span };
  }

  private dims(n: CstNode): Dims | undefined {
    const items: Expr[] = [];
    for (const e of this.nodes(n.children as Children, 'expr')) {
      const x = this.expr(e);
      if (!x) return undefined;
      items.push(x);
    }
    const span = this.span(n);
    if (items.length === 0 || !span) return undefined;
    return { type: 'dims', items, span };
  }

  /** Operands and the operators between them, folded with * / % binding tighter than + - (both left-associative). */
  expr(n: CstNode): Expr | undefined {
    const c = n.children as Children;
    const operands = this.nodes(c, 'primary').map((p) => this.primary(p));
    const ops = [...this.tokens(c, 'Plus'), ...this.tokens(c, 'Minus'), ...this.tokens(c, 'Star'), ...this.tokens(c, 'Slash'), ...this.tokens(c, 'Percent')];
    if (operands.length === 0 || operands.some((o) => !o) || ops.length !== operands.length - 1) return undefined;
    if (ops.length > MAX_OPERATORS) {
      this.diags.error('HWY1003', { file: this.file, start: operands[0]!.span.start, end: operands[0]!.span.end }, `expression with more than ${MAX_OPERATORS} operators`, 'use a constant defined with let');
      return undefined;
    }
    ops.sort((a, b) => a.startOffset - b.startOffset);
    const bin = (op: string, left: Expr, right: Expr): Expr => ({ type: 'bin', op: op as '+', left, right, span: { file: this.file, start: left.span.start, end: right.span.end } });
    const terms: Expr[] = [];
    const addOps: string[] = [];
    let current = operands[0]!;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i].image;
      if (op === '*' || op === '/' || op === '%') current = bin(op, current, operands[i + 1]!);
      else {
        terms.push(current);
        addOps.push(op);
        current = operands[i + 1]!;
      }
    }
    terms.push(current);
    let acc = terms[0];
    for (let i = 0; i < addOps.length; i++) acc = bin(addOps[i], acc, terms[i + 1]);
    return acc;
  }

  private primary(n: CstNode): Expr | undefined {
    const c = n.children as Children;
    let e: Expr | undefined;
    const num = this.tok(c, 'NumberLit');
    const id = this.tok(c, 'Identifier');
    if (num) e = { type: 'num', value: Number(num.image), text: num.image, span: tokenSpan(this.file, num) };
    else if (id) e = { type: 'ref', name: id.image, span: tokenSpan(this.file, id) };
    else {
      const inner = this.nodes(c, 'expr')[0];
      const x = inner && this.expr(inner);
      const lp = this.tok(c, 'LParen');
      const rp = this.tok(c, 'RParen');
      if (x && lp && rp) e = { type: 'paren', inner: x, span: { file: this.file, start: tokenSpan(this.file, lp).start, end: tokenSpan(this.file, rp).end } };
    }
    if (!e) return undefined;
    // Signs cancel in pairs: `- - x` is x, so a run of signs is at most one negation.
    const minus = this.tokens(c, 'Minus').sort((a, b) => a.startOffset - b.startOffset);
    if (minus.length % 2 === 1) e = { type: 'neg', operand: e, span: { file: this.file, start: tokenSpan(this.file, minus[0]).start, end: e.span.end } };
    return e;
  }
}
