// The run page's spec highlighting (src/studio/highlight.ts): the spans cover the text
// exactly, whatever the text (every spec of the repository, text the lexer cannot read, a
// byte-order mark, CR line ends, random text), and the classes are the lexer's.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { highlight, MAX_HIGHLIGHT_CHARS, type Span } from '../../src/studio/highlight.js';
import { specFiles } from '../helpers.js';

const joined = (spans: Span[]) => spans.map((s) => s.text).join('');
const classesOf = (spans: Span[], cls: string) => spans.filter((s) => s.cls === cls).map((s) => s.text.trim());

describe('studio: spec highlighting', () => {
  it('covers every spec of the repository exactly', () => {
    const files = specFiles('specs', 'all');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const spans = highlight(text);
      expect(joined(spans), f).toBe(text);
      expect(spans.some((s) => s.text === ''), f).toBe(false);
      expect(classesOf(spans, 'error'), f).toEqual([]);
    }
  });

  it('classes tokens as the compiler reads them', () => {
    const text = '# tiny\nlet width = 16 // old style\nnetwork n {\n  input 28x28x1\n  dense width relu\n  highway dense relu gate_bias=-1.5\n  conv 8 3x3 "s" @\n}\n';
    const spans = highlight(text);
    expect(joined(spans)).toBe(text);
    expect(classesOf(spans, 'keyword')).toEqual(['let', 'network', 'highway']);
    expect(classesOf(spans, 'comment')).toEqual(['# tiny', '// old style']);
    expect(classesOf(spans, 'block')).toEqual(['input', 'dense', 'dense', 'conv']);
    expect(classesOf(spans, 'attr')).toEqual(['gate_bias']);
    expect(classesOf(spans, 'value')).toEqual(['relu', 'relu']);
    // the constant a let defines and one it is used as are names, as is the network's
    expect(classesOf(spans, 'name')).toEqual(['width', 'n', 'width']);
    expect(classesOf(spans, 'number')).toEqual(['16', '28', '28', '1', '1.5', '8', '3', '3']);
    expect(classesOf(spans, 'string')).toEqual(['"s"']);
    // a character the lexer cannot read is marked, and the text after it still highlighted
    expect(classesOf(spans, 'error')).toEqual(['@']);
  });

  it('keeps a byte-order mark and CR line ends, and covers any text', () => {
    for (const text of ['\ufeffnetwork a {\r\n  input 4\r\n}\r\n', 'network a {\r  input 4\r}', '', '"unterminated\n', '\u0000\u0001']) expect(joined(highlight(text))).toBe(text);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'network let{}()[]=,+-*/%.x 0123456789e#"\\\n\r\tabc_@$\ufeffé'.split('')), maxLength: 80 }), (text) => joined(highlight(text)) === text),
      { numRuns: 400 },
    );
  });

  it('leaves a huge spec plain, whole', () => {
    const text = 'network a {\n' + '  dense 8 relu\n'.repeat(MAX_HIGHLIGHT_CHARS / 14) + '}\n';
    expect(highlight(text)).toEqual([{ text, cls: 'plain' }]);
  });
});
