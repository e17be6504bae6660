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
  /**
   * Past this many diagnostics of one severity, further ones are only counted: binary junk
   * gives millions of errors, and a long written-out network one warning a line.
   */
  static readonly MAX_ERRORS = 100;
  private readonly kept = { error: 0, warning: 0, info: 0 };
  private readonly dropped = { error: 0, warning: 0, info: 0 };

  add(d: Diagnostic): void {
    if (this.kept[d.severity] >= Diagnostics.MAX_ERRORS) {
      this.dropped[d.severity]++;
      return;
    }
    this.kept[d.severity]++;
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
    return this.kept.error > 0;
  }
  errorCount(): number {
    return this.kept.error;
  }
  /** How many were dropped, of every severity together. */
  droppedCount(): number {
    return this.dropped.error + this.dropped.warning + this.dropped.info;
  }
  /** What was dropped, in words: "3 more errors and 400 more warnings". */
  droppedSummary(): string {
    const words = { error: ['error', 'errors'], warning: ['warning', 'warnings'], info: ['note', 'notes'] } as const;
    const parts = (['error', 'warning', 'info'] as const)
      .filter((s) => this.dropped[s] > 0)
      .map((s) => `${this.dropped[s].toLocaleString('en-US')} more ${words[s][this.dropped[s] === 1 ? 0 : 1]}`);
    return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? '');
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
