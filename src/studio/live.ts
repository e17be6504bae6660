// What keeps every open page current: one server-sent-event stream a page
// (GET /api/events), fed by watching the run and sweep directories. A change in a watched
// directory (an epoch appended to metrics.jsonl, a checkpoint renamed into place, the lock
// taken or let go, sweep.json rewritten) makes that row be read again within DEBOUNCE_MS;
// a rescan every RESCAN_MS (longer when the directories are slow to walk) finds new and
// removed runs, and catches whatever no watcher saw: watchers are bounded (MAX_WATCHERS,
// the runs training first, then the newest), as are the streams (MAX_CLIENTS). Only rows
// that changed are sent. Nothing runs while no page is open (the rows stay, for the next page
// to have at once). A directory removed while watched closes its watcher; the next rescan
// sends its removal.
import { watch, type FSWatcher } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { FoundDir, ScanResult } from './scan.js';
import { forgetRunsExcept, readRunRow, type RunRow } from './runs.js';
import { readSweepRow, type SweepRow } from './sweeps.js';

export const MAX_WATCHERS = 256;
export const MAX_CLIENTS = 16;
const DEBOUNCE_MS = 60;
const RESCAN_MS = 1000;
/** A comment line now and then: a stream whose page is gone errors out and is dropped. */
const KEEPALIVE_MS = 15_000;

export interface LiveOptions {
  /** A fresh scan of the directories. */
  scan: () => ScanResult;
  maxWatchers?: number;
  maxClients?: number;
  /** For tests: fs.watch, or a stand-in that fails. */
  watchFn?: typeof watch;
}

/** One event on the stream: every row (`full`), or the rows that changed and the ids removed. */
export interface RunsEvent {
  full: boolean;
  truncated: boolean;
  changed: RunRow[];
  removed: string[];
}

export class Live {
  private clients = new Set<ServerResponse>();
  private scanned: ScanResult = { runs: [], sweeps: [], truncated: false };
  private byId = new Map<string, FoundDir>();
  /** The last row sent of each run, as JSON (what the pages have). */
  private sent = new Map<string, string>();
  private rows = new Map<string, RunRow>();
  private sweepsSent = '';
  private sweeps: SweepRow[] = [];
  private watchers = new Map<string, FSWatcher>();
  private dirty = new Set<string>();
  private debounce: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private rescanEvery = RESCAN_MS;
  private readonly maxWatchers: number;
  private readonly maxClients: number;
  private readonly watchFn: typeof watch;

  constructor(private readonly o: LiveOptions) {
    this.maxWatchers = o.maxWatchers ?? MAX_WATCHERS;
    this.maxClients = o.maxClients ?? MAX_CLIENTS;
    this.watchFn = o.watchFn ?? watch;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Opens a stream on `res`, with every row first; false (and nothing written) when MAX_CLIENTS are open. */
  attach(res: ServerResponse, headers: Record<string, string>): boolean {
    if (this.clients.size >= this.maxClients) return false;
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.req.socket.setNoDelay(true);
    // a page that loses the stream reconnects after a second (EventSource's retry)
    res.write('retry: 1000\n\n');
    if (!this.clients.size) this.start();
    this.clients.add(res);
    const drop = () => {
      this.clients.delete(res);
      if (!this.clients.size) this.stop();
    };
    res.on('close', drop);
    res.on('error', drop);
    this.write(res, 'runs', { full: true, truncated: this.scanned.truncated, changed: [...this.rows.values()], removed: [] } satisfies RunsEvent);
    this.write(res, 'sweeps', { truncated: this.scanned.truncated, sweeps: this.sweeps });
    return true;
  }

  /** Reads every row once now (hwy studio does, when it starts), so that the first page to open has them at once. */
  prime(): void {
    if (!this.running) this.rescan();
  }

  /** Ends every stream and watcher (the server is closing). */
  close(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.stop();
  }

  private running = false;
  private warm = false;

  private start(): void {
    this.running = true;
    // the rows of the last page's time are sent at once and brought up to date right after;
    // only the first page waits for a walk
    if (this.rows.size || this.scanned.sweeps.length) this.rescanTimer = setTimeout(() => this.rescan(), 0).unref();
    else this.rescan();
    this.keepalive = setInterval(() => {
      for (const c of this.clients) c.write(': keepalive\n\n');
    }, KEEPALIVE_MS).unref();
  }

  private stop(): void {
    this.running = false;
    this.warm = false;
    clearTimeout(this.rescanTimer);
    clearTimeout(this.debounce);
    clearInterval(this.keepalive);
    this.rescanTimer = this.debounce = this.keepalive = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private write(res: ServerResponse, event: string, data: unknown): void {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private broadcast(event: string, data: unknown): void {
    for (const c of this.clients) this.write(c, event, data);
  }

  /** Walks the directories again, reads every row, sends what changed, and sets the watchers. */
  private rescan(): void {
    const t0 = Date.now();
    try {
      this.scanned = this.o.scan();
      this.byId = new Map(this.scanned.runs.map((r) => [r.id, r]));
      forgetRunsExcept([...this.scanned.runs, ...this.scanned.sweeps].map((r) => r.real));
      this.update([...this.byId.keys()], true);
      this.updateSweeps();
      this.setWatchers();
    } catch {
      // a walk that failed as a whole (the rows' own problems are their errors): the next one tries again
    } finally {
      // a slow walk (a large tree, a slow disk) is done less often: at most a fifth of the time
      // goes to it. The first, which parses every file, says nothing of the next ones.
      const took = Date.now() - t0;
      this.rescanEvery = this.warm ? Math.max(RESCAN_MS, 5 * took) : RESCAN_MS;
      this.warm = true;
      if (this.running) this.rescanTimer = setTimeout(() => this.rescan(), this.rescanEvery).unref();
    }
  }

  /** Reads the rows of `ids` again and sends those that changed (and, on a rescan, the removed ones). */
  private update(ids: string[], rescan = false): void {
    const changed: RunRow[] = [];
    const removed: string[] = [];
    for (const id of ids) {
      const found = this.byId.get(id);
      if (!found) continue;
      const row = readRunRow(found);
      const json = JSON.stringify(row);
      if (this.sent.get(id) !== json) {
        this.sent.set(id, json);
        this.rows.set(id, row);
        changed.push(row);
      }
    }
    if (rescan)
      for (const id of [...this.sent.keys()])
        if (!this.byId.has(id)) {
          this.sent.delete(id);
          this.rows.delete(id);
          removed.push(id);
        }
    if (changed.length || removed.length) this.broadcast('runs', { full: false, truncated: this.scanned.truncated, changed, removed } satisfies RunsEvent);
  }

  private updateSweeps(): void {
    this.sweeps = this.scanned.sweeps.map((w) => readSweepRow(w, this.scanned.runs));
    const json = JSON.stringify(this.sweeps);
    if (json !== this.sweepsSent) {
      this.sweepsSent = json;
      this.broadcast('sweeps', { truncated: this.scanned.truncated, sweeps: this.sweeps });
    }
  }

  /** Watches the sweeps and the runs most likely to change (training, then newest), MAX_WATCHERS in all. */
  private setWatchers(): void {
    const rank = (r: RunRow) => (r.status === 'training' ? 2 : r.status === 'new' ? 1 : 0);
    const runs = [...this.rows.values()].sort((a, b) => rank(b) - rank(a) || String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')));
    const want = new Map<string, string>();
    for (const s of this.scanned.sweeps) if (want.size < this.maxWatchers) want.set(`s:${s.id}`, s.real);
    for (const r of runs) {
      if (want.size >= this.maxWatchers) break;
      const found = this.byId.get(r.id);
      if (found) want.set(`r:${r.id}`, found.real);
    }
    for (const [key, w] of this.watchers)
      if (!want.has(key)) {
        w.close();
        this.watchers.delete(key);
      }
    for (const [key, dir] of want) {
      if (this.watchers.has(key)) continue;
      try {
        const w = this.watchFn(dir, { persistent: false }, () => this.changed(key));
        // the directory removed, or the system's watch limit reached: the rescan covers it
        w.on('error', () => {
          w.close();
          if (this.watchers.get(key) === w) this.watchers.delete(key);
        });
        this.watchers.set(key, w);
      } catch {
        // no watcher for it (ENOSPC: the system's inotify limit): the rescan covers it
      }
    }
  }

  private changed(key: string): void {
    this.dirty.add(key);
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      const keys = [...this.dirty];
      this.dirty.clear();
      try {
        this.update(keys.filter((k) => k.startsWith('r:')).map((k) => k.slice(2)));
        if (keys.some((k) => k.startsWith('s:'))) this.updateSweeps();
      } catch {
        // a row's own problems are its error; anything else waits for the rescan
      }
    }, DEBOUNCE_MS).unref();
  }
}
