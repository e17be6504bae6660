import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  DiagnosticSeverity,
  CompletionItemKind,
  SymbolKind,
  CodeActionKind,
  type Connection,
  IPCMessageReader,
  IPCMessageWriter,
  type InitializeResult,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readFileSync, statSync } from 'node:fs';
import { analyse, codeActions, complete, definition, hover, inlayHints, INTERACTIVE_LIMITS, references, symbols, toRange, type Analysis } from './features.js';
import { FrameGuard } from './framing.js';

/** Edits closer together than this are analysed once, for the last of them. */
export const DEBOUNCE_MS = 150;

/**
 * What the server holds per open document: its newest analysis and the timer of a pending
 * one. Closing a document drops both, so nothing of a closed document stays in memory.
 */
export class DocumentState {
  private readonly analyses = new Map<string, { version: number; a: Analysis }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly run: (text: string, uri: string) => Analysis) {}

  /** The analysis of this version, computed now if it is not the one held. */
  get(uri: string, version: number, text: () => string): Analysis {
    const c = this.analyses.get(uri);
    if (c && c.version === version) return c.a;
    this.analyses.delete(uri); // the old version's memory is free before the new one is built
    const a = this.run(text(), uri);
    this.analyses.set(uri, { version, a });
    return a;
  }

  /** Runs `f` after DEBOUNCE_MS unless the document changes (or closes) first. */
  schedule(uri: string, f: () => void, ms = DEBOUNCE_MS): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        f();
      }, ms),
    );
  }

  close(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    this.analyses.delete(uri);
  }

  /** Documents with anything held (an analysis or a pending one). */
  held(): string[] {
    return [...new Set([...this.analyses.keys(), ...this.timers.keys()])];
  }
}

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

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Runs a handler; a failure in one feature answers nothing rather than taking the server down. */
function guard<A extends unknown[], R>(conn: Connection, name: string, f: (...a: A) => R | Promise<R>, fallback: R | null): (...a: A) => Promise<R | null> {
  return async (...a: A) => {
    try {
      return await f(...a);
    } catch (e) {
      conn.console.error(`hwy: ${name} failed: ${(e as Error)?.stack ?? e}`);
      return fallback;
    }
  };
}

export function startServer(conn: Connection = defaultConnection()): void {
  const documents = new TextDocuments(TextDocument);
  /** The specs a sweep names: an open document's text, else the file (a regular file within the interactive size). */
  const readFile = (path: string): string | null => {
    const open = documents.all().find((d) => fileOf(d.uri) === path);
    if (open) return open.getText();
    try {
      const st = statSync(path);
      return st.isFile() && st.size <= INTERACTIVE_LIMITS.maxSpecBytes ? readFileSync(path, 'utf8') : null;
    } catch {
      return null;
    }
  };
  const state = new DocumentState((text, uri) => analyse(text, fileOf(uri), { interactive: true, readFile }));
  const get = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    return doc && state.get(uri, doc.version, () => doc.getText());
  };

  conn.onInitialize(
    (): InitializeResult => ({
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['=', ' '] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        documentFormattingProvider: true,
        inlayHintProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'hwy', version: '0.1.0' },
    }),
  );

  const publish = (uri: string) => {
    try {
      const a = get(uri);
      if (!a) return;
      const file = fileOf(uri);
      // a note in another file (the network a sweep names) points at that file
      const where = (f: string) => (f === file || !f.startsWith('/') ? uri : pathToFileURL(f).href);
      const diagnostics: LspDiagnostic[] = a.diagnostics.map((d) => ({
        range: toRange(d.span),
        severity: SEVERITY[d.severity],
        code: d.code,
        source: 'hwy',
        message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
        relatedInformation: d.related?.map((r) => ({ location: { uri: where(r.span.file), range: toRange(r.span) }, message: r.message })),
      }));
      void conn.sendDiagnostics({ uri, diagnostics });
    } catch (e) {
      conn.console.error(`hwy: diagnostics failed: ${(e as Error)?.stack ?? e}`);
    }
  };
  // Analysis waits for a pause in typing: a burst of edits is analysed once, and requests on
  // other documents are answered in between instead of queuing behind every keystroke.
  documents.onDidChangeContent((e) => state.schedule(e.document.uri, () => publish(e.document.uri)));
  documents.onDidClose((e) => {
    state.close(e.document.uri);
    void conn.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  conn.onHover(
    guard(conn, 'hover', (p) => {
      const a = get(p.textDocument.uri);
      const md = a && hover(a, p.position);
      return md ? { contents: { kind: 'markdown', value: md } } : null;
    }, null),
  );
  conn.onCompletion(
    guard(conn, 'completion', (p) => {
      const a = get(p.textDocument.uri);
      if (!a) return [];
      const kinds = { keyword: CompletionItemKind.Keyword, block: CompletionItemKind.Class, attribute: CompletionItemKind.Property, value: CompletionItemKind.EnumMember, constant: CompletionItemKind.Constant };
      return complete(a, p.position).map((c) => ({ label: c.label, kind: kinds[c.kind], detail: c.detail, insertText: c.insertText }));
    }, []),
  );
  conn.onDefinition(
    guard(conn, 'definition', (p) => {
      const a = get(p.textDocument.uri);
      const r = a && definition(a, p.position);
      return r ? { uri: p.textDocument.uri, range: r } : null;
    }, null),
  );
  conn.onReferences(
    guard(conn, 'references', (p) => {
      const a = get(p.textDocument.uri);
      return a ? references(a, p.position, p.context.includeDeclaration).map((range) => ({ uri: p.textDocument.uri, range })) : [];
    }, []),
  );
  conn.onDocumentSymbol(
    guard(conn, 'symbols', (p) => {
      const a = get(p.textDocument.uri);
      const kinds = { network: SymbolKind.Class, train: SymbolKind.Namespace, constant: SymbolKind.Constant, sweep: SymbolKind.Object };
      return a ? symbols(a).map((s) => ({ name: s.name, kind: kinds[s.kind], range: s.range, selectionRange: s.selection, detail: s.detail })) : [];
    }, []),
  );
  conn.languages.inlayHint.on(
    guard(conn, 'inlay hints', (p) => {
      const a = get(p.textDocument.uri);
      if (!a) return [];
      return inlayHints(a)
        .filter((h) => h.position.line >= p.range.start.line && h.position.line <= p.range.end.line)
        .map((h) => ({ position: h.position, label: h.label, paddingLeft: true }));
    }, []),
  );
  conn.onDocumentFormatting(
    guard(conn, 'formatting', async (p) => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      // a document too large to analyse is too large to format on a keystroke too
      if (get(p.textDocument.uri)?.result.diagnostics.some((d) => d.code === 'HWY4004')) return [];
      const { formatHwy } = await import('../format/text.js');
      const text = doc.getText();
      let out: string;
      try {
        out = await formatHwy(text);
      } catch {
        return []; // a spec with syntax errors is left as it is; the diagnostics say why
      }
      if (out === text) return [];
      return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: out }];
    }, []),
  );
  conn.onCodeAction(
    guard(conn, 'code actions', (p) => {
      const a = get(p.textDocument.uri);
      if (!a) return [];
      return codeActions(a, p.range).map((c) => ({
        title: c.title,
        kind: CodeActionKind.QuickFix,
        edit: { changes: { [p.textDocument.uri]: [c.edit] } },
      }));
    }, []),
  );

  documents.listen(conn);
  conn.listen();
}
