// The parts of the editor's language support that @codemirror/lsp-client does not provide
// itself, as CodeMirror extensions over its client: diagnostics that follow every keystroke
// (its own wait for a 500 ms pause would miss the 50 ms the page aims at) with the server's
// quick fixes attached, inlay hints (shapes and parameters at the end of each line), and
// highlighting from the server's semantic tokens (the compiler's lexer: no second grammar).
import { StateEffect, StateField, type Extension, type Range, type Text } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, WidgetType, type DecorationSet } from '@codemirror/view';
import { setDiagnostics, type Action, type Diagnostic } from '@codemirror/lint';
import { LSPPlugin, type LSPClient, type LSPClientExtension } from '@codemirror/lsp-client';

interface LspPos {
  line: number;
  character: number;
}
interface LspRange {
  start: LspPos;
  end: LspPos;
}
interface LspDiagnostic {
  range: LspRange;
  severity?: number;
  code?: string;
  message: string;
}
interface LspEdit {
  range: LspRange;
  newText: string;
}
interface LspCodeAction {
  title: string;
  edit?: { changes?: Record<string, LspEdit[]> };
}

/** The legend's order (src/lsp/features.ts SEMANTIC_TOKEN_TYPES); the classes style.css colours. */
const TOKEN_CLASSES = ['keyword', 'type', 'function', 'property', 'variable', 'number', 'string', 'comment', 'operator'].map((t) => Decoration.mark({ class: `hwy-tok-${t}` }));

const setTokens = StateEffect.define<DecorationSet>();
const setHints = StateEffect.define<DecorationSet>();

/** A set of decorations the server sends, kept in place through edits until the next one arrives. */
function serverDecorations(effect: typeof setTokens) {
  return StateField.define<DecorationSet>({
    create: () => Decoration.none,
    update(deco, tr) {
      for (const e of tr.effects) if (e.is(effect)) return e.value;
      return deco.map(tr.changes);
    },
    provide: (f) => EditorView.decorations.from(f),
  });
}
const tokenField = serverDecorations(setTokens);
const hintField = serverDecorations(setHints);

class HintWidget extends WidgetType {
  constructor(readonly label: string) {
    super();
  }
  override eq(other: HintWidget): boolean {
    return other.label === this.label;
  }
  toDOM(): HTMLElement {
    const span = document.createElement('span');
    span.className = 'hwy-inlay';
    span.textContent = this.label; // text, never markup
    return span;
  }
}

const SEVERITY = ['error', 'error', 'warning', 'info', 'hint'] as const;

export interface LiveHooks {
  /** After each set of diagnostics for the current text: the moment the page refreshes its views. */
  analysed(view: EditorView, version: number, diagnostics: LspDiagnostic[]): void;
}

/** Timings the page keeps for its tests and its status line: edit to diagnostics shown, in ms. */
export const timings: number[] = [];
let editAt: number | null = null;

/** A position of the synced document, mapped through the edits made since. */
function place(plugin: LSPPlugin, p: LspPos, doc: Text): number {
  const at = plugin.fromPosition(p, plugin.syncedDoc);
  return Math.min(plugin.unsyncedChanges.mapPos(at), doc.length);
}

function applyEdits(view: EditorView, plugin: LSPPlugin, edits: LspEdit[]): void {
  view.dispatch({ changes: edits.map((e) => ({ from: place(plugin, e.range.start, view.state.doc), to: place(plugin, e.range.end, view.state.doc), insert: e.newText })), userEvent: 'input.quickfix' });
}

async function withFixes(client: LSPClient, uri: string, view: EditorView, plugin: LSPPlugin, list: LspDiagnostic[]): Promise<Diagnostic[]> {
  const doc = view.state.doc;
  const out: Diagnostic[] = [];
  for (const d of list) {
    const actions: Action[] = [];
    if (d.code === 'HWY3006' && out.length < 50) {
      const got = await client.request<unknown, LspCodeAction[] | null>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } }).catch(() => null);
      for (const a of got ?? []) {
        const edits = a.edit?.changes?.[uri];
        if (edits?.length) actions.push({ name: a.title, apply: (v) => applyEdits(v, plugin, edits) });
      }
    }
    out.push({ from: place(plugin, d.range.start, doc), to: place(plugin, d.range.end, doc), severity: SEVERITY[d.severity ?? 1], message: d.message, source: d.code, actions });
  }
  return out;
}

/** Semantic tokens (relative encoding) as mark decorations on the synced document. */
function tokenDecorations(plugin: LSPPlugin, data: number[], doc: Text): DecorationSet {
  const marks: Range<Decoration>[] = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    line += data[i];
    ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
    const cls = TOKEN_CLASSES[data[i + 3]];
    const from = place(plugin, { line, character: ch }, doc);
    const to = place(plugin, { line, character: ch + data[i + 2] }, doc);
    if (cls && to > from) marks.push(cls.range(from, to));
  }
  return Decoration.set(marks, true);
}

/**
 * The client extension: diagnostics (as the server publishes them after each change) with
 * quick fixes, then, for the same version, semantic tokens and inlay hints.
 */
export function liveLanguage(hooks: LiveHooks): LSPClientExtension {
  const handler = (client: LSPClient, params: { uri: string; version?: number; diagnostics: LspDiagnostic[] }): boolean => {
    const file = client.workspace.getFile(params.uri);
    if (!file || (params.version != null && params.version !== file.version)) return true; // an older text's: dropped
    const view = file.getView();
    const plugin = view && LSPPlugin.get(view);
    if (!view || !plugin) return true;
    const version = file.version;
    const current = () => client.workspace.getFile(params.uri)?.version === version;
    // the diagnostics first, as they are, then again with their fixes
    view.dispatch(setDiagnostics(view.state, params.diagnostics.map((d) => ({ from: place(plugin, d.range.start, view.state.doc), to: place(plugin, d.range.end, view.state.doc), severity: SEVERITY[d.severity ?? 1], message: d.message, source: d.code }))));
    if (editAt !== null) {
      timings.push(performance.now() - editAt);
      performance.measure('hwy:keystroke-to-diagnostics', { start: editAt, end: performance.now() });
      editAt = null;
    }
    hooks.analysed(view, version, params.diagnostics);
    void (async () => {
      if (params.diagnostics.some((d) => d.code === 'HWY3006')) {
        const fixed = await withFixes(client, params.uri, view, plugin, params.diagnostics);
        if (current()) view.dispatch(setDiagnostics(view.state, fixed));
      }
      const [tokens, hints] = await Promise.all([
        client.request<unknown, { data: number[] } | null>('textDocument/semanticTokens/full', { textDocument: { uri: params.uri } }).catch(() => null),
        client.request<unknown, { position: LspPos; label: string }[] | null>('textDocument/inlayHint', { textDocument: { uri: params.uri }, range: { start: { line: 0, character: 0 }, end: { line: view.state.doc.lines, character: 0 } } }).catch(() => null),
      ]);
      if (!current()) return;
      const doc = view.state.doc;
      const hintDecos = (hints ?? []).map((h) => Decoration.widget({ widget: new HintWidget(h.label), side: 1 }).range(place(plugin, h.position, doc)));
      view.dispatch({ effects: [setTokens.of(tokenDecorations(plugin, tokens?.data ?? [], doc)), setHints.of(Decoration.set(hintDecos, true))] });
    })();
    return true;
  };
  // Each change goes to the server at once (the server analyses at its first idle moment).
  const syncNow = ViewPlugin.define((view) => ({
    update(u) {
      if (!u.docChanged) return;
      editAt ??= performance.now();
      performance.mark('hwy:edit');
      queueMicrotask(() => LSPPlugin.get(view)?.client.sync());
    },
  }));
  return {
    clientCapabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] }, inlayHint: {} } },
    notificationHandlers: { 'textDocument/publishDiagnostics': handler },
    editorExtension: [tokenField, hintField, syncNow] as Extension,
  };
}
