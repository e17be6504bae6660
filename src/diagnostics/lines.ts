// Where a line of a spec ends: at \n, \r\n or a lone \r, as the Language Server Protocol
// counts lines and as Prettier reads text before the formatter sees it. The lexer (which
// ends statements and comments there), code frames, the formatter and the language server
// all take line ends from here: if any two read them differently, formatting a spec with
// CR-only line ends, or a CR inside a comment, could change its network.

/** One line end: \r\n, a lone \r or \n. */
export const LINE_END = /\r\n?|\n/;

/** The lines of a text, without their line ends. */
export function splitLines(text: string): string[] {
  return text.split(LINE_END);
}

/** The offset where line `line` (0-based) starts, or the text's length when it has fewer lines. */
export function lineOffset(text: string, line: number): number {
  const end = /\r\n?|\n/g;
  for (let l = 0; l < line; l++) {
    if (!end.exec(text)) return text.length;
  }
  return line === 0 ? 0 : end.lastIndex;
}

/** The offset where the line holding `offset` starts. */
export function lineStartBefore(text: string, offset: number): number {
  for (let i = Math.min(offset, text.length) - 1; i >= 0; i--) if (text[i] === '\n' || text[i] === '\r') return i + 1;
  return 0;
}
