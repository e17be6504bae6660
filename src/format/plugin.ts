import type { Parser, Printer, SupportLanguage, Plugin } from 'prettier';
import { Diagnostics } from '../diagnostics/types.js';
import { parse } from '../parser/index.js';
import type { FileAst } from '../parser/ast.js';
import { printFile } from './printer.js';

/** The root Prettier sees. Comments sit under their own key: the printer attaches them, not Prettier. */
interface Root {
  type: 'hwy-file';
  ast: FileAst;
  text: string;
  start: number;
  end: number;
}

/** One syntax error of a file: where, and what (`HWY1002: …`). */
export interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

/** A syntax error as Prettier reports it: a message with a location (the first); `all` has every one of the file. */
export class HwySyntaxError extends SyntaxError {
  loc: { start: { line: number; column: number } };
  readonly all: SyntaxProblem[];
  constructor(message: string, line: number, column: number, all: SyntaxProblem[] = [{ line, column, message }]) {
    super(`${message} (${line}:${column})`);
    this.loc = { start: { line, column } };
    this.all = all;
  }
}

export const languages: SupportLanguage[] = [{ name: 'hwy', parsers: ['hwy'], extensions: ['.hwy'], vscodeLanguageIds: ['hwy'] }];

export const parsers: Record<string, Parser<Root>> = {
  hwy: {
    astFormat: 'hwy-ast',
    parse(text: string): Root {
      const diags = new Diagnostics();
      const ast = parse(text, 'input.hwy', diags);
      const syntax = diags.items.filter((d) => d.severity === 'error' && d.code.startsWith('HWY1'));
      if (syntax.length) {
        const all = syntax.map((d) => ({ line: d.span.start.line, column: d.span.start.col, message: `${d.code}: ${d.message}` }));
        throw new HwySyntaxError(all[0].message, all[0].line, all[0].column, all);
      }
      return { type: 'hwy-file', ast, text, start: 0, end: text.length };
    },
    locStart: (n: Root) => n.start,
    locEnd: (n: Root) => n.end,
  },
};

export const printers: Record<string, Printer<Root>> = {
  'hwy-ast': {
    print(path) {
      const root = path.node;
      return printFile(root.ast, root.text);
    },
  },
};

const plugin: Plugin<Root> = { languages, parsers, printers };
export default plugin;
