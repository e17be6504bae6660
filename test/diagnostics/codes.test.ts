import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diagnostics/codes.js';
import { renderDiagnostic, renderShort } from '../../src/diagnostics/render.js';
import { explainText } from '../../src/cli/commands/explain.js';
import { compile } from '../../src/core/compile.js';
import { compileExperiment } from '../../src/core/experiment.js';
import { PASSES } from '../../src/passes/index.js';
import { compileText, golden, net } from '../helpers.js';

/** Specs for codes whose registry entry has no example (too long or not text). */
const EXTRA: Record<string, string> = {
  HWY1003: 'network n {\n  input 10\n' + 'repeat 1 {\n'.repeat(70) + '}\n'.repeat(70) + '}\n',
  HWY1004: 'network n {\n' + '  dense @\n'.repeat(150) + '}\n',
  HWY1005: 'network n {\u0000\u0001\u0002 }',
  HWY2012: 'network a {\n  input 10\n}\nnetwork b {\n  input 10\n}\n',
  HWY4004: 'network n {\n  input 10\n' + '  dense 1 1 1 1 1 1 1 1 1\n'.repeat(100_000) + '}\n',
  HWY5002: net('flatten\n' + 'dense 10 relu\n'.repeat(22) + 'dense 10 softmax'),
  HWY6007: `let a = 1\nlet b = 1\n${net('flatten\ndense a\ndense b\ndense 10 softmax')}sweep s {\n  grid a [${Array.from({ length: 101 }, (_, i) => i + 1).join(', ')}]\n  grid b [${Array.from({ length: 101 }, (_, i) => i + 1).join(', ')}]\n}\n`,
};

/** Sweep codes (HWY6xxx) come from compileExperiment; their examples name no file but their own (a named one reads as missing). */
const check = (code: string, text: string, file: string) => (code.startsWith('HWY6') ? compileExperiment(text, file, { readFile: () => null }) : compile(text, file));

describe('every diagnostic code', () => {
  for (const c of CODES) {
    if (c.code === 'HWY9000') continue; // internal errors: tested below by injecting a fault
    it(`${c.code} (${c.title}) is produced by its example, rendered as in the golden file`, () => {
      const text = c.example ?? EXTRA[c.code];
      expect(text, `${c.code} needs an example in the registry or in EXTRA`).toBeDefined();
      const r = check(c.code, text!, `${c.code}.hwy`);
      const hit = r.diagnostics.find((d) => d.code === c.code);
      expect(hit, `${c.code} not produced; got ${r.diagnostics.map((d) => d.code).join(', ')}`).toBeDefined();
      expect(hit!.severity).toBe(c.severity);
      const rendered = r.diagnostics
        .filter((d) => d.code === c.code)
        .slice(0, 3)
        .map((d) => renderDiagnostic(d, text!))
        .join('\n\n');
      golden(`diagnostics/${c.code}.txt`, rendered + '\n');
    });
  }

  it('HWY9000: a failing pass becomes a diagnostic, not an exception', () => {
    PASSES.push({ name: 'broken', doc: '', run: () => { throw new Error('boom'); } });
    try {
      const r = compileText(net('flatten\ndense 10'));
      expect(r.ok).toBe(false);
      expect(r.diagnostics.map((d) => d.code)).toContain('HWY9000');
      expect(r.diagnostics.find((d) => d.code === 'HWY9000')!.message).toContain('boom');
    } finally {
      PASSES.pop();
    }
  });

  it('codes are unique and well formed', () => {
    const ids = CODES.map((c) => c.code);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^HWY\d{4}$/);
  });
});

describe('rendering', () => {
  it('points a caret run at the span, with file:line:col, code, hint and notes', () => {
    const text = net('dense 10 relu');
    const r = compile(text, 'x.hwy');
    const d = r.diagnostics.find((x) => x.code === 'HWY3002')!;
    const out = renderDiagnostic(d, text);
    expect(out.split('\n')).toEqual([
      "x.hwy:3:3: error HWY3002: 'dense' needs a vector but its input is 28x28x1 feature maps",
      '  |',
      '3 |   dense 10 relu',
      '  |   ^^^^^^^^^^^^^',
      "  = hint: add 'flatten' before it (or 'globalavgpool' to average each map)",
      '  = note: the 28x28x1 input comes from here (x.hwy:2:3)',
    ]);
  });
  it('keeps the gutter aligned past line 9: hint and note marks sit under the bar', () => {
    const text = '\n'.repeat(9) + net('dense 10 relu');
    const d = compile(text, 'x.hwy').diagnostics.find((x) => x.code === 'HWY3002')!;
    const lines = renderDiagnostic(d, text).split('\n');
    expect(d.span.start.line).toBe(12);
    const bar = lines[2].indexOf('|');
    expect(bar).toBe(3);
    for (const l of lines.slice(1, 4)) expect(l.indexOf('|')).toBe(bar);
    for (const l of lines.slice(4)) expect(l.indexOf('=')).toBe(bar);
  });
  it('says "note" for the informational severity, as the counts line does', () => {
    const text = net('highway dense', '10');
    const d = compile(text, 'x.hwy').diagnostics.find((x) => x.code === 'HWY5004')!;
    expect(d.severity).toBe('info');
    expect(renderDiagnostic(d, text).split('\n')[0]).toMatch(/^x\.hwy:3:3: note HWY5004: /);
    expect(renderShort(d)).toMatch(/: note HWY5004: /);
    expect(explainText('HWY5004').split('\n')[0]).toBe('HWY5004 (note): gate bias from the guideline');
  });
  it('colours only when asked', () => {
    const text = net('dense 10 relu');
    const d = compile(text, 'x.hwy').diagnostics[0];
    expect(renderDiagnostic(d, text)).not.toContain('\x1b[');
    expect(renderDiagnostic(d, text, { color: true })).toContain('\x1b[31m');
  });
});
