// The tokens tell the lexer which characters each can start with and whether it can span
// lines (src/parser/tokens.ts), so that building it analyses no regular expression. A hint
// that left out a character would make the lexer skip that token where it starts with it:
// the hints must be what chevrotain finds when it reads the patterns itself.
import { describe, expect, it } from 'vitest';
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { hwyLexer } from '../../src/parser/lexer.js';
import { allTokens } from '../../src/parser/tokens.js';

/** What a built lexer decided: for each first character, the tokens it tries; for each token, whether it can hold a line break. */
function analysis(lexer: Lexer): { byFirstChar: Record<number, string[]>; lineBreaks: Record<string, boolean> } {
  const l = lexer as unknown as {
    charCodeToPatternIdxToConfig: Record<string, ({ tokenType: TokenType }[] | undefined)[]>;
    patternIdxToConfig: Record<string, { tokenType: TokenType; canLineTerminator: boolean }[]>;
  };
  const byFirstChar: Record<number, string[]> = {};
  l.charCodeToPatternIdxToConfig.defaultMode.forEach((configs, code) => {
    if (configs?.length) byFirstChar[code] = configs.map((c) => c.tokenType.name);
  });
  const lineBreaks = Object.fromEntries(l.patternIdxToConfig.defaultMode.map((c) => [c.tokenType.name, c.canLineTerminator]));
  return { byFirstChar, lineBreaks };
}

describe("the lexer's start-up hints", () => {
  it('every token has both, and they are what chevrotain finds in the patterns', () => {
    for (const t of allTokens) {
      expect(t.START_CHARS_HINT, t.name).toBeDefined();
      expect(t.LINE_BREAKS, t.name).toBeDefined();
    }
    // The same tokens without the hints (but X's: chevrotain cannot read its lookahead).
    const copies = new Map<TokenType, TokenType>();
    for (const t of allTokens) {
      copies.set(
        t,
        createToken({
          name: t.name,
          pattern: t.PATTERN,
          ...(t.GROUP !== undefined ? { group: t.GROUP } : {}),
          label: t.LABEL,
          longer_alt: t.LONGER_ALT && copies.get(t.LONGER_ALT as TokenType),
          ...(t.name === 'X' ? { start_chars_hint: t.START_CHARS_HINT } : {}),
        }),
      );
    }
    const analysed = new Lexer([...copies.values()], { positionTracking: 'full', ensureOptimizations: true, lineTerminatorsPattern: /\n/g, lineTerminatorCharacters: ['\n'] });
    expect(analysis(hwyLexer)).toEqual(analysis(analysed));
  });
});
