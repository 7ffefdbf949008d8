// Reads a request body into memory with a hard size limit, counted as the bytes arrive: a client
// cannot make the input buffer more than max_body_size, whatever Content-Length says (or omits).
// gzip / deflate bodies (Content-Encoding) are inflated under the same limit.
import type { IncomingMessage } from 'node:http';
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`the body is larger than max_body_size (${limit} bytes)`);
    this.name = 'BodyTooLargeError';
  }
}

export class UnsupportedEncodingError extends Error {
  constructor(encoding: string) {
    super(`Content-Encoding "${encoding}" is not supported; send the body as is, gzip or deflate`);
    this.name = 'UnsupportedEncodingError';
  }
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (!['identity', '', 'gzip', 'x-gzip', 'deflate'].includes(encoding)) {
    req.resume();
    throw new UnsupportedEncodingError(encoding);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    throw new BodyTooLargeError(limit);
  }
  const raw = await collect(req, limit);
  if (encoding === 'identity' || encoding === '') return raw;
  try {
    return encoding === 'deflate' ? await inflateAsync(raw, { maxOutputLength: limit }) : await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError(limit);
    throw new UnsupportedEncodingError(`${encoding} (the body does not decompress)`);
  }
}

function collect(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (piece: Buffer) => {
      total += piece.length;
      if (total > limit) {
        cleanup();
        req.pause(); // stop reading: the rest of the body is never buffered
        reject(new BodyTooLargeError(limit));
        return;
      }
      pieces.push(piece);
    };
    const onEnd = () => {
      cleanup();
      resolve(pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces, total));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onAborted = () => onError(new Error('the client aborted the request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
