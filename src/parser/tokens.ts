import { createToken, Lexer, type TokenType } from 'chevrotain';

// Line ends end statements, so they are tokens; other whitespace is skipped. A line ends at
// \n, \r\n or a lone \r (src/diagnostics/lines.ts): a comment or a string ends there too.
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, group: 'comments' });
/**
 * `//` (and `/*`) as written by people used to C-like languages: not a comment in hwy. It is
 * lexed as one token of its own group, so the lexer reports it once with the fix and the
 * rest of the line is not read as a cascade of errors.
 */
export const SlashComment = createToken({ name: 'SlashComment', pattern: /\/[/*][^\r\n]*/, group: 'slashComments' });
export const NL = createToken({ name: 'NL', pattern: /\r\n?|\n/, line_breaks: true, label: 'a new line' });

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function keyword(word: string): TokenType {
  return createToken({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(word), longer_alt: Identifier, label: `'${word}'` });
}
export const Let = keyword('let');
export const Network = keyword('network');
export const Train = keyword('train');
export const Repeat = keyword('repeat');
export const Highway = keyword('highway');
export const Residual = keyword('residual');

// `x` separates dimensions: `28x28x1`, `3x3`, `width x width`. It is a token only when it
// is not the start of a longer name, so `xavier` stays a name.
export const X = createToken({ name: 'X', pattern: /x(?![A-Za-z_])/, start_chars_hint: ['x'], label: "'x'" });

export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\r\n]|\\.)*"/, label: 'a string' });

export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
export const LCurly = createToken({ name: 'LCurly', pattern: /{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /}/, label: "'}'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/, label: "']'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'" });

export const keywords = [Let, Network, Train, Repeat, Highway, Residual];

/** Order matters: keywords and `x` before names, comments before everything they contain. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  SlashComment,
  NL,
  ...keywords,
  X,
  Identifier,
  NumberLit,
  StringLit,
  Equals,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
];
