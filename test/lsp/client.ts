import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ROOT } from '../helpers.js';

export interface PublishedDiagnostic {
  code: string;
  message: string;
  range: { start: { line: number; character: number } };
  relatedInformation?: unknown[];
}

/** `hwy lsp --stdio` with an initialized JSON-RPC client; every diagnostics notification is kept, by document. */
export async function startServer(): Promise<{ child: ChildProcess; conn: MessageConnection; published: Map<string, PublishedDiagnostic[][]> }> {
  return startStdioServer(process.execPath, [join(ROOT, 'bin/hwy.js'), 'lsp', '--stdio']);
}

/** A language server started as a command that talks over its standard input and output, with an initialized client. */
export async function startStdioServer(command: string, args: string[], cwd = ROOT): Promise<{ child: ChildProcess; conn: MessageConnection; published: Map<string, PublishedDiagnostic[][]> }> {
  const child = spawn(command, args, { cwd });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, PublishedDiagnostic[][]>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: PublishedDiagnostic[] }) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p.diagnostics]);
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
  conn.sendNotification('initialized', {});
  return { child, conn, published };
}

/**
 * A language server forked with Node's IPC channel and `--node-ipc`, as vscode-languageclient's
 * TransportKind.ipc starts one, with an initialized client over that channel.
 */
export async function startIpcServer(module: string, args: string[] = [], cwd = ROOT): Promise<{ child: ChildProcess; conn: MessageConnection; published: Map<string, PublishedDiagnostic[][]>; stderr: () => string }> {
  const child = fork(module, [...args, '--node-ipc', `--clientProcessId=${process.pid}`], { cwd, silent: true });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const published = new Map<string, PublishedDiagnostic[][]>();
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: PublishedDiagnostic[] }) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p.diagnostics]);
  });
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  conn.sendNotification('initialized', {});
  return { child, conn, published, stderr: () => err };
}

/** The diagnostics the server publishes for a document it is sent (didOpen). */
export async function diagnosticsOf(conn: MessageConnection, published: Map<string, PublishedDiagnostic[][]>, uri: string, text: string): Promise<PublishedDiagnostic[]> {
  const n = (published.get(uri) ?? []).length;
  conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'hwy', version: 1, text } });
  for (let i = 0; i < 1000; i++) {
    const list = published.get(uri) ?? [];
    if (list.length > n) return list[list.length - 1];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no diagnostics published for ${uri}`);
}
