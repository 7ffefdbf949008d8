// PartBuilder: the part an encoder thread is filling — encoded records one after another in one
// growing buffer, reused for every part — cut at the buffer's part limits into deflate segments
// (codec/gzip-segments.ts). Only the compressed copy leaves the thread, in an ArrayBuffer of its own
// (transferable: zlib's output may share a pool with other Buffers).
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
  deflated: DeflatedInfo;
}

export class PartBuilder {
  buf: Uint8Array;
  /** Bytes of records in buf; a caller that writes at buf[bytes] directly sets it, then calls added(). */
  bytes = 0;
  count = 0;
  parts: BuiltPart[] = [];
  readonly #partBytes: number;
  readonly #partRecords: number;

  constructor(partBytes: number, partRecords: number) {
    this.#partBytes = partBytes;
    this.#partRecords = partRecords;
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
    const seg = deflateSegment(this.buf.subarray(0, this.bytes));
    const data = new Uint8Array(seg.data.length);
    data.set(seg.data);
    this.parts.push({ data: data.buffer, length: data.length, records: this.count, deflated: seg.deflated });
    this.bytes = 0;
    this.count = 0;
  }
}
