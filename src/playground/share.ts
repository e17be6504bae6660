// Share links: the spec and the page's settings, deflated and base64url-encoded, in the
// URL's hash (`#s=…`), so that a link reopens the same network and nothing of it is sent to
// a server. Decoding treats the link as hostile: its length is capped before anything is
// decoded, decompression stops at MAX_SHARED_BYTES, and the result is checked field by field.
// The spec it yields is only ever put into the editor as text.

/** The most spec + settings a link may carry once decompressed. */
export const MAX_SHARED_BYTES = 256 * 1024;
/** Past this many characters a hash is refused before it is decoded (deflate shrinks a spec about 4x; base64 grows it 4/3). */
export const MAX_HASH_CHARS = 512 * 1024;

export interface Shared {
  spec: string;
  /** the training panel's settings */
  settings: { epochs?: number; seed?: number; backend?: 'auto' | 'webgpu' | 'webgl' | 'wasm' };
}

export type Decoded = { ok: true; shared: Shared } | { ok: false; reason: string } | { ok: true; shared: null };

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

async function pump(input: Uint8Array, stream: CompressionStream | DecompressionStream, cap: number): Promise<Uint8Array | null> {
  const writer = stream.writable.getWriter();
  // the write's own promise rejects with a malformed input too; the reader reports it
  writer.write(input as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The hash (with its `#`) that carries `shared`; refused (null) when the spec is over MAX_SHARED_BYTES. */
export async function encodeShare(shared: Shared): Promise<string | null> {
  const json = new TextEncoder().encode(JSON.stringify({ v: 1, spec: shared.spec, settings: shared.settings }));
  if (json.length > MAX_SHARED_BYTES) return null;
  const packed = await pump(json, new CompressionStream('deflate-raw'), Infinity);
  return `#s=${toBase64Url(packed!)}`;
}

const BACKENDS = ['auto', 'webgpu', 'webgl', 'wasm'] as const;
const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** What a location hash carries: nothing (`shared: null`), a share, or why it cannot be read. */
export async function decodeShare(hash: string): Promise<Decoded> {
  const body = hash.replace(/^#/, '');
  if (!body.startsWith('s=')) return { ok: true, shared: null };
  const data = body.slice(2);
  if (data.length > MAX_HASH_CHARS) return { ok: false, reason: `the link is ${data.length.toLocaleString('en-US')} characters long; a share link holds at most ${MAX_SHARED_BYTES / 1024} KiB of spec` };
  const bytes = fromBase64Url(data);
  if (!bytes) return { ok: false, reason: 'the link is damaged: its data is not base64url' };
  let json: Uint8Array | null;
  try {
    json = await pump(bytes, new DecompressionStream('deflate-raw'), MAX_SHARED_BYTES);
  } catch {
    return { ok: false, reason: 'the link is damaged: its data does not decompress' };
  }
  if (!json) return { ok: false, reason: `the link unpacks to more than ${MAX_SHARED_BYTES / 1024} KiB, more than a share link may carry` };
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return { ok: false, reason: 'the link is damaged: its data is not JSON text' };
  }
  const o = v as { v?: unknown; spec?: unknown; settings?: unknown };
  if (!o || typeof o !== 'object' || o.v !== 1 || typeof o.spec !== 'string') return { ok: false, reason: 'the link is not a playground share link (version 1)' };
  const s = (o.settings && typeof o.settings === 'object' ? o.settings : {}) as Record<string, unknown>;
  const settings: Shared['settings'] = {};
  // each setting is taken only when it is what it should be; anything else is dropped
  if (isInt(s.epochs, 1, 1000)) settings.epochs = s.epochs;
  if (isInt(s.seed, 0, 2 ** 31 - 1)) settings.seed = s.seed;
  if ((BACKENDS as readonly unknown[]).includes(s.backend)) settings.backend = s.backend as Shared['settings']['backend'];
  return { ok: true, shared: { spec: o.spec, settings } };
}
