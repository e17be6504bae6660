import { createToken, Lexer, type ITokenConfig, type TokenType } from 'chevrotain';

/**
 * A token that says which characters it can start with and whether it can span lines:
 * with both on every token, building the lexer needs no analysis of the regular
 * expressions (it parses each one otherwise, a good part of hwy's start-up).
 * test/parser/lexer-hints.test.ts checks them against chevrotain's own analysis.
 */
function token(config: ITokenConfig & { start_chars_hint: string[] }): TokenType {
  return createToken({ line_breaks: false, ...config });
}
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'];

// Newlines end statements, so they are tokens; other whitespace is skipped.
export const WhiteSpace = token({ name: 'WhiteSpace', pattern: /[ \t\r\f\v]+/, start_chars_hint: [' ', '\t', '\r', '\f', '\v'], group: Lexer.SKIPPED });
export const Comment = token({ name: 'Comment', pattern: /#[^\n]*/, start_chars_hint: ['#'], group: 'comments' });
/**
 * `//` (and `/*`) as written by people used to C-like languages: not a comment in hwy. It is
 * lexed as one token of its own group, so the lexer reports it once with the fix and the
 * rest of the line is not read as a cascade of errors.
 */
export const SlashComment = token({ name: 'SlashComment', pattern: /\/[/*][^\n]*/, start_chars_hint: ['/'], group: 'slashComments' });
export const NL = token({ name: 'NL', pattern: /\n/, start_chars_hint: ['\n'], line_breaks: true, label: 'a new line' });

export const Identifier = token({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/, start_chars_hint: [...LETTERS, '_'], label: 'a name' });

function keyword(word: string): TokenType {
  return token({ name: word[0].toUpperCase() + word.slice(1), pattern: new RegExp(word), start_chars_hint: [word[0]], longer_alt: Identifier, label: `'${word}'` });
}
export const Let = keyword('let');
export const Network = keyword('network');
export const Train = keyword('train');
export const Repeat = keyword('repeat');
export const Highway = keyword('highway');
export const Residual = keyword('residual');

// `x` separates dimensions: `28x28x1`, `3x3`, `width x width`. It is a token only when it
// is not the start of a longer name, so `xavier` stays a name.
export const X = token({ name: 'X', pattern: /x(?![A-Za-z_])/, start_chars_hint: ['x'], label: "'x'" });

export const NumberLit = token({
  name: 'NumberLit',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
  start_chars_hint: [...'0123456789.'],
  label: 'a number',
});
export const StringLit = token({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/, start_chars_hint: ['"'], label: 'a string' });

export const Equals = token({ name: 'Equals', pattern: /=/, start_chars_hint: ['='], label: "'='" });
export const LCurly = token({ name: 'LCurly', pattern: /{/, start_chars_hint: ['{'], label: "'{'" });
export const RCurly = token({ name: 'RCurly', pattern: /}/, start_chars_hint: ['}'], label: "'}'" });
export const LParen = token({ name: 'LParen', pattern: /\(/, start_chars_hint: ['('], label: "'('" });
export const RParen = token({ name: 'RParen', pattern: /\)/, start_chars_hint: [')'], label: "')'" });
export const LBracket = token({ name: 'LBracket', pattern: /\[/, start_chars_hint: ['['], label: "'['" });
export const RBracket = token({ name: 'RBracket', pattern: /]/, start_chars_hint: [']'], label: "']'" });
export const Comma = token({ name: 'Comma', pattern: /,/, start_chars_hint: [','], label: "','" });
export const Plus = token({ name: 'Plus', pattern: /\+/, start_chars_hint: ['+'], label: "'+'" });
export const Minus = token({ name: 'Minus', pattern: /-/, start_chars_hint: ['-'], label: "'-'" });
export const Star = token({ name: 'Star', pattern: /\*/, start_chars_hint: ['*'], label: "'*'" });
export const Slash = token({ name: 'Slash', pattern: /\//, start_chars_hint: ['/'], label: "'/'" });
export const Percent = token({ name: 'Percent', pattern: /%/, start_chars_hint: ['%'], label: "'%'" });

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
