// The playground page: a CodeMirror 6 editor whose language support is hwy's own language
// server running in a Web Worker (../worker.ts), the network's summary and counts beside it
// as the spec is typed, downloads made by the compiler's emitters, share links in the URL
// hash (../share.ts) and the training panel (./training.ts). Text from the spec, a link or
// the server is only ever set as text (textContent, the editor's document), never as markup.
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { closeLintPanel, lintGutter, lintKeymap, openLintPanel } from '@codemirror/lint';
import { autocompletion, closeBrackets } from '@codemirror/autocomplete';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { LSPClient, formatDocument, formatKeymap, hoverTooltips, jumpToDefinitionKeymap, serverCompletion, findReferencesKeymap } from '@codemirror/lsp-client';
import { liveLanguage, timings } from './lsp-view.js';
import { WorkerTransport } from './transport.js';
import { mountTrainingPanel, type TrainingSettings } from './training.js';
import { decodeShare, encodeShare, type Shared } from '../share.js';
import { EMIT_REQUEST, IR_REQUEST, MAX_EDITOR_BYTES, NETWORK_REQUEST, type EmitReply, type EmitTarget, type IrReply, type NetworkReply } from '../protocol.js';
import type { CreateTrainer } from '../train/api.js';
import { EXAMPLES } from './examples.js';

const URI = 'file:///playground.hwy';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (n: number) => n.toLocaleString('en-US');

const messageEl = $('message');
/** One line for the user: a refused paste, a bad link, a stopped worker. */
function say(text: string, kind: 'info' | 'error' = 'error'): void {
  messageEl.textContent = text;
  messageEl.className = kind;
  messageEl.hidden = !text;
}

/**
 * The HTML the client renders from the server's Markdown, rebuilt from an inert parse with
 * formatting elements only and no attributes at all: text stays text, whatever the spec's
 * names and comments hold.
 */
const KEEP = new Set(['P', 'B', 'STRONG', 'EM', 'I', 'CODE', 'PRE', 'BR', 'UL', 'OL', 'LI', 'SPAN', 'DIV']);
function sanitizeHTML(html: string): string {
  const copy = (from: Node, to: Node): void => {
    for (const n of from.childNodes) {
      if (n.nodeType === Node.TEXT_NODE) to.appendChild(document.createTextNode(n.textContent ?? ''));
      else if (n.nodeType === Node.ELEMENT_NODE) {
        const tag = (n as Element).tagName;
        if (tag === 'SCRIPT' || tag === 'STYLE') continue;
        const into = KEEP.has(tag) ? to.appendChild(document.createElement(tag)) : to; // other elements: their text only
        copy(n, into);
      }
    }
  };
  const out = document.createElement('div');
  copy(new DOMParser().parseFromString(html, 'text/html').body, out);
  return out.innerHTML;
}

// ---- the language worker and its client -------------------------------------------------

let transport: WorkerTransport;
const client = new LSPClient({
  rootUri: 'file:///',
  timeout: 5000,
  extensions: [serverCompletion(), hoverTooltips(), liveLanguage({ analysed: (_v, version) => void refresh(version) })],
  // hover text is Markdown, which the client renders to HTML: only formatting survives
  sanitizeHTML,
});

function startWorker(): void {
  const w = new Worker(new URL('./worker.js', import.meta.url));
  transport = new WorkerTransport(w, (ms, error) => {
    say(ms < 0 ? `the language worker failed (${error ?? 'no reason given'}); it restarts on your next edit` : `the language worker spent more than ${ms / 1000} s on this text and was stopped; it restarts on your next edit`);
    $('status').textContent = 'analysis paused';
    $('views').classList.add('stale'); // what they show is not this text's
    client.disconnect();
  });
  client.connect(transport);
}
startWorker();

// ---- the editor --------------------------------------------------------------------------

/** Refuses a change that would make the text larger than the page hands the worker. */
const sizeGuard = EditorState.transactionFilter.of((tr) => {
  if (!tr.docChanged) return tr;
  const len = tr.newDoc.length;
  // characters: a lower bound of the UTF-8 bytes; the worker counts bytes exactly
  if (len > MAX_EDITOR_BYTES) {
    const inserted = tr.newDoc.length - tr.startState.doc.length;
    queueMicrotask(() => say(`the text would be ${(len / 2 ** 20).toFixed(1)} MiB (${num(inserted)} characters added): the playground edits specs up to ${MAX_EDITOR_BYTES / 2 ** 20} MiB; \`hwy check\` reads larger ones`));
    return [];
  }
  return tr;
});

/** An accepted edit: a stopped worker starts again, and the last message (a refused paste, a bad link) has been read. */
const restartOnEdit = EditorView.updateListener.of((u) => {
  if (!u.docChanged) return;
  if (!messageEl.hidden && u.transactions.some((t) => t.isUserEvent('input') || t.isUserEvent('delete') || t.isUserEvent('undo') || t.isUserEvent('redo'))) say('');
  if (!transport.alive) {
    // the new worker opens the text as it is now, not the text the stopped one was given
    client.workspace.syncFiles();
    startWorker();
  }
});

const extensions: Extension = [
  lineNumbers(),
  history(),
  drawSelection(),
  highlightActiveLine(),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  autocompletion(),
  lintGutter(),
  sizeGuard,
  restartOnEdit,
  keymap.of([...defaultKeymap, ...historyKeymap, ...formatKeymap, ...jumpToDefinitionKeymap, ...findReferencesKeymap, ...lintKeymap, indentWithTab]),
  client.plugin(URI, 'hwy'),
  EditorView.updateListener.of((u) => u.docChanged && scheduleHash()),
];

// ---- what the page opens with: a share link, else the first example ----------------------

let settings: TrainingSettings = { epochs: 3, backend: 'auto' };
let initial = EXAMPLES[0].text;
const fromLink = await decodeShare(location.hash);
if (!fromLink.ok) say(`this link cannot be opened: ${fromLink.reason}; showing an example instead`);
else if (fromLink.shared) {
  if (new TextEncoder().encode(fromLink.shared.spec).length > MAX_EDITOR_BYTES) say('the linked spec is larger than the playground edits');
  else {
    initial = fromLink.shared.spec;
    settings = { ...settings, ...fromLink.shared.settings };
  }
}

const view = new EditorView({ parent: $('editor'), state: EditorState.create({ doc: initial, extensions }) });
(window as unknown as { hwyPlayground: unknown }).hwyPlayground = { view, timings };

// ---- the live views: counts, summary table, diagram ---------------------------------------

let shown = -1;
let everShown = false;
async function refresh(version: number): Promise<void> {
  const r = await client.request<{ uri: string }, NetworkReply | null>(NETWORK_REQUEST, { uri: URI }).catch(() => null);
  if (!r || r.version !== version || r.version < shown) return;
  shown = r.version;
  $('status').textContent = r.errors ? `${r.errors} error${r.errors === 1 ? '' : 's'}${r.warnings ? `, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}` : ''}` : r.warnings ? `ok, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}` : 'ok';
  if (!document.body.dataset.analysed) performance.mark('hwy:first-analysis');
  document.body.dataset.analysed = String(version);
  if (r.summary) showSummary(r.summary);
  if (r.svg && r.summary) showDiagram(r.svg, r.summary.network);
  if (r.summary) everShown = true;
  $('views').classList.toggle('stale', !r.summary);
  $('stale').hidden = !!r.summary;
  $('stale').textContent = everShown ? 'the spec has errors: the views show the last network that checked' : 'the spec has errors: no network has checked yet';
}

let diagramUrl: string | undefined;
/** The diagram as an image of a Blob: an <img> never runs script, and the SVG's text never becomes part of the page. */
function showDiagram(svg: string, network: string): void {
  const img = document.createElement('img');
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  img.src = url;
  img.alt = `the network ${network} as a diagram`;
  img.onload = () => {
    $('diagram').replaceChildren(img);
    if (diagramUrl) URL.revokeObjectURL(diagramUrl);
    diagramUrl = url;
  };
}

function showSummary(s: NonNullable<NetworkReply['summary']>): void {
  $('counts').replaceChildren(
    ...[
      ['network', s.network],
      ['parameters', num(s.totalParams)],
      ['weighted layers', num(s.weightedLayers)],
      ['highway', num(s.highwayLayers)],
      ['inserted', num(s.insertedLayers)],
      ['FLOPs / example', num(s.totalFlops)],
    ].map(([k, v]) => {
      const d = document.createElement('div');
      const b = document.createElement('b');
      b.textContent = v;
      d.append(b, ` ${k}`);
      return d;
    }),
  );
  const rows = s.rows.map((r) => {
    const tr = document.createElement('tr');
    for (const [v, cls] of [
      [r.name, ''],
      [r.label, ''],
      [r.outputShape.join('x'), ''],
      [r.count > 1 ? `${num(r.count)} x ${num(r.params)}` : num(r.params), 'n'],
      [r.notes, 'notes'],
    ]) {
      const td = document.createElement('td');
      td.textContent = v;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  });
  $('summary').querySelector('tbody')!.replaceChildren(...rows);
}

// ---- share links -------------------------------------------------------------------------

let hashTimer: ReturnType<typeof setTimeout> | undefined;
/** The URL follows the text (without adding history entries), so that copying it shares the network. */
function scheduleHash(): void {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => void writeHash(), 400);
}
async function writeHash(): Promise<string | null> {
  const shared: Shared = { spec: view.state.doc.toString(), settings: { epochs: settings.epochs, seed: settings.seed, backend: settings.backend } };
  const hash = await encodeShare(shared);
  // a spec too large for a link leaves none: an older link in the address bar would reopen another text
  window.history.replaceState(null, '', hash ?? location.pathname + location.search);
  return hash;
}
$('share').onclick = async () => {
  const hash = await writeHash();
  if (!hash) return say('the spec is too large for a share link (256 KiB at most)');
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
    say('link copied: it opens this spec and these settings', 'info');
  } catch {
    say('the address bar holds the link to this spec', 'info');
  }
};
addEventListener('hashchange', async () => {
  const d = await decodeShare(location.hash);
  if (!d.ok) return say(`this link cannot be opened: ${d.reason}`);
  if (d.shared && d.shared.spec !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: d.shared.spec } });
});

// ---- downloads ---------------------------------------------------------------------------

function download(name: string, data: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(data);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
const baseName = () => (/network\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(view.state.doc.toString())?.[1] ?? 'spec');
$('dl-spec').onclick = () => download(`${baseName()}.hwy`, new Blob([view.state.doc.toString()], { type: 'text/plain' }));
async function emit(target: EmitTarget, ext: string, type: string): Promise<void> {
  const r = await client.request<{ uri: string; target: EmitTarget }, EmitReply>(EMIT_REQUEST, { uri: URI, target }).catch((e) => ({ ok: false as const, reason: String(e?.message ?? e) }));
  if (!r.ok) return say(`nothing to download: ${r.reason}`);
  download(`${baseName()}${ext}`, new Blob([r.text], { type }));
}
$('dl-ir').onclick = () => void emit('ir', '.ir.json', 'application/json');
$('dl-py').onclick = () => void emit('pytorch', '.py', 'text/x-python');
$('format').onclick = () => formatDocument(view);
// every diagnostic in a list, each with its quick fixes (also Ctrl-Shift-M in the editor)
$('problems').onclick = () => (view.dom.querySelector('.cm-panel-lint') ? closeLintPanel(view) : openLintPanel(view));

const examples = $<HTMLSelectElement>('examples');
for (const e of EXAMPLES) examples.append(Object.assign(document.createElement('option'), { value: e.name, textContent: e.name }));
examples.onchange = () => {
  const e = EXAMPLES.find((x) => x.name === examples.value);
  if (e) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: e.text } });
};

// ---- training ------------------------------------------------------------------------------

/**
 * The one place the trainer comes in: its own bundle beside this one (tfjs is large), which
 * every build makes. A host that left it out, or a network that failed, leaves the panel
 * saying so with the browser's reason.
 */
async function loadTrainer(): Promise<{ create: CreateTrainer } | { create: null; reason: string }> {
  try {
    const m = (await import(/* the trainer's bundle */ new URL('./trainer.js', import.meta.url).href)) as { createTrainer?: CreateTrainer };
    return m.createTrainer ? { create: m.createTrainer } : { create: null, reason: 'trainer.js exports no createTrainer' };
  } catch (e) {
    return { create: null, reason: `trainer.js did not load: ${(e as Error)?.message ?? e}` };
  }
}
mountTrainingPanel($('training'), {
  loadTrainer,
  currentIr: () => client.request<{ uri: string }, IrReply>(IR_REQUEST, { uri: URI }).catch((e) => ({ ok: false as const, reason: String(e?.message ?? e) })),
  settings,
  dataUrl: new URL('./data/', import.meta.url).href,
  // tfjs-backend-wasm's .wasm files, which the site build copies beside the page
  wasmUrl: new URL('./', import.meta.url).href,
  onSettings: (s) => {
    settings = s;
    scheduleHash();
  },
  download,
});

performance.mark('hwy:interactive');
document.body.dataset.ready = 'true';
