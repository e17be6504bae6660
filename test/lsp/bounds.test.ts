import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { ROOT } from '../helpers.js';
import { startServer, type PublishedDiagnostic } from './client.js';
import { FrameGuard, FramingError } from '../../src/lsp/framing.js';
import { DocumentState } from '../../src/lsp/server.js';
import { analyse, INTERACTIVE_LIMITS } from '../../src/lsp/features.js';

const frame = (o: unknown) => {
  const b = Buffer.from(JSON.stringify(o));
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]);
};
const spawnServer = () => spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'lsp', '--stdio'], { cwd: ROOT });
const initialize = frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });

/** Pipes chunks through a FrameGuard: what comes out, or the error. */
async function guard(chunks: Buffer[]): Promise<Buffer | Error> {
  const out: Buffer[] = [];
  try {
    for await (const c of Readable.from(chunks).pipe(new FrameGuard())) out.push(c as Buffer);
    return Buffer.concat(out);
  } catch (e) {
    return e as Error;
  }
}

describe('framing of the editor\'s messages', () => {
  it('well-framed messages pass unchanged however the input is cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), async (bodies, cuts) => {
        const all = Buffer.concat(bodies.map((b) => frame({ jsonrpc: '2.0', method: 'x', params: [b] })));
        const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((s, i, xs) => all.subarray(s, xs[i + 1] ?? all.length)).filter((c) => c.length);
        expect(await guard(chunks)).toEqual(all);
      }),
      { numRuns: 100 },
    );
  });

  it('each malformed frame is a FramingError that says what is wrong', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown' });
    const cases: [string, RegExp][] = [
      [`Content-Type: application/json\r\n\r\n${body}`, /without a Content-Length header/],
      [`Content-Length: abc\r\n\r\n${body}`, /Content-Length "abc" is not a byte count/],
      [`Content-Length: -5\r\n\r\n${body}`, /Content-Length "-5" is not a byte count/],
      [`Content-Length: 12abc\r\n\r\n${body}`, /Content-Length "12abc" is not a byte count/],
      [`Content-Length: 99999999999\r\n\r\n`, /Content-Length 99999999999 is more than the 64 MiB/],
      [`Content-Length: 10\r\n\r\n${body}Content-Length: 2\r\n\r\n{}`, /without a Content-Length header \(or the message before it was longer than its Content-Length\)/],
      [`Content-Length: 100\r\n\r\n{}`, /ended 98 bytes short/],
      ['x'.repeat(9000), /header longer than 8192 bytes/],
    ];
    for (const [bytes, message] of cases) {
      const r = await guard([Buffer.from(bytes)]);
      expect(r, bytes.slice(0, 40)).toBeInstanceOf(FramingError);
      expect((r as Error).message).toMatch(message);
    }
  });
});

/** Runs a server on some bytes: its exit code and standard error, or 'running' if it neither exits nor answers. */
function runServer(bytes: Buffer): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawnServer();
    let stderr = '';
    let stdout = '';
    c.stderr.on('data', (d) => (stderr += d));
    c.stdout.on('data', (d) => (stdout += d));
    // a safety net far above the milliseconds these take: a wedged server is killed and fails
    const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stderr, stdout });
    });
    c.stdin.write(Buffer.concat([initialize, bytes]));
  });
}

describe('hwy lsp --stdio never wedges on a malformed frame', () => {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'shutdown' });
  for (const [name, bytes] of [
    ['missing Content-Length', `Content-Type: application/json\r\n\r\n${body}`],
    ['non-numeric Content-Length', `Content-Length: abc\r\n\r\n${body}`],
    ['negative Content-Length', `Content-Length: -5\r\n\r\n${body}`],
    ['short Content-Length', `Content-Length: 10\r\n\r\n${body}${frame({ jsonrpc: '2.0', id: 3, method: 'shutdown' })}`],
    ['huge Content-Length', `Content-Length: 99999999999\r\n\r\n${body}`],
  ] as const) {
    it(`${name}: exits 1 with one line saying why`, async () => {
      const r = await runServer(Buffer.from(bytes));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^hwy lsp: cannot read the editor's messages: .+; exiting\n$/);
    });
  }

  it('a well-framed message that is not JSON is skipped: the next request is answered', async () => {
    const c = spawnServer();
    let stdout = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stdin.write(Buffer.concat([initialize, Buffer.from('Content-Length: 3\r\n\r\n{{{'), frame({ jsonrpc: '2.0', id: 7, method: 'shutdown' })]));
    for (let i = 0; i < 1000 && !stdout.includes('"id":7'); i++) await new Promise((r) => setTimeout(r, 10));
    c.kill();
    expect(stdout).toContain('{"jsonrpc":"2.0","id":7,"result":null}');
  });
});

describe('per-document state', () => {
  it('closing a document drops its analysis and its pending analysis', () => {
    const s = new DocumentState((text, uri) => analyse(text, uri));
    let ran = 0;
    s.get('a', 1, () => 'network n {\n  input 10\n}\n');
    s.schedule('a', () => ran++, 10_000);
    s.get('b', 1, () => 'let x = 1\n');
    expect(s.held().sort()).toEqual(['a', 'b']);
    s.close('a');
    expect(s.held()).toEqual(['b']);
    s.close('b');
    expect(s.held()).toEqual([]);
    expect(ran).toBe(0);
  });

  it('the interactive limits refuse a large document with one diagnostic and build nothing else', () => {
    const text = 'network n {\n  input 10\n' + '\n'.repeat(25_000) + '}\n';
    const a = analyse(text, 'big.hwy', { interactive: true });
    expect(a.result.diagnostics.map((d) => d.code)).toEqual(['HWY4004']);
    expect(a.result.diagnostics[0].message).toBe(`'big.hwy' has 25,003 lines; specs are limited to ${INTERACTIVE_LIMITS.maxSpecLines.toLocaleString('en-US')}`);
    expect(a.tokens).toEqual([]);
    expect(analyse(text, 'big.hwy').result.ok).toBe(true); // hwy check still reads it
  });
});

describe('the language server on a very large document', () => {
  let child: ChildProcess;
  let conn: MessageConnection;
  let published: Map<string, PublishedDiagnostic[][]>;
  let version = 0;
  const count = (uri: string) => (published.get(uri) ?? []).length;
  async function next(uri: string, n: number) {
    for (let i = 0; i < 3000 && count(uri) <= n; i++) await new Promise((r) => setTimeout(r, 10));
    return published.get(uri)![n];
  }

  beforeAll(async () => {
    ({ child, conn, published } = await startServer());
  });
  afterAll(() => {
    conn.dispose();
    child.kill();
  });

  it('a 5 MB spec gets one diagnostic saying it is too large, hover answers, and closing it frees its memory', async () => {
    const uri = 'file:///big.hwy';
    const text = 'network n {\n  input 10\n' + '  highway dense relu\n'.repeat(250_000) + '}\n';
    expect(text.length).toBeGreaterThan(5 * 10 ** 6);
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'hwy', version: ++version, text } });
    const ds = await next(uri, 0);
    expect(ds.map((d) => d.code)).toEqual(['HWY4004']);
    expect(ds[0].message).toMatch(/^'\/big\.hwy' is 5\.0 MiB; specs are limited to 512 KiB\nhint: the language server analyses specs up to 512 KiB/);
    expect(await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 4 } })).toBe(null);
    expect(await conn.sendRequest('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
    expect(await next(uri, 1)).toEqual([]);
    const status = `/proc/${child.pid}/status`;
    if (existsSync(status)) {
      // parsing it would take gigabytes (hundreds of bytes of heap per byte of text)
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))![1]) * 1024;
      expect(rss).toBeLessThan(600 * 2 ** 20);
    }
  });

  it('a burst of edits is analysed once, for the last, and other documents are answered meanwhile', async () => {
    const a = 'file:///small.hwy';
    const b = 'file:///typing.hwy';
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: a, languageId: 'hwy', version: ++version, text: 'let depth = 3\nnetwork n {\n  input 10\n}\n' } });
    await next(a, 0);
    const body = '  highway dense relu\n'.repeat(3000);
    conn.sendNotification('textDocument/didOpen', { textDocument: { uri: b, languageId: 'hwy', version: ++version, text: `network n {\n  input 10\n${body}}\n` } });
    await next(b, 0);
    const before = count(b);
    for (let i = 1; i <= 10; i++) {
      // each version has its own mistake on its own line: the diagnostics say which was analysed
      const text = `network n {\n  input 10\n${body}${'\n'.repeat(i)}  dense ${i} @\n}\n`;
      conn.sendNotification('textDocument/didChange', { textDocument: { uri: b, version: ++version }, contentChanges: [{ text }] });
    }
    const h = (await conn.sendRequest('textDocument/hover', { textDocument: { uri: a }, position: { line: 0, character: 5 } })) as { contents: { value: string } };
    expect(h.contents.value).toContain('let depth = 3');
    expect(count(b)).toBe(before); // the hover did not wait for any of the ten analyses
    const ds = await next(b, before);
    expect(ds.length).toBeGreaterThan(0);
    await conn.sendRequest('textDocument/hover', { textDocument: { uri: a }, position: { line: 0, character: 5 } });
    expect(count(b)).toBe(before + 1);
    const lastLine = 2 + 3000 + 10;
    const got = published.get(b)![before] as unknown as { code: string; range: { start: { line: number } } }[];
    expect(got.filter((d) => d.code === 'HWY1001').map((d) => d.range.start.line)).toEqual([lastLine]);
  });
});
