// The LSP client's Transport over the language worker, with the page's time budget: a worker
// that answers nothing for WORKER_BUDGET_MS while the page waits on it (a request, or the
// diagnostics of a change) is terminated, and the page says so. JSON-RPC itself is
// @codemirror/lsp-client's on this side and vscode-languageserver's in the worker; this only
// carries the messages (the worker's reader and writer exchange message objects).
import type { Transport } from '@codemirror/lsp-client';
import { WORKER_BUDGET_MS } from '../protocol.js';

export class WorkerTransport implements Transport {
  private readonly handlers = new Set<(value: string) => void>();
  private readonly pending = new Set<number | string>();
  private awaitingDiagnostics = false;
  private since = 0;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private dead = false;

  constructor(
    private readonly worker: Worker,
    private readonly onStuck: (ms: number, error?: string) => void,
    budget = WORKER_BUDGET_MS,
  ) {
    worker.onmessage = (e: MessageEvent) => {
      this.since = performance.now(); // it is alive
      const m = e.data as { id?: number | string; method?: string };
      if (m.id !== undefined && m.method === undefined) this.pending.delete(m.id);
      if (m.method === 'textDocument/publishDiagnostics') this.awaitingDiagnostics = false;
      const text = JSON.stringify(e.data);
      for (const h of this.handlers) h(text);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.kill();
      this.onStuck(-1, e.message);
    };
    this.watchdog = setInterval(() => {
      if ((this.pending.size || this.awaitingDiagnostics) && performance.now() - this.since > budget) {
        this.kill();
        this.onStuck(budget);
      }
    }, 250);
  }

  get alive(): boolean {
    return !this.dead;
  }

  send(message: string): void {
    if (this.dead) throw new Error('the language worker was stopped');
    const m = JSON.parse(message) as { id?: number | string; method?: string };
    const waiting = this.pending.size > 0 || this.awaitingDiagnostics;
    if (m.id !== undefined && m.method !== undefined) this.pending.add(m.id);
    if (m.method === 'textDocument/didChange' || m.method === 'textDocument/didOpen') this.awaitingDiagnostics = true;
    if (!waiting) this.since = performance.now();
    this.worker.postMessage(m);
  }

  subscribe(handler: (value: string) => void): void {
    this.handlers.add(handler);
  }

  unsubscribe(handler: (value: string) => void): void {
    this.handlers.delete(handler);
  }

  kill(): void {
    if (this.dead) return;
    this.dead = true;
    clearInterval(this.watchdog);
    this.worker.terminate();
  }
}
