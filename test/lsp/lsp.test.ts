import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChildProcess } from 'node:child_process';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { startServer, type PublishedDiagnostic } from './client.js';
import { analyse, complete, hover, inlayHints } from '../../src/lsp/features.js';
import { compile } from '../../src/core/compile.js';

/** `‸` marks the cursor: returns the text without it and the 0-based LSP position. */
function cursor(src: string): { text: string; position: { line: number; character: number } } {
  const i = src.indexOf('‸');
  const before = src.slice(0, i);
  return { text: src.replace('‸', ''), position: { line: before.split('\n').length - 1, character: i - before.lastIndexOf('\n') - 1 } };
}

let child: ChildProcess;
let conn: MessageConnection;
let published: Map<string, PublishedDiagnostic[][]>;
let version = 0;

async function open(uri: string, text: string) {
  const n = (published.get(uri) ?? []).length;
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'hwy', version: ++version, text } });
  return waitDiagnostics(uri, n);
}
async function change(uri: string, text: string) {
  const n = (published.get(uri) ?? []).length;
  conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
  return waitDiagnostics(uri, n);
}
async function waitDiagnostics(uri: string, n: number) {
  for (let i = 0; i < 500; i++) {
    const list = published.get(uri) ?? [];
    if (list.length > n) return list[list.length - 1];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no diagnostics published');
}

beforeAll(async () => {
  ({ child, conn, published } = await startServer());
});
afterAll(() => {
  conn.dispose();
  child.kill();
});

describe('language server over stdio', () => {
  it('publishes the same diagnostics as hwy check, with related information and repetitions', async () => {
    const text = 'network n {\n  input 28x28x1\n  flatten\n  repeat 3 {\n    conv 4 3x3\n  }\n}\n';
    const ds = await open('file:///diag.hwy', text);
    const check = compile(text, '/diag.hwy').diagnostics;
    expect(ds.map((d) => d.code)).toEqual(check.map((d) => d.code));
    const e = ds.find((d) => d.code === 'HWY3002')!;
    expect(e.range.start).toEqual({ line: 4, character: 4 });
    expect(e.message).toContain('(in repetition 1 of 3)');
    expect(e.relatedInformation?.length).toBe(1);
  });

  it('hover on a block: shapes, the pooling arithmetic, parameters, gate bias, inserted projection', async () => {
    const src = cursor('network n {\n  input 24x24x4\n  maxp‸ool 3x3 stride=2 round=ceil\n  flatten\n  highway dense 50 gate_bias=-2\n}\n');
    await open('file:///hover.hwy', src.text);
    const h = (await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///hover.hwy' }, position: src.position })) as { contents: { value: string } };
    expect(h.contents.value).toContain('input 24x24x4 → output 12x12x4');
    expect(h.contents.value).toContain('⌈(24 − 3) / 2⌉ + 1 = 12');
    const h2 = (await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///hover.hwy' }, position: { line: 4, character: 4 } })) as { contents: { value: string } };
    expect(h2.contents.value).toContain('gate bias -2');
    expect(h2.contents.value).toContain('inserted before it: plain dense relu 576 → 50');
    expect(h2.contents.value).toContain('parameters 5,100');
  });

  it('hover on a let name shows its value', async () => {
    const src = cursor('let width = 4 * 8\nnetwork n {\n  input 10\n  dense wi‸dth\n}\n');
    await open('file:///let.hwy', src.text);
    const h = (await conn.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///let.hwy' }, position: src.position })) as { contents: { value: string } };
    expect(h.contents.value).toContain('let width = 32');
  });

  it('inlay hints: the output shape and parameters at the end of each block line', async () => {
    const text = 'network n {\n  input 28x28x1\n  conv 16 5x5 relu\n  repeat 2 {\n    highway conv 3x3 relu\n  }\n}\n';
    await open('file:///inlay.hwy', text);
    const hints = (await conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: 'file:///inlay.hwy' }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } })) as { position: { line: number; character: number }; label: string }[];
    expect(hints.map((h) => [h.position.line, h.label])).toEqual([
      [2, ' → 24x24x16 · 416 params'],
      [4, ' → 24x24x16 · 4,640 params ×2'],
    ]);
    expect(hints[0].position.character).toBe('  conv 16 5x5 relu'.length);
  });

  it('completion: block kinds, then the attributes of that block, then values', async () => {
    const uri = 'file:///complete.hwy';
    const kinds = cursor('network n {\n  input 10\n  ‸\n}\n');
    await open(uri, kinds.text);
    const k = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: kinds.position })) as { label: string }[];
    expect(k.map((c) => c.label)).toEqual(expect.arrayContaining(['dense', 'conv', 'maxpool', 'highway', 'repeat']));
    const attrs = cursor('let w = 3\nnetwork n {\n  input 10\n  highway dense ‸\n}\n');
    await change(uri, attrs.text);
    const a = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: attrs.position })) as { label: string }[];
    expect(a.map((c) => c.label)).toEqual(expect.arrayContaining(['gate_bias=', 'carry=', 'relu', 'w']));
    const plain = cursor('network n {\n  input 10\n  dense 3 ‸\n}\n');
    await change(uri, plain.text);
    const p = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: plain.position })) as { label: string }[];
    expect(p.map((c) => c.label)).not.toContain('gate_bias=');
    const vals = cursor('network n {\n  input 10\n  highway dense carry=‸\n}\n');
    await change(uri, vals.text);
    const v = (await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: vals.position })) as { label: string }[];
    expect(v.map((c) => c.label)).toEqual(['coupled', 'free']);
    // after an attribute, only attributes: a positional argument there is an error
    const late = cursor('let w = 3\nnetwork n {\n  input 10\n  highway dense gate_bias=-2 ‸\n}\n');
    await change(uri, late.text);
    const l = ((await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: late.position })) as { label: string }[]).map((c) => c.label);
    expect(l).toContain('carry=');
    expect(l).not.toContain('gate_bias=');
    expect(l).not.toContain('relu');
    expect(l).not.toContain('w');
    // an optimizer line: the optimizers, then the attributes of the one named
    const opt = (line: string) => cursor(`network n {\n  input 10\n}\ntrain {\n  ${line}\n}\n`);
    const labels = async (line: string) => {
      const c = opt(line);
      await change(uri, c.text);
      return ((await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: c.position })) as { label: string }[]).map((x) => x.label);
    };
    expect(await labels('optimizer ‸')).toEqual(expect.arrayContaining(['sgd', 'adam', 'adamw', 'rmsprop', 'momentum=', 'nesterov=']));
    const adam = await labels('optimizer adam ‸');
    expect(adam).toEqual(expect.arrayContaining(['beta1=', 'beta2=', 'epsilon=']));
    expect(adam).not.toContain('momentum=');
    expect(adam).not.toContain('sgd');
    expect(await labels('optimizer adamw beta1=0.8 ‸')).toEqual(['beta2=', 'epsilon=', 'weight_decay=']);
  });

  it('go to definition and find references of a let name; document symbols', async () => {
    const uri = 'file:///refs.hwy';
    const src = cursor('let depth = 4\nnetwork n {\n  input 10\n  repeat dep‸th {\n    highway dense\n  }\n  dense depth\n}\ntrain {\n  epochs 2\n}\n');
    await open(uri, src.text);
    const def = (await conn.sendRequest('textDocument/definition', { textDocument: { uri }, position: src.position })) as { range: { start: { line: number; character: number } } };
    expect(def.range.start).toEqual({ line: 0, character: 4 });
    const refs = (await conn.sendRequest('textDocument/references', { textDocument: { uri }, position: src.position, context: { includeDeclaration: true } })) as { range: { start: { line: number } } }[];
    expect(refs.map((r) => r.range.start.line)).toEqual([0, 3, 6]);
    const syms = (await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as { name: string }[];
    expect(syms.map((s) => s.name)).toEqual(['depth', 'n', 'train']);
  });

  it('formatting through the Prettier plugin; none for text with syntax errors', async () => {
    const uri = 'file:///fmt.hwy';
    await open(uri, 'network   n {\ninput 10\n  dense   3   relu\n}\n');
    const edits = (await conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as { newText: string }[];
    expect(edits[0].newText).toBe('network n {\n  input 10\n  dense 3 relu\n}\n');
    await change(uri, 'network n {\n  dense 3 )\n}\n');
    expect(await conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  it('semantic tokens: the lexer words by what they are, comments included, in the legend types', async () => {
    const uri = 'file:///tokens.hwy';
    await open(uri, 'let d = 3 # depth\nnetwork n {\n  input 8\n  repeat d { highway dense relu gate_bias=-1 }\n}\n');
    const { data } = (await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } })) as { data: number[] };
    const legend = ['keyword', 'type', 'function', 'property', 'variable', 'number', 'string', 'comment', 'operator'];
    // decode the relative encoding back to (line, character, length, type)
    const got: string[] = [];
    let line = 0;
    let ch = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      got.push(`${line}:${ch}:${data[i + 2]}:${legend[data[i + 3]]}`);
    }
    expect(got).toEqual([
      '0:0:3:keyword', // let
      '0:4:1:variable', // d
      '0:6:1:operator', // =
      '0:8:1:number',
      '0:10:7:comment',
      '1:0:7:keyword', // network
      '2:2:5:type', // input
      '2:8:1:number',
      '3:2:6:keyword', // repeat
      '3:9:1:variable', // d, a constant
      '3:13:7:keyword', // highway
      '3:21:5:type', // dense
      '3:27:4:function', // relu
      '3:32:9:property', // gate_bias
      '3:41:1:operator',
      '3:42:1:operator', // -
      '3:43:1:number',
    ]);
  });

  it('a code action writes an inserted projection into the text', async () => {
    const uri = 'file:///action.hwy';
    await open(uri, 'network n {\n  input 784\n  highway dense 50 tanh\n}\n');
    const actions = (await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 5 } }, context: { diagnostics: [] } })) as { title: string; edit: { changes: Record<string, { newText: string; range: { start: { line: number } } }[]> } }[];
    expect(actions[0].title).toContain('dense 50 tanh');
    const e = actions[0].edit.changes[uri][0];
    expect(e.newText).toBe('  dense 50 tanh\n');
    expect(e.range.start.line).toBe(2);
  });

  it('survives random edit sequences, half-typed and binary text, and keeps answering', async () => {
    const uri = 'file:///fuzz.hwy';
    let text = 'let d = 3\nnetwork n {\n  input 28x28x1\n  flatten\n  repeat d {\n    highway dense relu\n  }\n  dense 10 softmax\n}\n';
    await open(uri, text);
    const rnd = fc.sample(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('{', '}', '\n', 'repeat 1e9 {', '\u0000', 'x', '=', '#', 'highway ')), fc.nat()), { numRuns: 60, seed: 42 });
    for (const [at, del, ins, pos] of rnd) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + ins + text.slice(i + del);
      conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
      const lines = text.split('\n');
      const line = pos % lines.length;
      const position = { line, character: pos % (lines[line].length + 1) };
      await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position });
      await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position });
      await conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } });
    }
    const h = (await conn.sendRequest('textDocument/documentSymbol', { textDocument: { uri } })) as unknown[];
    expect(Array.isArray(h)).toBe(true);
    expect(child.exitCode).toBe(null);
  });
});

describe('features in process (property: no input makes them throw)', () => {
  it('hover, completion and inlay hints on arbitrary text at arbitrary positions', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), fc.nat(), (text, l, c) => {
        const a = analyse(text, 'p.hwy');
        const lines = text.split('\n');
        const position = { line: l % lines.length, character: c % (lines[l % lines.length].length + 1) };
        hover(a, position);
        complete(a, position);
        inlayHints(a);
      }),
      { numRuns: 300 },
    );
  });
});

describe('let names are data', () => {
  it('hover and completion show the value of `let toString` and `let constructor`, not a function of Object.prototype', () => {
    const text = 'let toString = 3\nlet constructor = 5\nnetwork n {\n  input 4\n  dense toString\n  dense constructor\n}\n';
    const a = analyse(text, 'names.hwy');
    expect(hover(a, { line: 0, character: 5 })).toContain('let toString = 3');
    expect(hover(a, { line: 1, character: 5 })).toContain('let constructor = 5');
    const lets = complete(a, { line: 4, character: 8 }).filter((c) => c.kind === 'constant');
    expect(lets.map((c) => c.detail)).toEqual(['let toString = 3', 'let constructor = 5']);
    // a constant without a value (its expression has an error) shows none, not Object.prototype's member
    const broken = analyse('let toString = missing\nnetwork n {\n  input 4\n  dense 3\n}\n', 'broken.hwy');
    expect(hover(broken, { line: 0, character: 5 })).toBe('`let toString = ?`');
  });
});

describe('line ends as the protocol counts them: \\n, \\r\\n and a lone \\r', () => {
  it('hover and completion find the same places in a CR-only, a CRLF and an LF document', () => {
    const lf = 'let width = 3\nnetwork n {\n  input 4\n  dense width relu\n}\n';
    for (const eol of ['\n', '\r\n', '\r']) {
      const a = analyse(lf.replace(/\n/g, eol), 'eol.hwy');
      expect(a.result.ok, JSON.stringify(eol)).toBe(true);
      expect(hover(a, { line: 3, character: 9 }), JSON.stringify(eol)).toContain('let width = 3');
      // after `dense width ` on line 3: the attributes and activations of dense, not block kinds
      const items = complete(a, { line: 3, character: 14 }).map((c) => c.label);
      expect(items, JSON.stringify(eol)).toContain('relu');
      expect(items, JSON.stringify(eol)).not.toContain('network');
    }
  });
});
