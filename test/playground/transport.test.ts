// The page's time budget on its language worker (src/playground/app/transport.ts), with a
// stand-in Worker: one that answers keeps running; one that goes silent on a request or on
// a change's diagnostics is terminated after the budget, and the page is told.
import { describe, expect, it } from 'vitest';
import { WorkerTransport } from '../../src/playground/app/transport.js';

class FakeWorker {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  sent: unknown[] = [];
  terminated = false;
  constructor(private readonly answers: boolean) {}
  postMessage(m: { id?: number; method?: string }): void {
    this.sent.push(m);
    if (!this.answers) return;
    setTimeout(() => {
      if (m.id !== undefined) this.onmessage?.({ data: { jsonrpc: '2.0', id: m.id, result: null } } as MessageEvent);
      if (m.method === 'textDocument/didChange') this.onmessage?.({ data: { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'u', diagnostics: [] } } } as MessageEvent);
    }, 5);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the language worker transport', () => {
  it('passes messages both ways as JSON text, and leaves a worker that answers alone', async () => {
    const w = new FakeWorker(true);
    let stuck = 0;
    const t = new WorkerTransport(w as unknown as Worker, () => stuck++, 300);
    const got: string[] = [];
    t.subscribe((m) => got.push(m));
    for (let i = 0; i < 10; i++) {
      t.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'textDocument/hover', params: {} }));
      t.send(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: {} }));
      await wait(60);
    }
    await wait(500);
    expect(stuck).toBe(0);
    expect(w.terminated).toBe(false);
    expect(got.filter((m) => JSON.parse(m).id !== undefined)).toHaveLength(10);
    expect(w.sent[0]).toEqual({ jsonrpc: '2.0', id: 0, method: 'textDocument/hover', params: {} }); // an object: the worker's reader takes messages as they are
    t.kill();
  });

  it('stops a worker that stays silent on a change past the budget, and refuses to send after', async () => {
    const w = new FakeWorker(false);
    const stuck: number[] = [];
    const t = new WorkerTransport(w as unknown as Worker, (ms) => stuck.push(ms), 300);
    t.send(JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didChange', params: {} }));
    await wait(150);
    expect(w.terminated).toBe(false);
    await wait(600);
    expect(w.terminated).toBe(true);
    expect(stuck).toEqual([300]);
    expect(t.alive).toBe(false);
    expect(() => t.send('{"jsonrpc":"2.0","method":"x"}')).toThrow(/stopped/);
  });

  it('waits for nothing when nothing is asked: an idle worker is not stopped', async () => {
    const w = new FakeWorker(false);
    let stuck = 0;
    const t = new WorkerTransport(w as unknown as Worker, () => stuck++, 200);
    t.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} })); // a notification that expects no answer
    await wait(600);
    expect(stuck).toBe(0);
    t.kill();
  });
});
