import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { ROOT } from '../helpers.js';

export interface PublishedDiagnostic {
  code: string;
  message: string;
  range: { start: { line: number; character: number } };
  relatedInformation?: unknown[];
}

/** `hwy lsp --stdio` with an initialized JSON-RPC client; every diagnostics notification is kept, by document. */
export async function startServer(): Promise<{ child: ChildProcess; conn: MessageConnection; published: Map<string, PublishedDiagnostic[][]> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/hwy.js'), 'lsp', '--stdio'], { cwd: ROOT });
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
