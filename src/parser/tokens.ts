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

// Line ends end statements, so they are tokens; other whitespace is skipped. A line ends at
// \n, \r\n or a lone \r (src/diagnostics/lines.ts): a comment or a string ends there too.
export const WhiteSpace = token({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, start_chars_hint: [' ', '\t', '\f', '\v'], group: Lexer.SKIPPED });
export const Comment = token({ name: 'Comment', pattern: /#[^\r\n]*/, start_chars_hint: ['#'], group: 'comments' });
/**
 * `//` (and `/*`) as written by people used to C-like languages: not a comment in hwy. It is
 * lexed as one token of its own group, so the lexer reports it once with the fix and the
 * rest of the line is not read as a cascade of errors.
 */
export const SlashComment = token({ name: 'SlashComment', pattern: /\/[/*][^\r\n]*/, start_chars_hint: ['/'], group: 'slashComments' });
export const NL = token({ name: 'NL', pattern: /\r\n?|\n/, start_chars_hint: ['\r', '\n'], line_breaks: true, label: 'a new line' });

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
export const Sweep = keyword('sweep');

// `x` separates dimensions: `28x28x1`, `3x3`, `width x width`. It is a token only when it
// is not the start of a longer name, so `xavier` stays a name.
export const X = token({ name: 'X', pattern: /x(?![A-Za-z_])/, start_chars_hint: ['x'], label: "'x'" });

export const NumberLit = token({
  name: 'NumberLit',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
  start_chars_hint: [...'0123456789.'],
  label: 'a number',
});
/**
 * Digits with more than one decimal point (`-3..5`, `1.2.3`): a typo of one number. Read
 * as one number token, so that the lexer reports it once, where it is, and the parser reads
 * on; the longest-match rule would otherwise split it into `3.` and `.5`, two numbers whose
 * error names something else.
 */
export const MalformedNumber = token({
  name: 'MalformedNumber',
  pattern: /(?=\.*\d)[\d.]*\.[\d.]*\.[\d.]*(?:[eE][+-]?\d+)?/,
  start_chars_hint: ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  categories: [NumberLit],
  label: 'a number',
});
export const StringLit = token({ name: 'StringLit', pattern: /"(?:[^"\\\r\n]|\\.)*"/, start_chars_hint: ['"'], label: 'a string' });

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
/** Joins the parts of a setting's path in a sweep: `train.lr.gamma`. After numbers, so `.5` stays a number. */
export const Dot = token({ name: 'Dot', pattern: /\./, start_chars_hint: ['.'], label: "'.'" });

export const keywords = [Let, Network, Train, Repeat, Highway, Residual, Sweep];

/** Order matters: keywords and `x` before names, comments before everything they contain. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  SlashComment,
  NL,
  ...keywords,
  X,
  Identifier,
  MalformedNumber,
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
  Dot,
];
