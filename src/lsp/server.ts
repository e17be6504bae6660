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
  type InitializeResult,
  type Diagnostic as LspDiagnostic,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { analyse, codeActions, complete, definition, hover, inlayHints, references, symbols, toRange, type Analysis } from './features.js';

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

export function startServer(conn: Connection = createConnection(ProposedFeatures.all)): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new Map<string, { version: number; a: Analysis }>();
  const get = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const c = cache.get(uri);
    if (c && c.version === doc.version) return c.a;
    const a = analyse(doc.getText(), fileOf(uri));
    cache.set(uri, { version: doc.version, a });
    return a;
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
      const diagnostics: LspDiagnostic[] = a.result.diagnostics.map((d) => ({
        range: toRange(d.span),
        severity: SEVERITY[d.severity],
        code: d.code,
        source: 'hwy',
        message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
        relatedInformation: d.related?.map((r) => ({ location: { uri, range: toRange(r.span) }, message: r.message })),
      }));
      void conn.sendDiagnostics({ uri, diagnostics });
    } catch (e) {
      conn.console.error(`hwy: diagnostics failed: ${(e as Error)?.stack ?? e}`);
    }
  };
  documents.onDidChangeContent((e) => publish(e.document.uri));
  documents.onDidClose((e) => {
    cache.delete(e.document.uri);
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
      const kinds = { network: SymbolKind.Class, train: SymbolKind.Namespace, constant: SymbolKind.Constant };
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
      const { formatHwy } = await import('../format/index.js');
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
