// The Node host of the language server (`hwy lsp`, the VS Code extension): its connection
// (stdio or Node's IPC channel) and its files. The features and their wiring are driver.ts,
// which the playground's Web Worker runs too.
import { createConnection, ProposedFeatures, type Connection, IPCMessageReader, IPCMessageWriter } from 'vscode-languageserver/node';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync, statSync } from 'node:fs';
import { INTERACTIVE_LIMITS } from './features.js';
import { FrameGuard } from './framing.js';
import { setupServer } from './driver.js';

export { DEBOUNCE_MS, DocumentState } from './driver.js';

/**
 * Standard input through a FrameGuard: a malformed frame ends the server with a message on
 * standard error (the editor restarts it) instead of leaving it reading from the wrong place.
 */
function stdioConnection(): Connection {
  const input = process.stdin.pipe(new FrameGuard());
  input.on('error', (e) => {
    process.stderr.write(`hwy lsp: cannot read the editor's messages: ${e.message}; exiting\n`);
    process.exit(1);
  });
  return createConnection(ProposedFeatures.all, input, process.stdout);
}

/** Whether the editor asked for Node's IPC channel (`--node-ipc`, as vscode-languageclient's TransportKind.ipc passes it). */
export function wantsNodeIpc(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--node-ipc');
}

/**
 * The connection the command line asks for: Node's IPC channel with `--node-ipc` (the
 * parent must have forked this process with one), else standard input and output.
 */
export function defaultConnection(): Connection {
  if (!wantsNodeIpc()) return stdioConnection();
  if (!process.send) {
    process.stderr.write('hwy lsp: --node-ipc needs an IPC channel, which only a parent that forks this process (child_process.fork) gives; use --stdio from a terminal or an editor that speaks over pipes\n');
    process.exit(2);
  }
  // The channel closes when the editor goes or drops the server: end, as stdio does when its input ends.
  process.once('disconnect', () => process.exit(0));
  return createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process));
}

function fileOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

export function startServer(conn: Connection = defaultConnection()): void {
  setupServer(conn, {
    fileOf,
    uriOf: (file) => pathToFileURL(file).href,
    // the specs a sweep names that are not open: a regular file within the interactive size
    readFile: (path) => {
      try {
        const st = statSync(path);
        return st.isFile() && st.size <= INTERACTIVE_LIMITS.maxSpecBytes ? readFileSync(path, 'utf8') : null;
      } catch {
        return null;
      }
    },
  });
  conn.listen();
}
