/** A position for people: line and column are 1-based; offset is 0-based into the text. */
export interface Position {
  line: number;
  col: number;
  offset: number;
}

/** A source range; `end` is exclusive (the position just after the last character). */
export interface Span {
  file: string;
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedInfo {
  span: Span;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  span: Span;
  hint?: string;
  /** Other places that explain this one (e.g. where an incoming shape came from). */
  related?: RelatedInfo[];
}

/**
 * The sink every stage writes into. Stages never throw for user mistakes: they report
 * here and carry on, so one run shows every problem of a file.
 */
export class Diagnostics {
  readonly items: Diagnostic[] = [];
  /** Past this many errors, further ones are dropped (binary junk would give millions). */
  static readonly MAX_ERRORS = 100;
  private dropped = 0;

  add(d: Diagnostic): void {
    if (d.severity === 'error' && this.errorCount() >= Diagnostics.MAX_ERRORS) {
      this.dropped++;
      return;
    }
    this.items.push(d);
  }
  error(code: string, span: Span, message: string, hint?: string, related?: RelatedInfo[]): void {
    this.add(clean({ severity: 'error', code, message, span, hint, related }));
  }
  warning(code: string, span: Span, message: string, hint?: string, related?: RelatedInfo[]): void {
    this.add(clean({ severity: 'warning', code, message, span, hint, related }));
  }
  info(code: string, span: Span, message: string, hint?: string, related?: RelatedInfo[]): void {
    this.add(clean({ severity: 'info', code, message, span, hint, related }));
  }
  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
  errorCount(): number {
    let n = 0;
    for (const d of this.items) if (d.severity === 'error') n++;
    return n;
  }
  droppedCount(): number {
    return this.dropped;
  }
  /** Diagnostics in source order (stable for equal positions). */
  sorted(): Diagnostic[] {
    return [...this.items].sort(
      (a, b) => a.span.start.offset - b.span.start.offset || rank(a) - rank(b),
    );
  }
}

function rank(d: Diagnostic): number {
  return d.severity === 'error' ? 0 : d.severity === 'warning' ? 1 : 2;
}

function clean(d: Diagnostic): Diagnostic {
  if (d.hint === undefined) delete d.hint;
  if (d.related === undefined || d.related.length === 0) delete d.related;
  return d;
}

export function spanAt(file: string, line: number, col: number, offset: number, length = 1): Span {
  return {
    file,
    start: { line, col, offset },
    end: { line, col: col + length, offset: offset + length },
  };
}

/** A span covering from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}
