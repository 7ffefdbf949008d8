// PartBuilder: the part an encoder is filling — encoded records one after another in one growing
// buffer, reused for every part — cut at the buffer's part limits. A cut part leaves as a copy in an
// ArrayBuffer of its own (transferable: zlib's output may share a pool with other Buffers): a deflate
// segment (codec/gzip-segments.ts) compressed at once ('deflate', on `send`'s line workers), or the raw
// records for the caller to compress elsewhere ('raw', the daemon's inline encoder: the zlib thread pool).
//
// States: empty (bytes 0) → filling → cut (a segment appended to `parts`, empty again).
import { deflateSegment } from '../codec/gzip-segments.js';
import { packOne } from '../codec/msgpack.js';
import type { DeflatedInfo } from '../core/sink.js';

export interface BuiltPart {
  /** The segment is data[0, length). */
  data: ArrayBuffer;
  length: number;
  records: number;
  /** Set when data is a deflate segment ('deflate'); absent for raw records. */
  deflated?: DeflatedInfo;
}

export type PartCompression = 'deflate' | 'raw';

export class PartBuilder {
  buf: Uint8Array;
  /** Bytes of records in buf; a caller that writes at buf[bytes] directly sets it, then calls added(). */
  bytes = 0;
  count = 0;
  parts: BuiltPart[] = [];
  readonly #partBytes: number;
  readonly #partRecords: number;
  readonly #compression: PartCompression;

  constructor(partBytes: number, partRecords: number, compression: PartCompression) {
    this.#partBytes = partBytes;
    this.#partRecords = partRecords;
    this.#compression = compression;
    this.buf = new Uint8Array(partBytes + 64 * 1024);
  }

  /** Starts a job's parts (the memory is kept from job to job). */
  begin(): this {
    this.parts = [];
    this.bytes = 0;
    this.count = 0;
    return this;
  }

  /** Room for `n` more bytes at `bytes`. */
  reserve(n: number): void {
    if (this.bytes + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.bytes + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.bytes));
    this.buf = next;
  }

  add(record: unknown): void {
    const packed = packOne(record); // a view valid until the next pack: copied at once
    this.reserve(packed.length);
    this.buf.set(packed, this.bytes);
    this.bytes += packed.length;
    this.added();
  }

  /** A record was written at buf[.., bytes) directly. */
  added(): void {
    this.count++;
    if (this.bytes >= this.#partBytes || this.count >= this.#partRecords) this.cut();
  }

  cut(): void {
    if (this.count === 0) return;
    const records = this.buf.subarray(0, this.bytes);
    if (this.#compression === 'deflate') {
      const seg = deflateSegment(records);
      this.parts.push({ data: copyOf(seg.data), length: seg.data.length, records: this.count, deflated: seg.deflated });
    } else {
      this.parts.push({ data: copyOf(records), length: records.length, records: this.count });
    }
    this.bytes = 0;
    this.count = 0;
  }
}

function copyOf(bytes: Uint8Array): ArrayBuffer {
  const data = new Uint8Array(bytes.length);
  data.set(bytes);
  return data.buffer;
}
