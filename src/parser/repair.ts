import { createTokenInstance, type IToken, type TokenType } from 'chevrotain';
import type { Diagnostics } from '../diagnostics/types.js';
import { splitLines } from '../diagnostics/lines.js';
import { tokenSpan } from './lexer.js';
import { Identifier, keywords, LCurly, Let, Network, NL, RCurly, Repeat, Sweep, Train } from './tokens.js';

/**
 * Common mistakes that make a parser with error recovery cascade (a capitalised keyword,
 * a `let` inside a network, a `{` left out or never closed, a `}` too many) are found on the token stream
 * before parsing. Each is reported once, in the words of the person who wrote it, at the
 * place that is wrong; the stream is then mended as the fix would mend it, so that the
 * rest of the file is parsed and checked as if the fix were made: one mistake, one error.
 *
 * The returned stream is only for the parser: a mended stream is out of source order
 * where a `let` was moved, so editor features keep the lexer's tokens.
 */
export function repairTokens(tokens: IToken[], text: string, file: string, diags: Diagnostics): IToken[] {
  const firstOnLine = (i: number) => i === 0 || tokens[i - 1].tokenType === NL;
  lowerCaseKeywords(tokens, firstOnLine, file, diags);
  const opened = openBraces(tokens, text, file, diags);
  const closed = closeBraces(opened, text, file, diags);
  return hoistLets(closed, text, file, diags);
}

const KEYWORD_BY_WORD = new Map<string, TokenType>(keywords.map((k) => [(k.LABEL ?? k.name).replace(/'/g, ''), k]));

/** `Network n {`, `Let w = 3`, `Highway dense`: a keyword written with capitals, at the start of a line. */
function lowerCaseKeywords(tokens: IToken[], firstOnLine: (i: number) => boolean, file: string, diags: Diagnostics): void {
  tokens.forEach((t, i) => {
    if (t.tokenType !== Identifier || !firstOnLine(i)) return;
    const word = t.image.toLowerCase();
    const kw = KEYWORD_BY_WORD.get(word);
    if (!kw || word === t.image) return;
    diags.error('HWY1002', tokenSpan(file, t), `keywords are lower-case: '${word}', not '${t.image}'`, `write '${word}'`);
    // Read on as the keyword that was meant (same length, so every position stays right).
    t.image = word;
    t.tokenType = kw;
    t.tokenTypeIdx = kw.tokenTypeIdx!;
  });
}

/** A token the mending adds: empty, so that every span built from it stays inside the text. */
function synthetic(type: TokenType, at: { offset: number; line: number; col: number }): IToken {
  return createTokenInstance(type, '', at.offset, at.offset - 1, at.line, at.line, at.col, at.col - 1);
}

/**
 * `repeat 3` (or `network n`, `train`, `sweep s`) whose line lacks its `{` (and whose next line
 * does not start with it), in a file with more `}` than `{`: reported at the end of that line, and the `{` supplied there, so its `}` is
 * not reported as closing nothing. Lines are taken in order, as many as braces are missing.
 */
function openBraces(tokens: IToken[], text: string, file: string, diags: Diagnostics): IToken[] {
  let missing = 0;
  for (const t of tokens) missing += t.tokenType === RCurly ? 1 : t.tokenType === LCurly ? -1 : 0;
  if (missing <= 0) return tokens;
  const inserts = new Map<number, IToken>();
  for (let i = 0; i < tokens.length && missing > 0; i++) {
    const t = tokens[i];
    if ((t.tokenType !== Repeat && t.tokenType !== Network && t.tokenType !== Train && t.tokenType !== Sweep) || (i > 0 && tokens[i - 1].tokenType !== NL)) continue;
    let j = i;
    while (j < tokens.length && tokens[j].tokenType !== NL && tokens[j].tokenType !== LCurly) j++;
    if (j < tokens.length && tokens[j].tokenType === LCurly) continue;
    // a '{' on a line of its own below the head is the head's (the grammar allows it there)
    let k = j;
    while (k < tokens.length && tokens[k].tokenType === NL) k++;
    if (k < tokens.length && tokens[k].tokenType === LCurly) continue;
    const last = tokens[j - 1];
    const end = { offset: last.startOffset + last.image.length, line: last.startLine ?? 1, col: (last.startColumn ?? 1) + last.image.length };
    const line = text.slice(t.startOffset, end.offset);
    diags.error('HWY1002', { file, start: end, end }, `'${t.image}' needs a '{' at the end of this line`, `write '${line} {'`);
    inserts.set(j, synthetic(LCurly, end));
    missing--;
  }
  if (inserts.size === 0) return tokens;
  const out: IToken[] = [];
  tokens.forEach((t, i) => {
    const add = inserts.get(i);
    if (add) out.push(add);
    out.push(t);
  });
  if (inserts.has(tokens.length)) out.push(inserts.get(tokens.length)!);
  return out;
}

/** Where a token's line starts: the column of its first token, to match braces by indentation. */
function lineIndents(tokens: IToken[]): number[] {
  const out: number[] = [];
  let indent = 1;
  tokens.forEach((t, i) => {
    if (i === 0 || tokens[i - 1].tokenType === NL) indent = t.startColumn ?? 1;
    out.push(indent);
  });
  return out;
}

/**
 * A `{` that is never closed is reported at the brace, not at the end of the file, and a
 * `}` that closes nothing is reported as such. Braces
 * are matched by indentation: a `}` alone on its line closes the `{` whose line starts in
 * the same column, so in
 *
 *     network n {
 *       repeat 3 {
 *         dense 10
 *       dense 10        <- the repeat's '}' is missing
 *     }
 *
 * the repeat's brace is the one never closed, and the network's is closed by the last line.
 */
function closeBraces(tokens: IToken[], text: string, file: string, diags: Diagnostics): IToken[] {
  const indents = lineIndents(tokens);
  const stack: number[] = [];
  /** Synthetic `}` to insert before the token at an index (tokens.length: at the end). */
  const inserts = new Map<number, IToken[]>();
  const posOf = (t: IToken) => ({ offset: t.startOffset, line: t.startLine ?? 1, col: t.startColumn ?? 1 });
  /** Reports a brace never closed, and closes it where its body's indentation ends (else at `limit`). */
  const unclosed = (open: number, limit: number, limitAt: { offset: number; line: number; col: number }) => {
    let lineStart = open;
    while (lineStart > 0 && tokens[lineStart - 1].tokenType !== NL) lineStart--;
    const head = tokens[lineStart].image;
    diags.error('HWY1002', tokenSpan(file, tokens[open]), "this '{' is never closed", `add a '}' on a line of its own, lined up with '${head}'`);
    let before = limit;
    // Only an indented body tells where it ends; a flat file gets the brace closed at `limit`.
    let first = open + 1;
    while (first < limit && (tokens[first - 1].tokenType !== NL || tokens[first].tokenType === NL)) first++;
    const indented = first < limit && indents[first] > indents[open];
    for (let k = first; indented && k < limit; k++) {
      if (tokens[k - 1].tokenType === NL && tokens[k].tokenType !== NL && indents[k] <= indents[open]) {
        before = k;
        break;
      }
    }
    const at = before === limit ? limitAt : posOf(tokens[before - 1]);
    const list = inserts.get(before) ?? [];
    list.push(synthetic(RCurly, at), synthetic(NL, at));
    inserts.set(before, list);
  };
  // Indentation only decides between braces when some are missing: a balanced file, however
  // it is indented, is never touched. `deficit` is how many '{' lack a '}'.
  let depth = 0;
  let opens = 0;
  let closes = 0;
  let balanced = true;
  for (const t of tokens) {
    if (t.tokenType === LCurly) {
      opens++;
      depth++;
    } else if (t.tokenType === RCurly) {
      closes++;
      depth--;
      if (depth < 0) balanced = false;
    }
  }
  if (balanced && depth === 0) return tokens;
  let deficit = Math.max(0, opens - closes);
  /** `}` that close nothing: reported here and left out of the stream. */
  const stray = new Set<number>();
  tokens.forEach((t, i) => {
    if (t.tokenType === LCurly) stack.push(i);
    else if (t.tokenType === RCurly && !stack.length) {
      diags.error('HWY1002', tokenSpan(file, t), "this '}' closes nothing", "remove it, or add the '{' it was meant to close");
      stray.add(i);
    } else if (t.tokenType === RCurly) {
      const alone = (i === 0 || tokens[i - 1].tokenType === NL) && (i + 1 >= tokens.length || tokens[i + 1].tokenType === NL);
      let match = -1;
      if (alone) for (let k = stack.length - 1; k >= 0 && match < 0; k--) if (indents[stack[k]] === (t.startColumn ?? 1)) match = k;
      if (match >= 0 && match < stack.length - 1 && stack.length - 1 - match <= deficit) {
        deficit -= stack.length - 1 - match;
        // The braces opened after the matching one were never closed: close each where its body ends.
        const at = posOf(tokens[i - 1] ?? t);
        for (const open of stack.splice(match + 1).reverse()) unclosed(open, i, at);
      }
      stack.pop();
    }
  });
  if (stack.length) {
    const lines = splitLines(text);
    const end = { offset: text.length, line: lines.length, col: lines[lines.length - 1].length + 1 };
    if (tokens.length > 0 && tokens[tokens.length - 1].tokenType !== NL) inserts.set(tokens.length, [synthetic(NL, end)]);
    for (const open of stack.reverse()) unclosed(open, tokens.length, end);
  }
  if (inserts.size === 0 && stray.size === 0) return tokens;
  const out: IToken[] = [];
  for (let i = 0; i <= tokens.length; i++) {
    out.push(...(inserts.get(i) ?? []));
    if (i < tokens.length && !stray.has(i)) out.push(tokens[i]);
  }
  return out;
}

/**
 * `let` inside a network (or a repeat, or train) is reported once, with the fix; the
 * constant is then read as if it had been written before the declaration that holds it,
 * so later uses of the name are not reported as undefined.
 */
function hoistLets(tokens: IToken[], text: string, file: string, diags: Diagnostics): IToken[] {
  let depth = 0;
  let declStart = 0;
  const moved = new Map<number, IToken[]>();
  const skip = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.tokenType === LCurly) depth++;
    else if (t.tokenType === RCurly) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (i === 0 || tokens[i - 1].tokenType === NL)) declStart = i;
    if (t.tokenType !== Let || depth === 0 || !(i === 0 || tokens[i - 1].tokenType === NL)) continue;
    let j = i;
    while (j < tokens.length && tokens[j].tokenType !== NL && tokens[j].tokenType !== RCurly && tokens[j].tokenType !== LCurly) j++;
    const last = tokens[j - 1];
    const shown = text.slice(t.startOffset, last.startOffset + last.image.length).replace(/\s+/g, ' ');
    // The head of the declaration that holds it: `network n {`.
    let open = declStart;
    while (open < i && tokens[open].tokenType !== LCurly) open++;
    const decl = tokens[declStart];
    const where = open < i ? `'${text.slice(decl.startOffset, tokens[open].startOffset + 1).replace(/\s+/g, ' ')}'` : 'the network';
    diags.error('HWY1002', tokenSpan(file, t), "'let' cannot be used inside a block: constants are defined at the top of the file", `move '${shown}' above ${where}`);
    const list = moved.get(declStart) ?? [];
    list.push(...tokens.slice(i, j), synthetic(NL, { offset: last.startOffset + last.image.length, line: last.startLine ?? 1, col: (last.startColumn ?? 1) + last.image.length }));
    moved.set(declStart, list);
    for (let k = i; k < j; k++) skip.add(k);
    i = j - 1;
  }
  if (moved.size === 0) return tokens;
  const out: IToken[] = [];
  tokens.forEach((t, i) => {
    out.push(...(moved.get(i) ?? []));
    if (!skip.has(i)) out.push(t);
  });
  return out;
}
