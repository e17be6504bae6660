// A spec's text cut into classed spans by the compiler's own lexer (src/parser), so that the
// run page colours a spec exactly as hwy reads it: what the lexer calls a keyword, a number,
// a string or a comment is shown as one, and a character it cannot read is marked. Names are
// told apart by the language's vocabulary (src/language/catalogue.ts): a block or setting at
// the head of a statement, an attribute before `=`, a value the language knows by name.
// The spans cover the text exactly, in order, with nothing left out or repeated.
import type { IToken, TokenType } from 'chevrotain';
import { hwyLexer } from '../parser/lexer.js';
import { Comment, Equals, Highway, Identifier, keywords, Let, MalformedNumber, NL, NumberLit, Residual, SlashComment, StringLit, X } from '../parser/tokens.js';
import { BLOCK_BY_KIND, SETTING_BY_KIND, VALUE_NAMES } from '../language/catalogue.js';

export type SpanClass = 'keyword' | 'block' | 'attr' | 'value' | 'name' | 'number' | 'string' | 'comment' | 'punct' | 'op' | 'error' | 'plain';

export interface Span {
  text: string;
  cls: SpanClass;
}

/** Past this a spec is shown as plain text: a span each token of megabytes of text is more than a page can use. */
export const MAX_HIGHLIGHT_CHARS = 512 * 1024;

const KEYWORDS = new Set<TokenType>(keywords);
const OPS = new Set(['Plus', 'Minus', 'Star', 'Slash', 'Percent', 'X']);

function classOf(t: IToken, prev: IToken | undefined, next: IToken | undefined): SpanClass {
  const type = t.tokenType;
  if (KEYWORDS.has(type)) return 'keyword';
  if (type === Comment || type === SlashComment) return 'comment';
  if (type === NumberLit) return 'number';
  if (type === MalformedNumber) return 'error';
  if (type === StringLit) return 'string';
  if (type === X) return 'op';
  if (type === Identifier) {
    // a statement's head, or the block a `highway` / `residual` wraps
    const atHead = !prev || prev.tokenType === NL || prev.tokenType === Highway || prev.tokenType === Residual;
    if (atHead && (BLOCK_BY_KIND.has(t.image as never) || SETTING_BY_KIND.has(t.image as never))) return 'block';
    if (prev?.tokenType === Let) return 'name'; // the constant a `let` defines
    if (next?.tokenType === Equals) return 'attr';
    if (VALUE_NAMES.has(t.image)) return 'value';
    return 'name';
  }
  if (type === NL) return 'plain';
  return OPS.has(type.name) ? 'op' : 'punct';
}

export function highlight(text: string): Span[] {
  if (text.length > MAX_HIGHLIGHT_CHARS) return text ? [{ text, cls: 'plain' }] : [];
  // a byte-order mark is read as a space, as the compiler reads it (src/parser/lexer.ts)
  const r = hwyLexer.tokenize(text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text);
  const groups = r.groups as Record<string, IToken[] | undefined>;
  const code = r.tokens;
  const all = [...code, ...(groups.comments ?? []), ...(groups.slashComments ?? [])].sort((a, b) => a.startOffset - b.startOffset);
  const bad = r.errors.map((e) => [e.offset, e.offset + e.length] as const);
  const spans: Span[] = [];
  const push = (s: string, cls: SpanClass) => {
    if (!s) return;
    const last = spans[spans.length - 1];
    if (last && last.cls === cls) last.text += s;
    else spans.push({ text: s, cls });
  };
  // a gap between tokens is white space the lexer skipped, or characters it could not read
  const gap = (from: number, to: number) => {
    let at = from;
    for (const [a, b] of bad) {
      if (b <= at || a >= to) continue;
      push(text.slice(at, Math.max(at, a)), 'plain');
      push(text.slice(Math.max(at, a), Math.min(b, to)), 'error');
      at = Math.min(b, to);
    }
    push(text.slice(at, to), 'plain');
  };
  let at = 0;
  const index = new Map(code.map((t, i) => [t, i]));
  for (const t of all) {
    if (t.startOffset < at) continue;
    gap(at, t.startOffset);
    const i = index.get(t);
    const cls = i === undefined ? 'comment' : classOf(t, code[i - 1], code[i + 1]);
    const end = t.startOffset + t.image.length;
    push(text.slice(t.startOffset, end), cls);
    at = end;
  }
  gap(at, text.length);
  return spans;
}
