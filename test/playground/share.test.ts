// Share links in Node (the same CompressionStream the browser has): a spec round-trips, and
// every kind of bad link is refused with its reason, never thrown on, never over the cap.
import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { decodeShare, encodeShare, MAX_SHARED_BYTES } from '../../src/playground/share.js';

const b64u = (b: Buffer) => b.toString('base64url');

describe('share links', () => {
  it('round-trip a spec (unicode and markup included) and its settings', async () => {
    const spec = 'network n { # é ✓ <script>alert(1)</script>\n  input 8\n  dense 2 softmax\n}\n';
    const hash = await encodeShare({ spec, settings: { epochs: 3, seed: 7, backend: 'wasm' } });
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+$/);
    expect(await decodeShare(hash!)).toEqual({ ok: true, shared: { spec, settings: { epochs: 3, seed: 7, backend: 'wasm' } } });
  });

  it('no share in the hash is no share', async () => {
    expect(await decodeShare('')).toEqual({ ok: true, shared: null });
    expect(await decodeShare('#summary')).toEqual({ ok: true, shared: null });
  });

  it('refuses a spec over the cap when encoding', async () => {
    expect(await encodeShare({ spec: 'x'.repeat(MAX_SHARED_BYTES + 1), settings: {} })).toBeNull();
  });

  it('refuses a link that unpacks past the cap (a deflate bomb) without unpacking it all', async () => {
    const bomb = deflateRawSync(Buffer.from(JSON.stringify({ v: 1, spec: ' '.repeat(64 * 2 ** 20), settings: {} })));
    expect(bomb.length).toBeLessThan(200_000);
    const r = await decodeShare(`#s=${b64u(bomb)}`);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('more than 256 KiB') });
  });

  it('refuses an oversized link before decoding it', async () => {
    const r = await decodeShare(`#s=${'A'.repeat(600_000)}`);
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('600,000 characters') });
  });

  it('refuses malformed links with a reason', async () => {
    const bad = [
      ['#s=%3Cscript%3E', 'not base64url'],
      ['#s=AAAA', 'does not decompress'],
      [`#s=${b64u(deflateRawSync(Buffer.from('not json')))}`, 'not JSON'],
      [`#s=${b64u(deflateRawSync(Buffer.from(JSON.stringify({ v: 2, spec: 'x' }))))}`, 'version 1'],
      [`#s=${b64u(deflateRawSync(Buffer.from(JSON.stringify({ v: 1, spec: 42 }))))}`, 'version 1'],
      [`#s=${b64u(deflateRawSync(Buffer.from([0xff, 0xfe, 0x00])))}`, 'not JSON'],
    ] as const;
    for (const [hash, why] of bad) {
      const r = await decodeShare(hash);
      expect(r.ok, hash).toBe(false);
      expect((r as { reason: string }).reason, hash).toContain(why);
    }
  });

  it('keeps only settings of the right type and range', async () => {
    const hash = `#s=${b64u(deflateRawSync(Buffer.from(JSON.stringify({ v: 1, spec: 's', settings: { epochs: 1e9, seed: '1', backend: '<img onerror=x>', __proto__: { x: 1 } } }))))}`;
    expect(await decodeShare(hash)).toEqual({ ok: true, shared: { spec: 's', settings: {} } });
  });
});
