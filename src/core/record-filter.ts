// The hook an encoder calls between msgpack and deflate: a per-block record filter (the filters
// between inputs and the buffer, src/filters/). Declared in core so the encoders (ingest) and the
// inputs see only this interface, never the filters' code.

export interface BlockFilter {
  /** false when no filter is configured: the encoder skips the call. */
  readonly active: boolean;
  /**
   * The records of one tag (msgpack maps with an integer `time`, one after another, as the buffer
   * stores them) after the filters: changed, fewer, or the same buffer when nothing changed. The
   * returned buffer is the caller's (never reused by the filter).
   */
  applyBlock(tag: string, entries: Buffer, records: number): { entries: Buffer; records: number };
}
