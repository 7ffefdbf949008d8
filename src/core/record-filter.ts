// The hook where the record filters (src/filters/) run on the encoder's fast path: a block of
// encoded records, rewritten before it is compressed. The encoder (ingest/encoder.ts) calls it on
// every part it builds, whichever input the records came from.

export interface BlockFilter {
  /** False when no filter matches any tag: the encoder skips the call. */
  readonly active: boolean;
  /**
   * `entries` holds `records` msgpack maps one after another (each with an integer `time`, as the
   * buffer stores them: not `[time, record]` arrays); returns the records to keep, in the same form
   * (none: `records` 0). Called synchronously, before compression; `entries` is the filter's own (a
   * copy), so the result may be a view of it. A rewritten block is copied out through `copy` when
   * given (the encoder's reused part slabs), else into a new Buffer.
   */
  applyBlock(tag: string, entries: Buffer, records: number, copy?: (bytes: Uint8Array) => Buffer): { entries: Buffer; records: number };
}
