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
export const Sweep = keyword('sweep');

// `x` separates dimensions: `28x28x1`, `3x3`, `width x width`. It is a token only when it
// is not the start of a longer name, so `xavier` stays a name.
export const X = createToken({ name: 'X', pattern: /x(?![A-Za-z_])/, start_chars_hint: ['x'], label: "'x'" });

export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/,
  label: 'a number',
});
/**
 * Digits with more than one decimal point (`-3..5`, `1.2.3`): a typo of one number. Read
 * as one number token, so that the lexer reports it once, where it is, and the parser reads
 * on; the longest-match rule would otherwise split it into `3.` and `.5`, two numbers whose
 * error names something else.
 */
export const MalformedNumber = createToken({
  name: 'MalformedNumber',
  pattern: /(?=\.*\d)[\d.]*\.[\d.]*\.[\d.]*(?:[eE][+-]?\d+)?/,
  start_chars_hint: ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  categories: [NumberLit],
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
/** Joins the parts of a setting's path in a sweep: `train.lr.gamma`. After numbers, so `.5` stays a number. */
export const Dot = createToken({ name: 'Dot', pattern: /\./, label: "'.'" });

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
