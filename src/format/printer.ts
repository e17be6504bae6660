import { doc, type Doc } from 'prettier';
import type { Comment, Dims, Expr, FileAst, Stmt, SweepStmt, SweepValue, TopLevel, Value } from '../parser/ast.js';
import { splitLines } from '../diagnostics/lines.js';

const { hardline, indent, join } = doc.builders;

export function printExpr(e: Expr): string {
  switch (e.type) {
    case 'num':
      return e.text;
    case 'ref':
      return e.name;
    case 'neg':
      return '-' + printExpr(e.operand);
    case 'paren':
      return '(' + printExpr(e.inner) + ')';
    case 'bin':
      return `${printExpr(e.left)} ${e.op} ${printExpr(e.right)}`;
  }
}

/** `28x28x1` between literals, ` x ` next to names and expressions: `12x12 x width`. */
export function printDims(d: Dims): string {
  let out = printExpr(d.items[0]);
  for (let i = 1; i < d.items.length; i++) {
    const tight = d.items[i - 1].type === 'num' && d.items[i].type === 'num';
    out += (tight ? 'x' : ' x ') + printExpr(d.items[i]);
  }
  return out;
}

export function printValue(v: Value): string {
  if (v.type === 'dims') return printDims(v);
  if (v.type === 'string') return JSON.stringify(v.value);
  return '[' + v.items.map(printValue).join(', ') + ']';
}

export function printSweepValue(v: SweepValue): string {
  if (v.type === 'num') return v.text;
  if (v.type === 'name') return v.name;
  if (v.type === 'string') return JSON.stringify(v.value);
  return '[' + v.items.map(printSweepValue).join(', ') + ']';
}

/** A sweep line as written: its word, values, then attributes (`stop epochs=25 patience=5`). */
function sweepLine(s: SweepStmt): string {
  return [s.word, ...s.args.map(printSweepValue), ...s.attrs.map((a) => `${a.name}=${printSweepValue(a.value)}`)].join(' ');
}

/** Comments are attached here, by line: the grammar is line based, so each comment belongs to a line of its own or ends one. */
class CommentAttacher {
  private readonly used = new Set<Comment>();
  private readonly blankLine: boolean[];
  /** Column of the first non-blank character of each line (1-based), to tell own-line comments from trailing ones. */
  private readonly firstCols = new Map<number, number>();
  constructor(
    private readonly comments: Comment[],
    text: string,
  ) {
    // Prettier hands over text with its line ends made \n; split as the lexer reads them all the same
    const lines = splitLines(text);
    this.blankLine = lines.map((l) => l.trim() === '');
    lines.forEach((l, i) => {
      const m = /\S/.exec(l);
      if (m) this.firstCols.set(i + 1, m.index + 1);
    });
  }
  /** Whole-line comments strictly between two lines. */
  between(after: number, before: number): Comment[] {
    const out = this.comments.filter((c) => !this.used.has(c) && c.span.start.line > after && c.span.start.line < before && this.ownLine(c));
    out.forEach((c) => this.used.add(c));
    return out;
  }
  /** A comment at the end of a line. */
  endOf(line: number): string {
    const c = this.comments.find((x) => !this.used.has(x) && x.span.start.line === line);
    if (!c) return '';
    this.used.add(c);
    return c.text.trimEnd();
  }
  private ownLine(c: Comment): boolean {
    return this.firstCols.get(c.span.start.line) === c.span.start.col;
  }
  /** Is there an empty line between two lines (exclusive)? */
  blankBetween(after: number, before: number): boolean {
    for (let l = after + 1; l < before; l++) if (this.blankLine[l - 1]) return true;
    return false;
  }
  leftovers(): Comment[] {
    return this.comments.filter((c) => !this.used.has(c));
  }
}

function stmtHead(s: Stmt): string {
  if (s.type === 'repeat') return `repeat ${printExpr(s.count)} {`;
  const parts = [s.modifier ? `${s.modifier} ${s.kind}` : s.kind, ...s.args.map(printValue), ...s.attrs.map((a) => `${a.name}=${printValue(a.value)}`)];
  return parts.join(' ');
}

/**
 * One item a line, bodies indented by two spaces, comments kept where they were, at most
 * one blank line kept between items.
 */
export function printFile(ast: FileAst, text: string): Doc {
  const cm = new CommentAttacher(ast.comments, text);
  const out: (Doc | Line)[] = [];
  let prevEnd = 0;

  /** Leading comments and a blank line before an item starting at `line`. */
  const lead = (into: Doc[], line: number, first: boolean) => {
    const comments = cm.between(prevEnd, line);
    const firstLine = comments.length ? comments[0].span.start.line : line;
    if (!first && cm.blankBetween(prevEnd, firstLine)) into.push('');
    for (let i = 0; i < comments.length; i++) {
      into.push(comments[i].text.trimEnd());
      const next = i + 1 < comments.length ? comments[i + 1].span.start.line : line;
      if (cm.blankBetween(comments[i].span.start.line, next)) into.push('');
    }
  };

  const body = <S extends { span: Stmt['span'] }>(stmts: S[], openLine: number, closeLine: number, each: (s: S) => Doc | Line): Doc[] => {
    const lines: (Doc | Line)[] = [];
    prevEnd = openLine;
    stmts.forEach((s, i) => {
      lead(lines as Doc[], s.span.start.line, i === 0);
      lines.push(each(s));
    });
    const dangling = cm.between(prevEnd, closeLine);
    if (dangling.length && stmts.length && cm.blankBetween(prevEnd, dangling[0].span.start.line)) lines.push('');
    for (const c of dangling) lines.push(c.text.trimEnd());
    prevEnd = closeLine;
    return alignTrailing(lines);
  };

  const withComment = (code: string, comment: string) => (comment ? `${code}  ${comment}` : code);
  /** A body in braces; `open` is the line of its `{`, which may stand below the head (it is printed on the head's line). */
  const block = <S extends { span: Stmt['span'] }>(head: string, stmts: S[], start: number, end: number, each: (s: S) => Doc | Line, open = start): Doc => {
    let headComment = cm.endOf(start);
    // Whole-line comments between the head and a '{' below it open the body, and the '{' line's own
    // comment follows them (comments keep their order); with none between and none on the head, it ends the head line.
    const above = open > start ? cm.between(start, open).map((c) => c.text.trimEnd()) : [];
    const braceComment = open > start ? cm.endOf(open) : '';
    if (braceComment && !headComment && above.length === 0) headComment = braceComment;
    else if (braceComment) above.push(braceComment);
    const headLine = withComment(head, headComment);
    const lines = [...above, ...body(stmts, open, end, each)];
    const tail = withComment('}', cm.endOf(end));
    if (lines.length === 0) return [headLine, hardline, tail];
    return [headLine, indent([hardline, join(hardline, lines)]), hardline, tail];
  };

  const stmtDoc = (s: Stmt): Doc | Line => {
    if (s.type === 'repeat') return block(stmtHead(s), s.body, s.span.start.line, s.span.end.line, stmtDoc, s.openLine);
    const d: Line = { code: stmtHead(s), comment: cm.endOf(s.span.end.line) };
    prevEnd = s.span.end.line;
    return d;
  };

  const sweepDoc = (s: SweepStmt): Line => {
    const d: Line = { code: sweepLine(s), comment: cm.endOf(s.span.end.line) };
    prevEnd = s.span.end.line;
    return d;
  };

  const itemDoc = (item: TopLevel): Doc | Line => {
    switch (item.type) {
      case 'let': {
        const d: Line = { code: `let ${item.name} = ${printExpr(item.value)}`, comment: cm.endOf(item.span.end.line) };
        prevEnd = item.span.end.line;
        return d;
      }
      case 'network':
        return block(`network ${item.name} {`, item.body, item.span.start.line, item.span.end.line, stmtDoc, item.openLine);
      case 'train':
        return block('train {', item.body, item.span.start.line, item.span.end.line, stmtDoc, item.openLine);
      case 'sweep':
        return block(`sweep ${item.name} {`, item.body, item.span.start.line, item.span.end.line, sweepDoc, item.openLine);
      case 'stray':
        return stmtDoc(item.stmt);
    }
  };

  ast.items.forEach((item, i) => {
    lead(out as Doc[], item.span.start.line, i === 0);
    out.push(itemDoc(item));
  });
  const trailing = cm.between(prevEnd, Number.MAX_SAFE_INTEGER);
  if (trailing.length && out.length && cm.blankBetween(prevEnd, trailing[0].span.start.line)) out.push('');
  for (const c of trailing) out.push(c.text.trimEnd());
  // never lose a comment, wherever it was
  for (const c of cm.leftovers()) out.push(c.text.trimEnd());
  return [join(hardline, alignTrailing(out)), hardline];
}

/** A one-line item whose trailing comment may be aligned with its neighbours'. */
interface Line {
  code: string;
  comment: string;
}
function isLine(x: unknown): x is Line {
  return typeof x === 'object' && x !== null && 'code' in x && 'comment' in x;
}

/** Trailing comments of consecutive one-line items start in one column (two spaces after the longest). */
function alignTrailing(items: (Doc | Line)[]): Doc[] {
  const out: Doc[] = [];
  let i = 0;
  while (i < items.length) {
    const it = items[i];
    if (!isLine(it) || !it.comment) {
      out.push(isLine(it) ? it.code : it);
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && isLine(items[j]) && (items[j] as Line).comment) j++;
    const run = items.slice(i, j) as Line[];
    // a reduce, not a spread: a run of commented lines can be 100,000 long
    const col = run.reduce((m, l) => Math.max(m, l.code.length), 0) + 2;
    for (const l of run) out.push(l.code.padEnd(col) + l.comment);
    i = j;
  }
  return out;
}
