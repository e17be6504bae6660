// The playground's language worker: hwy's language server (src/lsp/driver.ts, the same
// setup `hwy lsp` runs) over the Web Worker's message channel, plus the page's own requests
// (protocol.ts) answered from the same analysis. The page talks to it with
// @codemirror/lsp-client; nothing here touches the DOM.
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { setupServer } from '../lsp/driver.js';
import { summaryJson, type SummaryJson } from '../backends/text/summary.js';
import { emitModelPy } from '../backends/torch/emit-model.js';
import { irToJson } from '../ir/write.js';
import { renderNetworkSvg } from '../diagram/svg.js';
import type { NetworkIR } from '../ir/types.js';
import type { Analysis } from '../lsp/features.js';
import { EMIT_REQUEST, IR_REQUEST, NETWORK_REQUEST, type EmitParams, type EmitReply, type IrReply, type NetworkParams, type NetworkReply } from './protocol.js';

// The worker's global scope: the DOM's type library does not describe it.
const scope = self as unknown as ConstructorParameters<typeof BrowserMessageReader>[0];
const conn = createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope));

// No files in a browser: a sweep's networks must be in the document itself. Analysis starts
// at the first idle moment after an edit (typing in one editor is one document: no pause
// is waited for, so that diagnostics follow each keystroke).
const server = setupServer(conn, { fileOf: (uri) => uri.replace(/^[a-z]+:\/*/, ''), uriOf: (file) => `file:///${file}`, debounceMs: 0 });

function analysis(uri: string): { a: Analysis; version: number } | undefined {
  const doc = server.documents.get(uri);
  return doc && { a: server.analysis(uri)!, version: doc.version };
}

const checked = (a: Analysis): NetworkIR | null => (a.result.ok && a.result.ir ? (a.result.ir as NetworkIR) : null);
const reasonOf = (a: Analysis) => {
  const e = a.diagnostics.filter((d) => d.severity === 'error').length;
  return e ? `the spec has ${e} error${e === 1 ? '' : 's'}` : 'the spec declares no network';
};

const withoutLayers = ({ layers: _, ...rest }: SummaryJson): Omit<SummaryJson, 'layers'> => rest;

conn.onRequest<NetworkReply | null, unknown>(NETWORK_REQUEST, (p: NetworkParams): NetworkReply | null => {
  const got = analysis(p.uri);
  if (!got) return null;
  const { a, version } = got;
  const ir = checked(a);
  return {
    version,
    errors: a.diagnostics.filter((d) => d.severity === 'error').length,
    warnings: a.diagnostics.filter((d) => d.severity === 'warning').length,
    summary: ir ? withoutLayers(summaryJson(ir)) : null,
    svg: ir ? renderNetworkSvg(ir) : null,
  };
});

conn.onRequest<EmitReply, unknown>(EMIT_REQUEST, (p: EmitParams): EmitReply => {
  const got = analysis(p.uri);
  if (!got) return { ok: false, reason: 'no document' };
  const ir = checked(got.a);
  if (!ir) return { ok: false, reason: reasonOf(got.a) };
  return { ok: true, text: p.target === 'pytorch' ? emitModelPy(ir) : irToJson(ir) };
});

conn.onRequest<IrReply, unknown>(IR_REQUEST, (p: NetworkParams): IrReply => {
  const got = analysis(p.uri);
  if (!got) return { ok: false, reason: 'no document' };
  const ir = checked(got.a);
  return ir ? { ok: true, ir } : { ok: false, reason: reasonOf(got.a) };
});

conn.listen();
