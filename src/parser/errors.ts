import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { NL } from './tokens.js';

/** What each rule means to a person, for "expected …" messages. */
const RULE_WANTS: Record<string, string> = {
  file: "'let', 'network', 'train' or 'sweep'",
  topEnd: 'a new line after this declaration',
  stmtEnd: "a new line or '}' after this statement",
  statement: "a block (such as 'dense 10') or 'repeat'",
  blockStmt: 'a block kind',
  primary: "a number, a name or '('",
  value: "a number, a name, a string or '['",
  arg: 'a number, a name or a string',
  sweepValue: "a number, a name, a string or '['",
  sweepStmt: "a sweep line (such as 'grid depth [10, 20]')",
  path: 'a name',
};

export function describeToken(t: IToken): string {
  if (t.tokenType === EOF) return 'the end of the file';
  if (t.tokenType === NL) return 'the end of the line';
  // A token added while mending a mistake already reported: name it by its kind.
  if (t.image === '') return label(t.tokenType);
  return `'${t.image.length > 30 ? t.image.slice(0, 30) + '…' : t.image}'`;
}

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    if (expected === EOF) return `expected ${RULE_WANTS.file} but found ${describeToken(actual)}`;
    return `expected ${label(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const wants =
      RULE_WANTS[ruleName] ??
      [...new Set(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path.map(label).join(' '))))].join(' or ');
    return `expected ${wants} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const wants = RULE_WANTS[ruleName] ?? expectedIterationPaths.map((p) => p.map(label).join(' ')).join(' or ');
    return `expected at least one ${wants} but found ${describeToken(actual[0])}`;
  },
};

/** A hint for the common syntax mistakes, keyed by what the parser wanted. */
export function syntaxHint(message: string): string | undefined {
  if (message === "expected a name but found 'x'") return "a name cannot start with 'x' and a digit: 'x1' reads as 'x 1', as in 3x1; choose another name";
  if (message.includes("a new line or '}'") && message.endsWith("found ','")) return "dimensions are written 28x28x1, not with commas; lists take brackets: [10, 20]";
  if (message.includes("a new line or '}'")) return 'write one block per line; attributes take the form name=value';
  if (message.includes('a new line after this declaration')) return "put each 'let', 'network' and 'train' on its own line";
  if (message.startsWith("expected 'let', 'network', 'train' or 'sweep'")) return "blocks go inside 'network NAME { … }', training settings inside 'train { … }'";
  if (message.includes("expected '}'")) return "every '{' needs a matching '}'";
  return undefined;
}
