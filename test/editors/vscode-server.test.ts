import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import { compile } from '../../src/core/compile.js';
import { formatHwy } from '../../src/format/text.js';
import { ROOT } from '../helpers.js';
import { diagnosticsOf, startIpcServer, type PublishedDiagnostic } from '../lsp/client.js';

// The server the extension bundles, built into a folder outside the repository: a module it
// failed to bundle would not be found there, as it would not be in an installed .vsix.
let dir: string;
let server: string;
let child: ChildProcess;
let conn: MessageConnection;
let published: Map<string, PublishedDiagnostic[][]>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hwy-vscode-server-'));
  const build = (await import(pathToFileURL(join(ROOT, 'editors/vscode/scripts/build.mjs')).href)) as { bundleServer: (outfile: string) => Promise<string> };
  server = await build.bundleServer(join(dir, 'server.js'));
  ({ child, conn, published } = await startIpcServer(server, [], dir));
});
afterAll(() => {
  conn?.dispose();
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('the language server bundled into the VS Code extension', () => {
  it('is one file that requires nothing but Node', () => {
    const requires = [...readFileSync(server, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(requires.length).toBeGreaterThan(0);
    expect(requires.filter((r) => !builtinModules.includes(r.replace(/^node:/, '')))).toEqual([]);
  });

  it('starts over IPC and publishes the diagnostics of hwy check for a bad document', async () => {
    const text = 'let depth = 3\nnetwork n {\n  input 28x28x1\n  repeat depth {\n    dense 10 relu\n  }\n  conv 8 3x3\n}\n';
    const ds = await diagnosticsOf(conn, published, 'file:///bad.hwy', text);
    const expected = compile(text, '/bad.hwy').diagnostics;
    expect(expected.length).toBeGreaterThan(0);
    expect(ds.map((d) => [d.code, d.range.start.line, d.range.start.character])).toEqual(expected.map((d) => [d.code, d.span.start.line - 1, d.span.start.col - 1]));
  });

  it('formats as hwy fmt does (Prettier inside the bundle)', async () => {
    const text = 'network n {\ninput 784\n      dense 10   softmax\n}\n';
    await diagnosticsOf(conn, published, 'file:///fmt.hwy', text);
    const edits = (await conn.sendRequest('textDocument/formatting', { textDocument: { uri: 'file:///fmt.hwy' }, options: { tabSize: 2, insertSpaces: true } })) as { newText: string }[];
    expect(edits).toHaveLength(1);
    expect(edits[0].newText).toBe(await formatHwy(text));
    expect(edits[0].newText).not.toBe(text);
  });
});
