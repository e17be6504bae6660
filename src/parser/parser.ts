import { CstParser, EOF, type CstNode, type IToken } from 'chevrotain';
import * as T from './tokens.js';
import { errorMessages } from './errors.js';

/**
 * The grammar, free of semantics (a CST visitor builds the AST). Statements end at a new
 * line or at the `}` that closes their body. Error recovery is on, so one run reports
 * every syntax error of a file.
 */
export class HwyParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, nodeLocationTracking: 'full', maxLookahead: 3, errorMessageProvider: errorMessages, skipValidations: process.env.HWY_VALIDATE_GRAMMAR !== '1' });
    this.performSelfAnalysis();
  }

  file = this.RULE('file', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.NL) },
        { ALT: () => this.SUBRULE(this.letDecl) },
        { ALT: () => this.SUBRULE(this.networkDecl) },
        { ALT: () => this.SUBRULE(this.trainDecl) },
        { ALT: () => this.SUBRULE(this.sweepDecl) },
        {
          // A block outside any network: parsed so that the checker can say so plainly.
          ALT: () => {
            this.SUBRULE(this.statement);
            this.SUBRULE2(this.topEnd);
          },
        },
      ]);
    });
  });

  private topEnd = this.RULE('topEnd', () => {
    this.OR([{ ALT: () => this.CONSUME(T.NL) }, { GATE: () => this.LA(1).tokenType === EOF, ALT: () => this.CONSUME(EOF) }]);
  });

  letDecl = this.RULE('letDecl', () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.topEnd);
  });

  networkDecl = this.RULE('networkDecl', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.openBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RCurly);
    this.SUBRULE(this.topEnd);
  });

  trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(T.Train);
    this.SUBRULE(this.openBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RCurly);
    this.SUBRULE(this.topEnd);
  });

  /**
   * The `{` that opens a body, on the line of its head or on a line of its own below it
   * (as many brace languages allow; `hwy fmt` moves it up). Nothing else may come between.
   */
  private openBrace = this.RULE('openBrace', () => {
    this.MANY(() => this.CONSUME(T.NL));
    this.CONSUME(T.LCurly);
  });

  /** `sweep NAME { … }`: an experiment over networks; its lines are read by src/lower/sweep.ts. */
  sweepDecl = this.RULE('sweepDecl', () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.openBrace);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.NL) },
        {
          ALT: () => {
            this.SUBRULE(this.sweepStmt);
            this.SUBRULE(this.stmtEnd);
          },
        },
      ]);
    });
    this.CONSUME(T.RCurly);
    this.SUBRULE(this.topEnd);
  });

  /**
   * A line of a sweep: a word, then values and name=value attributes in any order. Values
   * are plain (a signed number, a name or path, a string, a list), not expressions, so that
   * `uniform -3 -1` is two numbers rather than `-3 - 1`.
   */
  sweepStmt = this.RULE('sweepStmt', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OR([
        { GATE: () => this.LA(2).tokenType === T.Equals, ALT: () => this.SUBRULE(this.sweepAttr) },
        { ALT: () => this.SUBRULE(this.sweepValue) },
      ]);
    });
  });

  /** The name may be a keyword: `networks plain="mlp-plain.hwy" highway="mlp-highway.hwy"` labels a network `highway`. */
  sweepAttr = this.RULE('sweepAttr', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, ...T.keywords.map((k) => ({ ALT: () => this.CONSUME(k) }))]);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.sweepValue);
  });

  sweepValue = this.RULE('sweepValue', () => {
    this.OR([
      {
        ALT: () => {
          this.MANY(() => this.CONSUME(T.Minus));
          this.CONSUME(T.NumberLit);
        },
      },
      { ALT: () => this.SUBRULE(this.path) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.SUBRULE(this.sweepList) },
    ]);
  });

  /** A name, or a setting's path: `depth`, `train.lr`, `train.lr.gamma`, `data.normalize`. */
  path = this.RULE('path', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.Train) }]);
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Identifier);
    });
  });

  sweepList = this.RULE('sweepList', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.sweepValue) });
    this.CONSUME(T.RBracket);
  });

  body = this.RULE('body', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.NL) },
        {
          ALT: () => {
            this.SUBRULE(this.statement);
            this.SUBRULE(this.stmtEnd);
          },
        },
      ]);
    });
  });

  private stmtEnd = this.RULE('stmtEnd', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NL) },
      { GATE: () => this.LA(1).tokenType === T.RCurly, ALT: () => {} },
    ]);
  });

  statement = this.RULE('statement', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.repeatStmt) }, { ALT: () => this.SUBRULE(this.blockStmt) }]);
  });

  repeatStmt = this.RULE('repeatStmt', () => {
    this.CONSUME(T.Repeat);
    this.SUBRULE(this.expr);
    this.SUBRULE(this.openBrace);
    this.SUBRULE(this.body);
    this.CONSUME(T.RCurly);
  });

  blockStmt = this.RULE('blockStmt', () => {
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Highway) }, { ALT: () => this.CONSUME(T.Residual) }]));
    this.CONSUME(T.Identifier);
    // positional arguments (sizes, names, strings) and name=value attributes, in any order
    this.MANY(() => {
      this.OR2([
        { GATE: () => this.LA(2).tokenType === T.Equals, ALT: () => this.SUBRULE(this.attr) },
        { ALT: () => this.SUBRULE(this.dims) },
        { ALT: () => this.CONSUME(T.StringLit) },
      ]);
    });
  });

  attr = this.RULE('attr', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.value);
  });

  value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.dims) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.value) });
    this.CONSUME(T.RBracket);
  });

  /** One or more expressions joined by `x`: a size, a kernel, a shape. */
  dims = this.RULE('dims', () => {
    this.SUBRULE(this.expr);
    this.MANY(() => {
      this.CONSUME(T.X);
      this.SUBRULE2(this.expr);
    });
  });

  /** Operands joined by + - * / %; precedence is applied when building the AST (a flat rule parses faster). */
  expr = this.RULE('expr', () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus) },
        { ALT: () => this.CONSUME(T.Minus) },
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]);
      this.SUBRULE2(this.primary);
    });
  });

  // Signs are a loop, not recursion, so `- - - … 1` cannot overflow the stack.
  primary = this.RULE('primary', () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.Identifier) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expr);
          this.CONSUME(T.RParen);
        },
      },
    ]);
  });
}

let instance: HwyParser | undefined;
/** The parser is built once per process (self-analysis is the costly part). */
export function getParser(): HwyParser {
  return (instance ??= new HwyParser());
}
