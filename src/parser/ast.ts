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

/** A statement written outside any network (an error the checker reports). */
export interface StrayStmt {
  type: 'stray';
  stmt: Stmt;
  span: Span;
}

export type TopLevel = LetDecl | NetworkDecl | TrainDecl | StrayStmt;

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
