import type { Span } from '../diagnostics/types.js';

/** The syntax tree: what was written, with spans; no meaning attached yet. */
export type Expr =
  | { type: 'num'; value: number; text: string; span: Span }
  | { type: 'ref'; name: string; span: Span }
  | { type: 'neg'; operand: Expr; span: Span }
  | { type: 'bin'; op: '+' | '-' | '*' | '/' | '%'; left: Expr; right: Expr; span: Span }
  | { type: 'paren'; inner: Expr; span: Span };

/** `a x b x c`, or a single expression (one dimension). */
export interface Dims {
  type: 'dims';
  items: Expr[];
  span: Span;
}

export type Value = Dims | { type: 'string'; value: string; span: Span } | { type: 'list'; items: Value[]; span: Span };

export interface Attr {
  name: string;
  nameSpan: Span;
  value: Value;
  span: Span;
}

export interface BlockStmt {
  type: 'block';
  modifier?: 'highway' | 'residual';
  modifierSpan?: Span;
  kind: string;
  kindSpan: Span;
  /** Positional arguments in order: sizes, kernels, activation names, strings. */
  args: Value[];
  attrs: Attr[];
  span: Span;
}

export interface RepeatStmt {
  type: 'repeat';
  count: Expr;
  body: Stmt[];
  /** `repeat <count>`: the part to point at for errors about the count. */
  headSpan: Span;
  /** The line of the `{` that opens the body (it may stand on a line below the head). */
  openLine?: number;
  span: Span;
}

export type Stmt = BlockStmt | RepeatStmt;

export interface LetDecl {
  type: 'let';
  name: string;
  nameSpan: Span;
  value: Expr;
  span: Span;
}

export interface NetworkDecl {
  type: 'network';
  name: string;
  nameSpan: Span;
  body: Stmt[];
  /** The line of the `{` that opens the body (it may stand on a line below the head). */
  openLine?: number;
  span: Span;
}

export interface TrainDecl {
  type: 'train';
  body: Stmt[];
  keywordSpan: Span;
  /** The line of the `{` that opens the body (it may stand on a line below the head). */
  openLine?: number;
  span: Span;
}

/**
 * A value on a sweep line: a signed number, a name or setting path (`relu`, `train.lr`), a
 * string or a list. No arithmetic: sweeps list values, they do not compute them.
 */
export type SweepValue =
  | { type: 'num'; value: number; text: string; span: Span }
  | { type: 'name'; name: string; span: Span }
  | { type: 'string'; value: string; span: Span }
  | { type: 'list'; items: SweepValue[]; span: Span };

export interface SweepAttr {
  name: string;
  nameSpan: Span;
  value: SweepValue;
  span: Span;
}

/** One line of a sweep: `grid depth [10, 20]`, `stop epochs=25 patience=5`. */
export interface SweepStmt {
  word: string;
  wordSpan: Span;
  /** Positional values in order. */
  args: SweepValue[];
  attrs: SweepAttr[];
  span: Span;
}

export interface SweepDecl {
  type: 'sweep';
  name: string;
  nameSpan: Span;
  keywordSpan: Span;
  body: SweepStmt[];
  /** The line of the `{`, when it stands below the head. */
  openLine?: number;
  span: Span;
}

/** A statement written outside any network (an error the checker reports). */
export interface StrayStmt {
  type: 'stray';
  stmt: Stmt;
  span: Span;
}

export type TopLevel = LetDecl | NetworkDecl | TrainDecl | SweepDecl | StrayStmt;

export interface Comment {
  text: string;
  span: Span;
}

export interface FileAst {
  file: string;
  items: TopLevel[];
  comments: Comment[];
  /** The lexer's tokens (for editor features that work on tokens); absent when the text was not lexed. */
  tokens?: import('chevrotain').IToken[];
}
