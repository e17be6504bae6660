import { EOF, type IRecognitionException, type IToken } from 'chevrotain';
import { Diagnostics, type Span } from '../diagnostics/types.js';
import { splitLines } from '../diagnostics/lines.js';
import type { FileAst } from './ast.js';
import { AstBuilder } from './cst-to-ast.js';
import { lex, tokenSpan } from './lexer.js';
import { getParser } from './parser.js';
import { syntaxHint } from './errors.js';
import { repairTokens } from './repair.js';

export type * from './ast.js';

/** Text to AST. Never throws: problems go to `diags`, and what could be parsed is returned. */
export function parse(text: string, file: string, diags: Diagnostics): FileAst {
  const lexed = lex(text, file, diags);
  if (!lexed.parseable) return { file, items: [], comments: [] };
  const parser = getParser();
  parser.input = repairTokens(lexed.tokens, text, file, diags);
  const cst = parser.file();
  for (const e of parser.errors) diags.error('HWY1002', errorSpan(e, text, file), e.message, syntaxHint(e.message));
  const ast = new AstBuilder(file, diags, text).fileAst(cst, lexed.comments);
  ast.tokens = lexed.tokens;
  return ast;
}

function endOfText(text: string, file: string): Span {
  const lines = splitLines(text);
  const line = lines.length;
  const col = lines[lines.length - 1].length + 1;
  const offset = text.length;
  return { file, start: { line, col, offset }, end: { line, col, offset } };
}

function errorSpan(e: IRecognitionException, text: string, file: string): Span {
  const t = e.token;
  if (!t || t.tokenType === EOF || Number.isNaN(t.startOffset)) {
    const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
    if (prev && !Number.isNaN(prev.startOffset)) {
      const s = tokenSpan(file, prev);
      return { file, start: s.end, end: s.end };
    }
    return endOfText(text, file);
  }
  return tokenSpan(file, t);
}
