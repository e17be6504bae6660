import { thousands } from '../language/thousands.js';
/** Ceilings that turn absurd specs into errors instead of out-of-memory crashes. */
export interface Limits {
  /** Layers after expanding every repeat. */
  maxLayers: number;
  /** Numbers in one example's activation at any layer. */
  maxElements: number;
  /** Parameters in the whole network. */
  maxParams: number;
  /** Bytes of spec text (UTF-8), checked before it is parsed. */
  maxSpecBytes: number;
  /** Lines of spec text, checked before it is parsed. */
  maxSpecLines: number;
  /** Words and symbols (an upper bound on the parser's tokens), checked before it is parsed. */
  maxSpecTokens: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxLayers: 200_000,
  maxElements: 2 ** 28,
  maxParams: 2 ** 33,
  // Parsing keeps about 2.5 KB of heap per token (tokens, a syntax tree with full
  // locations, the AST, spans of every expanded layer): a 10 MB spec exhausted V8's default
  // heap, and 1,000,000 tokens of junk (`dense 1 1 1 …`) peak at 2.5 GB, more than the
  // default heap of a machine with 8 GB. At 500,000 the worst case is about 1.3 GB and
  // 10-20 s. Real specs are a few KB, since `repeat` writes depth; a 100,000-layer network
  // written out a line a layer (`highway dense relu`) is 2.1 MB, 100,000 lines and 400,000
  // tokens, and fits. Bytes alone cost little (a comment is one token), so their bound only
  // stops absurd files early; every newline is a token, so lines are bounded twice.
  maxSpecBytes: 8 * 2 ** 20,
  maxSpecLines: 250_000,
  maxSpecTokens: 500_000,
};

export interface SpecSize {
  bytes: number;
  lines: number;
  tokens: number;
}

/**
 * Bytes, lines and an upper bound on tokens (each run of name or number characters is
 * one, every other visible character one, a comment one), in one pass and no allocation,
 * so that a hostile input costs microseconds per KB before anything bigger is built.
 */
export function measureSpec(text: string): SpecSize {
  let lines = 0;
  let tokens = 0;
  let inWord = 0;
  let inComment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lines++;
      tokens++; // a newline ends a statement: the lexer keeps it as a token
      inWord = 0;
      inComment = false;
      continue;
    }
    if (inComment) continue;
    if (c === 32 || c === 9 || c === 13) {
      inWord = 0;
      continue;
    }
    if (c === 35) {
      inComment = true;
      inWord = 0;
      tokens++;
      continue;
    }
    // 0 other (each one, `.` included, counts), 1 digits, 2 name characters: a change of class may start a
    // token (`28x28x1` is five), so counting every change over-counts names like `a1`
    const cls = c >= 48 && c <= 57 ? 1 : (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 2 : 0;
    if (cls === 0 || cls !== inWord) tokens++;
    inWord = cls;
  }
  if (text.length > 0 && !text.endsWith('\n')) lines++; // a last line without its newline
  return { bytes: utf8Length(text), lines, tokens };
}

/** UTF-8 bytes of a text; the compiler also runs in a browser (the playground's worker), which has no Buffer. */
const utf8Length = (text: string): number => (typeof Buffer === 'function' ? Buffer.byteLength(text, 'utf8') : new TextEncoder().encode(text).length);

/** The first limit a spec's size breaks, in words naming the file; undefined when none. */
export function specSizeProblem(size: SpecSize, file: string, limits: Pick<Limits, 'maxSpecBytes' | 'maxSpecLines' | 'maxSpecTokens'>): string | undefined {
  const n = thousands;
  const mib = (b: number) => (b < 2 ** 20 ? `${Math.round(b / 1024)} KiB` : `${(b / 2 ** 20).toFixed(1)} MiB`);
  if (size.bytes > limits.maxSpecBytes) return `'${file}' is ${mib(size.bytes)}; specs are limited to ${mib(limits.maxSpecBytes)}`;
  if (size.lines > limits.maxSpecLines) return `'${file}' has ${n(size.lines)} lines; specs are limited to ${n(limits.maxSpecLines)}`;
  if (size.tokens > limits.maxSpecTokens) return `'${file}' has ${n(size.tokens)} words and symbols; specs are limited to ${n(limits.maxSpecTokens)}`;
  return undefined;
}
