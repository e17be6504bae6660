// The page's side of the event stream (../live.ts): every row when it connects, then the
// rows that changed. EventSource reconnects by itself (after `retry`), and each reconnect
// begins with every row again, so a page that lost the server catches up whole.
import type { RunRow } from '../runs.js';
import type { SweepRow } from '../sweeps.js';
import type { RunsEvent } from '../live.js';

export interface LiveHandlers {
  runs: (rows: Map<string, RunRow>, truncated: boolean, changed: RunRow[]) => void;
  sweeps: (sweeps: SweepRow[]) => void;
  connection: (ok: boolean, message?: string) => void;
}

export function connectLive(h: LiveHandlers): EventSource {
  const rows = new Map<string, RunRow>();
  const es = new EventSource('/api/events');
  es.addEventListener('runs', (e) => {
    const ev = JSON.parse((e as MessageEvent<string>).data) as RunsEvent;
    if (ev.full) rows.clear();
    for (const r of ev.changed) rows.set(r.id, r);
    for (const id of ev.removed) rows.delete(id);
    h.runs(rows, ev.truncated, ev.full ? [...rows.values()] : ev.changed);
    h.connection(true);
  });
  es.addEventListener('sweeps', (e) => h.sweeps((JSON.parse((e as MessageEvent<string>).data) as { sweeps: SweepRow[] }).sweeps));
  es.addEventListener('open', () => h.connection(true));
  es.addEventListener('error', () => h.connection(false, es.readyState === EventSource.CLOSED ? 'the server refused the stream (too many open pages?)' : 'reconnecting'));
  return es;
}
