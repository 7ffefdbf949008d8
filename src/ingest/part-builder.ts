// PartBuilder: the part an encoder is filling — encoded records one after another in one growing
// buffer, reused for every part — cut at the buffer's part limits. A cut part leaves as a copy of its
// records (in a reused slab, part-slabs.ts), for the caller to filter and compress (the encoder: on the
// zlib thread pool), which then gives the slab back.
//
// States: empty (bytes 0) → filling → cut (a part appended to `parts`, empty again).
import { packOne } from '../codec/msgpack.js';
import type { PartSlabs } from './part-slabs.js';

export interface BuiltPart {
  /** The part's records, one msgpack map after another. */
  data: Buffer;
  records: number;
}

export class PartBuilder {
  buf: Uint8Array;
  /** Bytes of records in buf; a caller that writes at buf[bytes] directly sets it, then calls added(). */
  bytes = 0;
  count = 0;
  parts: BuiltPart[] = [];
  readonly #partBytes: number;
  readonly #partRecords: number;
  readonly #slabs: PartSlabs | undefined;

  constructor(partBytes: number, partRecords: number, slabs?: PartSlabs) {
    this.#partBytes = partBytes;
    this.#partRecords = partRecords;
    this.#slabs = slabs;
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
    this.parts.push({ data: this.#slabs ? this.#slabs.copy(records) : Buffer.from(records), records: this.count });
    this.bytes = 0;
    this.count = 0;
  }
}
