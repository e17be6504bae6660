// hwy studio's HTTP server: a JSON API over the runs and sweeps under the given
// directories, and the app's static files. It is a local, read-only server, and
// guards itself as one:
//  - only GET and HEAD (405 otherwise): nothing it serves changes anything;
//  - the Host header must name the loopback address it listens on (DNS rebinding: a page
//    of another site whose name was made to resolve to 127.0.0.1 sends its own name), unless
//    the user chose to listen elsewhere with --host;
//  - a request another site's page makes (an Origin that is not this server, or
//    Sec-Fetch-Site: cross-site) is refused, and no CORS header is ever sent;
//  - paths are never mapped onto the file system: the static files are known names (the
//    app's four, and the playground's under /editor/),
//    and a run is named by its id in the last scan, whose directories were checked to lie
//    inside the given ones (./scan.ts); a run's own files are read without following links;
//  - a damaged run is an error row; an exception while answering is a 500 for that request;
//    malformed HTTP gets a 400 from the socket's error handler. The server goes on;
//  - pages stay current through one event stream each (GET /api/events, ./live.ts), at most
//    MAX_CLIENTS of them: one more is a 503, not another watcher set.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scan, type FoundDir, type Root, type ScanResult } from './scan.js';
import { readRunMetrics, readRunRow } from './runs.js';
import { readSweepDetail, readSweepRow } from './sweeps.js';
import { readRunDetail } from './run-detail.js';
import { Live, MAX_CLIENTS } from './live.js';

export interface StudioOptions {
  roots: Root[];
  /** dist/studio: index.html, app.js, vega.js, style.css. */
  appDir: string;
  /** dist/site, the playground (npm run build:site), served at /editor/; absent or unbuilt: /editor/ says how to build it. */
  siteDir?: string;
  /** Set when it listens on an address other than loopback (--host): the Host header is then not checked against loopback names. */
  exposed: boolean;
  /** How long a scan of the directories is reused (ms): requests close together share one. */
  scanTtlMs?: number;
  /** Bounds of the event streams (./live.ts); the defaults there. */
  maxClients?: number;
  maxWatchers?: number;
}

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/static/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/static/vega.js': { file: 'vega.js', type: 'text/javascript; charset=utf-8' },
  '/static/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The playground's files (scripts/build-site.mjs writes them): a fixed list, as the app's. */
const SITE: Record<string, { file: string; type: string }> = {
  '/editor/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/editor/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/editor/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/editor/worker.js': { file: 'worker.js', type: 'text/javascript; charset=utf-8' },
  '/editor/trainer.js': { file: 'trainer.js', type: 'text/javascript; charset=utf-8' },
  '/editor/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // the trainer's wasm backend (application/wasm: the browser compiles it as it arrives)
  '/editor/tfjs-backend-wasm.wasm': { file: 'tfjs-backend-wasm.wasm', type: 'application/wasm' },
  '/editor/tfjs-backend-wasm-simd.wasm': { file: 'tfjs-backend-wasm-simd.wasm', type: 'application/wasm' },
  '/editor/data/mnist-10k-images-idx3-ubyte.gz': { file: 'data/mnist-10k-images-idx3-ubyte.gz', type: 'application/gzip' },
  '/editor/data/mnist-10k-labels-idx1-ubyte.gz': { file: 'data/mnist-10k-labels-idx1-ubyte.gz', type: 'application/gzip' },
};
/** The playground's own policy (its index.html carries the same): its worker, WebAssembly for the trainer, CodeMirror's inline styles, the diagram as a blob: image. */
const SITE_CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  // the page loads only its own script and style and talks only to this server
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

export function createStudioServer(o: StudioOptions): Server & { live: Live } {
  const ttl = o.scanTtlMs ?? 500;
  let last: { at: number; result: ScanResult; byId: Map<string, FoundDir> } | undefined;
  const current = () => {
    if (!last || Date.now() - last.at > ttl) {
      const result = scan(o.roots);
      last = { at: Date.now(), result, byId: new Map(result.runs.map((r) => [r.id, r])) };
    }
    return last;
  };

  const live = new Live({
    scan: () => {
      last = undefined;
      return current().result;
    },
    maxClients: o.maxClients,
    maxWatchers: o.maxWatchers,
  });

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, { error: `internal error: ${(e as Error)?.message ?? String(e)}` });
      else res.destroy();
    }
  });

  function hostAllowed(host: string | undefined): boolean {
    if (o.exposed) return true;
    const addr = server.address();
    const port = addr && typeof addr === 'object' ? addr.port : undefined;
    return !!host && LOOPBACK_NAMES.some((n) => host.toLowerCase() === `${n}:${port}`);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, { error: `${req.method} is not allowed: hwy studio is read-only` });
    }
    const host = req.headers.host;
    if (!hostAllowed(host)) return send(res, 403, { error: `Host '${host ?? ''}' is not this server's address: open it as http://127.0.0.1:PORT` });
    const origin = req.headers.origin;
    if ((origin !== undefined && origin !== `http://${host}`) || req.headers['sec-fetch-site'] === 'cross-site') return send(res, 403, { error: 'cross-site requests are refused' });
    const raw = req.url ?? '';
    if (!raw.startsWith('/')) return send(res, 400, { error: 'bad request target' });
    const path = raw.split('?')[0];

    if (path === '/editor') {
      res.writeHead(301, { ...SECURITY_HEADERS, location: '/editor/', 'content-length': 0 });
      res.end();
      return;
    }
    const site = SITE[path];
    if (site) {
      let body: Buffer;
      try {
        if (!o.siteDir) throw new Error('no site');
        body = readFileSync(join(o.siteDir, site.file));
      } catch {
        return send(res, 404, { error: `the playground is not built${o.siteDir && existsSync(join(o.siteDir, 'index.html')) ? ` completely (${site.file} is missing)` : ''}: run npm run build:site` });
      }
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-security-policy': SITE_CSP, 'content-type': site.type, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const file = STATIC[path];
    if (file) {
      const body = readFileSync(join(o.appDir, file.file));
      return sendBody(res, 200, file.type, body);
    }
    if (path === '/api/runs') {
      const s = current().result;
      return send(res, 200, { truncated: s.truncated, runs: s.runs.map(readRunRow) });
    }
    if (path === '/api/sweeps') {
      const s = current().result;
      return send(res, 200, { truncated: s.truncated, sweeps: s.sweeps.map((w) => readSweepRow(w, s.runs)) });
    }
    if (path === '/api/events') {
      if (req.method === 'HEAD') return sendBody(res, 200, 'text/event-stream; charset=utf-8', '');
      if (!live.attach(res, SECURITY_HEADERS)) send(res, 503, { error: `too many open pages (at most ${o.maxClients ?? MAX_CLIENTS}): close one, or reload later` });
      return;
    }
    const sw = /^\/api\/sweeps\/([^/]+)$/.exec(path);
    if (sw) {
      const id = decodeId(sw[1]);
      if (id === undefined) return send(res, 400, { error: 'bad sweep id' });
      const s = current().result;
      const found = s.sweeps.find((w) => w.id === id);
      if (!found) return send(res, 404, { error: `no sweep '${id}'` });
      return send(res, 200, readSweepDetail(found, s.runs));
    }
    const m = /^\/api\/runs\/([^/]+)\/(metrics|detail)$/.exec(path);
    if (m) {
      const id = decodeId(m[1]);
      if (id === undefined) return send(res, 400, { error: 'bad run id' });
      const found = current().byId.get(id);
      if (!found) return send(res, 404, { error: `no run '${id}'` });
      if (m[2] === 'detail') {
        // each part of the page is its own section, its own error: this answers 200 whatever the run holds
        readRunDetail(found).then(
          (d) => send(res, 200, d),
          (e) => send(res, 500, { error: `internal error: ${(e as Error)?.message ?? String(e)}` }),
        );
        return;
      }
      try {
        return send(res, 200, readRunMetrics(found));
      } catch (e) {
        return send(res, 200, { id, error: (e as Error).message, total: 0, downsampled: false, stride: 1, lines: [] });
      }
    }
    return send(res, 404, { error: 'not found' });
  }

  server.on('close', () => live.close());
  // A malformed request never reaches the handler: answer it 400 and close that socket only.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return Object.assign(server, { live });
}

function decodeId(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function sendBody(res: ServerResponse, status: number, type: string, body: Buffer | string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function send(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
