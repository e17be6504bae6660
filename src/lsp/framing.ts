import { Transform, type TransformCallback } from 'node:stream';

/** Past any message an editor sends hwy: the largest, didOpen, carries one spec (at most 8 MiB) as JSON. */
export const MAX_MESSAGE_BYTES = 64 * 2 ** 20;
/** Real headers are a Content-Length and perhaps a Content-Type: well under 1 KB. */
const MAX_HEADER_BYTES = 8 * 1024;

export class FramingError extends Error {}

/**
 * Checks the LSP base-protocol framing (`Content-Length: N\r\n\r\n` then N bytes) before
 * vscode-jsonrpc sees the bytes, and passes them on unchanged. vscode-jsonrpc reports a
 * missing or non-numeric Content-Length but then reads on from the wrong place; it takes
 * `12abc` as 12, a negative length as a slice from the end, and any length as a promise to
 * buffer that much. Here each of those is a FramingError, which the server turns into a
 * message and an exit (the editor restarts it) rather than a wedged stream.
 */
export class FrameGuard extends Transform {
  private header = Buffer.alloc(0);
  /** Bytes of the current body still to pass; -1 while reading a header. */
  private bodyLeft = -1;
  private messages = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.bodyLeft > 0) {
          const n = Math.min(this.bodyLeft, chunk.length - at);
          this.push(chunk.subarray(at, at + n));
          this.bodyLeft -= n;
          at += n;
          if (this.bodyLeft === 0) this.bodyLeft = -1;
          continue;
        }
        // header bytes, up to and including the blank line
        const rest = chunk.subarray(at);
        const seen = this.header.length;
        this.header = Buffer.concat([this.header, rest]);
        const end = this.header.indexOf('\r\n\r\n', Math.max(0, seen - 3));
        if (end < 0) {
          if (this.header.length > MAX_HEADER_BYTES) throw new FramingError(`a message header longer than ${MAX_HEADER_BYTES} bytes without its blank line`);
          return done();
        }
        const headerEnd = end + 4;
        let length: number;
        try {
          length = contentLength(this.header.subarray(0, end).toString('ascii'));
        } catch (e) {
          // after a message whose Content-Length fell short, its rest reads as a header
          if (this.messages > 0 && !/Content-Length \S+ is/.test((e as Error).message)) throw new FramingError(`${(e as Error).message} (or the message before it was longer than its Content-Length)`);
          throw e;
        }
        this.messages++;
        this.push(this.header.subarray(0, headerEnd));
        at += headerEnd - seen;
        this.header = Buffer.alloc(0);
        this.bodyLeft = length === 0 ? -1 : length;
      }
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (this.bodyLeft > 0) return done(new FramingError(`the input ended ${this.bodyLeft} bytes short of the message its Content-Length announced`));
    done();
  }
}

function contentLength(header: string): number {
  let value: string | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) throw new FramingError(`a message header line without ':' (${JSON.stringify(line.slice(0, 60))})`);
    if (line.slice(0, colon).trim().toLowerCase() === 'content-length') value = line.slice(colon + 1).trim();
  }
  if (value === undefined) throw new FramingError('a message without a Content-Length header');
  if (!/^\d+$/.test(value)) throw new FramingError(`Content-Length ${JSON.stringify(value.slice(0, 40))} is not a byte count`);
  const n = Number(value);
  if (n > MAX_MESSAGE_BYTES) throw new FramingError(`Content-Length ${value} is more than the ${MAX_MESSAGE_BYTES / 2 ** 20} MiB hwy accepts in one message`);
  return n;
}
