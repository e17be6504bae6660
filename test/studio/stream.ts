// An event stream of hwy studio (GET /api/events) read as a page reads it, for the tests.
import { request, type IncomingMessage } from 'node:http';

export interface Event {
  event: string;
  data: { full?: boolean; changed?: { id: string; epochs?: number; status?: string; lastValAccuracy?: number }[]; removed?: string[]; sweeps?: { id: string; runs: string[]; finished?: number; version: string }[] };
  at: number;
}

/** An open event stream: the events so far, and a wait for one that matches. */
export interface Stream {
  status: number;
  events: Event[];
  next: (match: (e: Event) => boolean, timeoutMs?: number) => Promise<Event>;
  close: () => void;
}

export function openStream(port: number): Promise<Stream> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events' }, (res: IncomingMessage) => {
      const events: Event[] = [];
      const waiters: { match: (e: Event) => boolean; ok: (e: Event) => void }[] = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!event || !data) continue;
          const e = { event, data: JSON.parse(data), at: Date.now() };
          events.push(e);
          for (const w of [...waiters]) if (w.match(e)) waiters.splice(waiters.indexOf(w), 1), w.ok(e);
        }
      });
      res.on('error', () => {});
      ok({
        status: res.statusCode ?? 0,
        events,
        next: (match, timeoutMs = 5000) =>
          new Promise((got, miss) => {
            const seen = events.find(match);
            if (seen) return got(seen);
            const t = setTimeout(() => miss(new Error(`no matching event in ${timeoutMs} ms; got ${events.map((e) => `${e.event}:${JSON.stringify(e.data).slice(0, 200)}`).join(' | ')}`)), timeoutMs);
            waiters.push({ match, ok: (e) => (clearTimeout(t), got(e)) });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', fail);
    req.end();
  });
}

