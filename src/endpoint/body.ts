// Reading a request body with a bound: the compressed body is collected up to maxBodyBytes (413
// past it, checked on Content-Length first and again while streaming), then gunzipped with a bound
// on the raw size. Memory per request is at most maxBodyBytes + maxRawBytes.
import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true } | { ok: false; tooLarge: false; aborted: true };

export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let len = 0;
    let done = false;
    const finish = (r: BodyResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      len += chunk.length;
      if (len > maxBytes) {
        parts.length = 0;
        finish({ ok: false, tooLarge: true });
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, body: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, len) }));
    req.once('error', () => finish({ ok: false, tooLarge: false, aborted: true }));
    req.once('close', () => finish({ ok: false, tooLarge: false, aborted: true }));
  });
}

/**
 * After an early answer (413, a fault) the rest of the body is read and thrown away so the client
 * sees the answer instead of a reset; past `capBytes` more the socket is destroyed.
 */
export function discardBody(req: IncomingMessage, capBytes: number): void {
  if (req.complete) return;
  let extra = 0;
  req.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > capBytes) req.socket.destroy();
  });
  req.resume();
}

export type GunzipResult = { ok: true; raw: Buffer } | { ok: false; tooLarge: boolean; message: string };

export function gunzipBounded(body: Buffer, maxRawBytes: number): Promise<GunzipResult> {
  return new Promise((resolve) => {
    gunzip(body, { maxOutputLength: maxRawBytes }, (err, raw) => {
      if (!err) return resolve({ ok: true, raw });
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      resolve({ ok: false, tooLarge, message: tooLarge ? `the decompressed body is larger than ${maxRawBytes} bytes` : `the body is not valid gzip (${err.message})` });
    });
  });
}
