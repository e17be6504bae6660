import { Lexer, type IToken } from 'chevrotain';
import { allTokens, LCurly, LParen, LBracket, MalformedNumber, RCurly, RParen, RBracket } from './tokens.js';
import { Diagnostics, type Span } from '../diagnostics/types.js';
import { lineStartBefore, splitLines } from '../diagnostics/lines.js';

// A line ends at \n, \r\n or a lone \r (src/diagnostics/lines.ts), as editors number lines.
export const hwyLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  // The token set is fixed and checked by the tests; skipping its validation saves start-up time.
  skipValidations: process.env.HWY_VALIDATE_GRAMMAR !== '1',
  lineTerminatorsPattern: /\r\n?|\n/g,
  lineTerminatorCharacters: ['\n', '\r'],
});

/** Brackets nested deeper than this are refused before parsing (the parser is recursive). */
export const MAX_NESTING = 64;

export interface LexResult {
  tokens: IToken[];
  comments: IToken[];
  /** False when the token stream must not be parsed (binary file, nesting too deep). */
  parseable: boolean;
}

export function tokenSpan(file: string, t: IToken): Span {
  const len = t.image.length;
  return {
    file,
    start: { line: t.startLine ?? 1, col: t.startColumn ?? 1, offset: t.startOffset },
    end: { line: t.endLine ?? t.startLine ?? 1, col: (t.endColumn ?? t.startColumn ?? 1) + 1, offset: t.startOffset + len },
  };
}

export function lex(text: string, file: string, diags: Diagnostics): LexResult {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = splitLines(before).length;
    const col = nul - lineStartBefore(text, nul) + 1;
    diags.error(
      'HWY1005',
      { file, start: { line, col, offset: nul }, end: { line, col: col + 1, offset: nul + 1 } },
      'this file is not text: it contains a NUL byte',
      'hwy reads UTF-8 text specs (.hwy files); check the file name',
    );
    return { tokens: [], comments: [], parseable: false };
  }
  // A UTF-8 byte-order mark (editors on Windows write one) is invisible: read as a space,
  // so that offsets and columns still count it, rather than as an unexpected character.
  const result = hwyLexer.tokenize(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  for (const e of result.errors) {
    const ch = text.slice(e.offset, e.offset + e.length);
    const shown = ch.length > 20 ? ch.slice(0, 20) + '…' : ch;
    const span: Span = {
      file,
      start: { line: e.line ?? 1, col: e.column ?? 1, offset: e.offset },
      end: { line: e.line ?? 1, col: (e.column ?? 1) + e.length, offset: e.offset + e.length },
    };
    const quote = shown.startsWith('"');
    const colon = shown.startsWith(':');
    diags.error(
      'HWY1001',
      span,
      quote ? 'unterminated string' : `unexpected character${ch.length > 1 ? 's' : ''} ${JSON.stringify(shown)}`,
      quote
        ? 'close the string with " on the same line'
        : colon
          ? "no ':' in hwy: a block's arguments follow its name (input 784), attributes are written name=value"
          : 'hwy specs use names, numbers, `x` between dimensions, = { } ( ) [ ] , + - * / % and # comments',
    );
  }
  for (const t of (result.groups.slashComments ?? []) as IToken[]) {
    diags.error('HWY1001', tokenSpan(file, t), `comments start with '#', not '${t.image.slice(0, 2)}'`, `write '#${t.image.slice(2).replace(/\*\/\s*$/, '').trimEnd()}'`);
  }
  for (const t of result.tokens) {
    if (t.tokenType !== MalformedNumber) continue;
    const shown = t.image.length > 20 ? t.image.slice(0, 20) + '…' : t.image;
    diags.error('HWY1001', tokenSpan(file, t), `'${shown}' is not a number: it has ${t.image.split('.').length - 1} decimal points`, 'a number has at most one: 3.5, 0.5, -3');
  }
  const comments = (result.groups.comments ?? []) as IToken[];
  // The parser recurses on brackets: refuse absurd nesting up front instead of overflowing the stack.
  let depth = 0;
  for (const t of result.tokens) {
    const tt = t.tokenType;
    if (tt === LCurly || tt === LParen || tt === LBracket) {
      depth++;
      if (depth > MAX_NESTING) {
        diags.error(
          'HWY1003',
          tokenSpan(file, t),
          `brackets nested more than ${MAX_NESTING} deep`,
          'flatten the nesting: a repeat count can multiply instead of nesting repeats',
        );
        return { tokens: result.tokens, comments, parseable: false };
      }
    } else if (tt === RCurly || tt === RParen || tt === RBracket) {
      depth = Math.max(0, depth - 1);
    }
  }
  return { tokens: result.tokens, comments, parseable: true };
}
