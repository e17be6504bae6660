import { createSyntaxDiagramsCode } from 'chevrotain';
import { getParser } from './parser.js';

/** Railroad diagrams of the grammar, generated from the parser itself (grammar/railroad.html). */
export function railroadHtml(): string {
  const base = '../node_modules/chevrotain/diagrams/';
  return createSyntaxDiagramsCode(getParser().getSerializedGastProductions(), { resourceBase: base, css: `${base}diagrams.css` });
}
