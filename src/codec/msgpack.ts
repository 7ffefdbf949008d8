// Records on the wire and in the buffer: concatenated msgpack maps (no msgpackr record extension, so
// any msgpack decoder reads them), and a sealed payload is the gzip of that stream.
import { Packr, Unpackr } from 'msgpackr';
import { gunzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { GZIP_LEVEL } from './gzip-segments.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

export { GZIP_LEVEL };

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export function packOne(value: unknown): Buffer {
  return packr.pack(value);
}

/**
 * Accumulates encoded records into one contiguous buffer: one part of a chunk. Reuses its memory
 * between batches; `take()` returns a copy the caller owns.
 */
export class RecordBatch {
  #buf: Buffer;
  #len = 0;
  #count = 0;

  constructor(initialBytes = 1 << 20) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  add(record: unknown): number {
    const bytes = packr.pack(record);
    if (this.#len + bytes.length > this.#buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + bytes.length));
      this.#buf.copy(next, 0, 0, this.#len);
      this.#buf = next;
    }
    bytes.copy(this.#buf, this.#len);
    this.#len += bytes.length;
    this.#count++;
    return bytes.length;
  }

  get bytes(): number {
    return this.#len;
  }

  get count(): number {
    return this.#count;
  }

  take(): Buffer {
    const out = Buffer.from(this.#buf.subarray(0, this.#len));
    this.#len = 0;
    this.#count = 0;
    return out;
  }
}

export function encodeRecords(records: readonly unknown[]): Buffer {
  const b = new RecordBatch(64 * 1024);
  for (const r of records) b.add(r);
  return b.take();
}

export function decodeRecords(raw: Buffer): unknown[] {
  if (raw.length === 0) return [];
  return unpackr.unpackMultiple(raw) as unknown[];
}

export function decodeOne(raw: Buffer): unknown {
  return unpackr.unpack(raw);
}

export function gzipPayload(raw: Buffer, level: number = GZIP_LEVEL): Promise<Buffer> {
  return gzipAsync(raw, { level });
}

export function gunzipPayload(payload: Buffer, maxOutputLength?: number): Promise<Buffer> {
  return gunzipAsync(payload, maxOutputLength ? { maxOutputLength } : {});
}
