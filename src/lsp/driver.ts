// The language server's one setup, shared by its two hosts: the Node server (server.ts:
// stdio or IPC, `hwy lsp`, the VS Code extension) and the playground's Web Worker
// (src/playground/worker.ts). Only what differs between them comes in through ServerHost:
// how a URI names a file, how a file a sweep names is read, and how long a pause in typing
// is waited for. Nothing here imports Node.
import {
  TextDocuments,
  TextDocumentSyncKind,
  DiagnosticSeverity,
  CompletionItemKind,
  SymbolKind,
  CodeActionKind,
  type Connection,
  type InitializeResult,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyse, codeActions, complete, definition, hover, inlayHints, references, semanticTokens, SEMANTIC_TOKEN_TYPES, symbols, toRange, type Analysis, type ReadFile } from './features.js';

/** Edits closer together than this are analysed once, for the last of them (the Node server's pause). */
export const DEBOUNCE_MS = 150;

type Timer = ReturnType<typeof setTimeout>;

/**
 * What the server holds per open document: its newest analysis and the timer of a pending
 * one. Closing a document drops both, so nothing of a closed document stays in memory.
 */
export class DocumentState {
  private readonly analyses = new Map<string, { version: number; a: Analysis }>();
  private readonly timers = new Map<string, Timer>();

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

  /** Runs `f` after `ms` unless the document changes (or closes) first. */
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

export interface ServerHost {
  /** The file a document's URI names, as diagnostics and sweeps see it. */
  fileOf(uri: string): string;
  /** The URI of a file a note points into (a network a sweep names). */
  uriOf(file: string): string;
  /** Reads a file a sweep names that is not open; null when it cannot be read (the browser has no files). */
  readFile?: ReadFile;
  /** How long a pause in typing is waited for before analysing (default DEBOUNCE_MS). */
  debounceMs?: number;
}

export interface Server {
  documents: TextDocuments<TextDocument>;
  /** The newest analysis of an open document (computed now if the held one is older). */
  analysis(uri: string): Analysis | undefined;
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

/** Registers every feature on the connection and starts tracking documents; the caller then calls `conn.listen()`. */
export function setupServer(conn: Connection, host: ServerHost): Server {
  const documents = new TextDocuments(TextDocument);
  const readFile: ReadFile = (path) => {
    const open = documents.all().find((d) => host.fileOf(d.uri) === path);
    if (open) return open.getText();
    return host.readFile?.(path) ?? null;
  };
  const state = new DocumentState((text, uri) => analyse(text, host.fileOf(uri), { interactive: true, readFile }));
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
        semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [] }, full: true },
      },
      serverInfo: { name: 'hwy', version: '0.1.0' },
    }),
  );

  const publish = (uri: string) => {
    try {
      const doc = documents.get(uri);
      const a = get(uri);
      if (!a || !doc) return;
      const file = host.fileOf(uri);
      // a note in another file (the network a sweep names) points at that file
      const where = (f: string) => (f === file || !f.startsWith('/') ? uri : host.uriOf(f));
      const diagnostics: LspDiagnostic[] = a.diagnostics.map((d) => ({
        range: toRange(d.span),
        severity: SEVERITY[d.severity],
        code: d.code,
        source: 'hwy',
        message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
        relatedInformation: d.related?.map((r) => ({ location: { uri: where(r.span.file), range: toRange(r.span) }, message: r.message })),
      }));
      // the version lets a client drop diagnostics of a text it has since changed
      void conn.sendDiagnostics({ uri, version: doc.version, diagnostics });
    } catch (e) {
      conn.console.error(`hwy: diagnostics failed: ${(e as Error)?.stack ?? e}`);
    }
  };
  // Analysis waits for a pause in typing: a burst of edits is analysed once, and requests on
  // other documents are answered in between instead of queuing behind every keystroke.
  documents.onDidChangeContent((e) => state.schedule(e.document.uri, () => publish(e.document.uri), host.debounceMs ?? DEBOUNCE_MS));
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
  conn.languages.semanticTokens.on(
    guard(conn, 'semantic tokens', (p) => {
      const a = get(p.textDocument.uri);
      // relative encoding (LSP): line delta, start delta (on the same line), length, type, modifiers
      const data: number[] = [];
      let line = 0;
      let ch = 0;
      for (const t of a ? semanticTokens(a) : []) {
        data.push(t.line - line, t.line === line ? t.character - ch : t.character, t.length, SEMANTIC_TOKEN_TYPES.indexOf(t.type), 0);
        line = t.line;
        ch = t.character;
      }
      return { data };
    }, { data: [] }),
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
  return { documents, analysis: get };
}
