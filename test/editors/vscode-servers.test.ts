import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers.js';
import { diagnosticsOf, startIpcServer, startStdioServer } from '../lsp/client.js';

type Server = { label: string; kind: 'module'; module: string; args: string[] } | { label: string; kind: 'command'; command: string; args: string[]; stdio: boolean; configured?: true };
const { serverCandidates, serverOptions, startFirst, noServerMessage } = createRequire(import.meta.url)(join(ROOT, 'editors/vscode/src/servers.js')) as {
  serverCandidates: (o: { configured?: unknown; folders: string[]; trusted: boolean; extensionDir: string; platform?: NodeJS.Platform }) => Server[];
  serverOptions: (s: Server, cwd: string | undefined, transports: { ipc: number; stdio: number }, platform?: NodeJS.Platform) => Record<string, unknown>;
  startFirst: <C>(candidates: Server[], start: (s: Server) => Promise<C>) => Promise<{ client?: C; server?: Server; failures: string[] }>;
  noServerMessage: (failures: string[], configured: boolean) => string;
};
// vscode-languageclient's TransportKind values
const TRANSPORT = { stdio: 0, ipc: 1 };

const EXT = '/ext';
const BUNDLED: Server = { label: 'the language server bundled with the extension', kind: 'module', module: join(EXT, 'dist', 'server.js'), args: [] };

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function workspace(): string {
  const d = mkdtempSync(join(tmpdir(), 'hwy-ws-'));
  dirs.push(d);
  return d;
}
/** node_modules/NAME in a workspace, with a package.json and the given files. */
function install(ws: string, name: string, pkg: object, files: Record<string, string> = {}): string {
  const dir = join(ws, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.2.3', ...pkg }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
    chmodSync(join(dir, f), 0o755);
  }
  return dir;
}
const candidates = (folders: string[], more: { trusted?: boolean; configured?: unknown; platform?: NodeJS.Platform } = {}) =>
  serverCandidates({ folders, trusted: more.trusted ?? true, configured: more.configured, extensionDir: EXT, platform: more.platform ?? 'linux' });

describe('which language server the VS Code extension starts', () => {
  it('the bundled one when the workspace has no hwy, or only the unrelated npm package named hwy (no hwy bin)', () => {
    expect(candidates([])).toEqual([BUNDLED]);
    const ws = workspace();
    expect(candidates([ws])).toEqual([BUNDLED]);
    install(ws, 'hwy', { description: 'A highly flexible fullstack web framework', main: 'index.js' }, { 'index.js': '' });
    expect(candidates([ws])).toEqual([BUNDLED]);
  });

  it("the workspace's hwy first, found through its package.json bin, hwy-lang before hwy, forked over IPC when the bin is a Node script", () => {
    const ws = workspace();
    const old = install(ws, 'hwy', { bin: { hwy: 'bin/hwy.js' } }, { 'bin/hwy.js': '#!/usr/bin/env node\n' });
    expect(candidates([ws])).toEqual([{ label: "the workspace's hwy 1.2.3 (node_modules/hwy)", kind: 'module', module: join(old, 'bin/hwy.js'), args: ['lsp'] }, BUNDLED]);
    const renamed = install(ws, 'hwy-lang', { bin: { hwy: './cli' } }, { cli: '#!/usr/bin/env node\nimport "./x.js";\n' });
    expect(candidates([ws])[0]).toEqual({ label: "the workspace's hwy 1.2.3 (node_modules/hwy-lang)", kind: 'module', module: join(renamed, 'cli'), args: ['lsp'] });
  });

  it('a shell launcher is run over stdio (not on Windows, which cannot run one); a bin that is missing is passed over', () => {
    const ws = workspace();
    const dir = install(ws, 'hwy-lang', { bin: { hwy: 'bin/hwy' } }, { 'bin/hwy': '#!/bin/sh\nexec node "$0.js" "$@"\n' });
    expect(candidates([ws])[0]).toMatchObject({ kind: 'command', command: join(dir, 'bin/hwy'), args: ['lsp'], stdio: true });
    expect(candidates([ws], { platform: 'win32' })).toEqual([BUNDLED]);
    const other = workspace();
    install(other, 'hwy-lang', { bin: { hwy: 'bin/gone.js' } });
    expect(candidates([other])).toEqual([BUNDLED]);
  });

  it('the first workspace folder that has hwy; none in an untrusted workspace', () => {
    const [a, b] = [workspace(), workspace()];
    install(b, 'hwy-lang', { bin: { hwy: 'hwy.mjs' } }, { 'hwy.mjs': '' });
    expect(candidates([a, b]).map((s) => s.kind === 'module' && s.module)).toEqual([join(b, 'node_modules/hwy-lang/hwy.mjs'), BUNDLED.module]);
    expect(candidates([a, b], { trusted: false })).toEqual([BUNDLED]);
  });

  it('hwy.server.command, when set, is the only one, run as written; an empty one means automatic', () => {
    const ws = workspace();
    install(ws, 'hwy-lang', { bin: { hwy: 'hwy.js' } }, { 'hwy.js': '' });
    expect(candidates([ws], { configured: ['/opt/hwy/bin/hwy', 'lsp', '--stdio'] })).toEqual([
      { label: 'hwy.server.command (/opt/hwy/bin/hwy lsp --stdio)', kind: 'command', command: '/opt/hwy/bin/hwy', args: ['lsp', '--stdio'], stdio: false, configured: true },
    ]);
    expect(candidates([ws], { configured: [] })[0]).toMatchObject({ kind: 'module', args: ['lsp'] });
    expect(candidates([ws], { configured: 'hwy lsp' })[0]).toMatchObject({ kind: 'module', args: ['lsp'] });
  });

  it("this repository installed into a workspace is found and serves diagnostics over the transport chosen for it", async () => {
    const ws = workspace();
    mkdirSync(join(ws, 'node_modules'));
    symlinkSync(ROOT, join(ws, 'node_modules', 'hwy'));
    const [s] = candidates([ws]);
    expect(s.label).toContain("the workspace's hwy");
    const text = 'network n {\n  input 28x28x1\n  dense 10 softmax\n}\n';
    let codes: string[];
    if (s.kind === 'module') {
      const { child, conn, published } = await startIpcServer(s.module, s.args, ws);
      codes = (await diagnosticsOf(conn, published, 'file:///w.hwy', text)).map((d) => d.code);
      conn.dispose();
      child.kill();
    } else {
      const { child, conn, published } = await startStdioServer(s.command, [...s.args, ...(s.stdio ? ['--stdio'] : [])], ws);
      codes = (await diagnosticsOf(conn, published, 'file:///w.hwy', text)).map((d) => d.code);
      conn.dispose();
      child.kill();
    }
    expect(codes).toContain('HWY3002');
  });

  it('a Node script is forked over IPC; a launcher gets --stdio from the client; the configured command runs as written', () => {
    expect(serverOptions(BUNDLED, '/ws', TRANSPORT)).toEqual({ module: BUNDLED.module, args: [], transport: TRANSPORT.ipc, options: { cwd: '/ws' } });
    const launcher: Server = { label: 'l', kind: 'command', command: '/ws/node_modules/hwy/bin/hwy', args: ['lsp'], stdio: true };
    expect(serverOptions(launcher, '/ws', TRANSPORT, 'linux')).toEqual({ command: launcher.command, args: ['lsp'], transport: TRANSPORT.stdio, options: { cwd: '/ws', shell: false } });
    const configured: Server = { label: 'c', kind: 'command', command: 'hwy', args: ['lsp', '--stdio'], stdio: false };
    expect(serverOptions(configured, undefined, TRANSPORT, 'win32')).toEqual({ command: 'hwy', args: ['lsp', '--stdio'], options: { cwd: undefined, shell: true } });
  });

  it('falls back to the next server when one does not start, and names every failure when none does', async () => {
    const ws: Server = { label: "the workspace's hwy 0.0.1 (node_modules/hwy)", kind: 'module', module: '/ws/x.js', args: ['lsp'] };
    const tried: string[] = [];
    const r = await startFirst([ws, BUNDLED], async (s) => {
      tried.push(s.label);
      if (s === ws) throw new Error('Connection to server got closed');
      return 'client';
    });
    expect(tried).toEqual([ws.label, BUNDLED.label]);
    expect(r).toEqual({ client: 'client', server: BUNDLED, failures: ["the workspace's hwy 0.0.1 (node_modules/hwy) did not start (Connection to server got closed)"] });
    const none = await startFirst([ws, BUNDLED], async () => {
      throw new Error('spawn ENOENT');
    });
    expect(none.client).toBeUndefined();
    const message = noServerMessage(none.failures, false);
    expect(message).toContain(`${ws.label} did not start (spawn ENOENT); ${BUNDLED.label} did not start (spawn ENOENT)`);
    expect(message).toMatch(/highlighting only.*Set hwy\.server\.command/);
    expect(noServerMessage(['hwy.server.command (hwy lsp) did not start (spawn hwy ENOENT)'], true)).toMatch(/spawn hwy ENOENT\)\. Correct hwy\.server\.command/);
  });
});
