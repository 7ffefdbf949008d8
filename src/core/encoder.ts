// What an input hands off: lines, or forward entries, to turn into records in compressed parts. Every
// input that reads lines or forward entries (tail, stdin, `send`, forward) is given one Encoder by the
// daemon (or by `send`); the implementation is ingest/encoder.ts. Inputs never compress, filter or
// import the buffer: they commit the parts they get back through their EventSink.
//
// The job's bytes are read while the call runs (parsing, packing and any BlockFilter happen before it
// returns): the caller may reuse the block's memory as soon as the call returns. The promise waits
// only for compression; jobs are answered in the order they were given.
import type { EncodedPart } from './sink.js';

export interface LinesJob {
  tag: string;
  /** A parser name as in the config (`none`, `json`, `ltsv`, `regexp:…`). */
  format: string;
  timeKey?: string | undefined;
  /** The lines are joined multi-line events (tail's multiline_start): `regexp:` patterns match across "\n". */
  multiline?: boolean;
  /** Longer lines of the block are cut (on a UTF-8 boundary) and counted in truncatedLines. */
  maxLineBytes: number;
  /**
   * Lines already cut and decoded, encoded before the block: a line that began in an earlier read, a
   * file's last line without its "\n", multi-line events.
   */
  texts?: readonly string[];
  /** Complete lines, each ending with "\n" (a rest without one is a line anyway). */
  block?: Buffer;
  /** Event time of records whose line carries none. */
  nowSec: number;
}

export interface LinesResult {
  /** In line order, each within the part limits of the buffer (deflate segments, see gzip-segments.ts). */
  parts: EncodedPart[];
  /** Records encoded, before any filter (blank lines carry nothing and are not counted). */
  lines: number;
  parseErrors: number;
  truncatedLines: number;
}

/** A forward frame's entries: concatenated msgpack `[time, record]` arrays, decompressed. */
export interface EntriesJob {
  tag: string;
  entries: Buffer;
  /** Event time of entries whose time is nil or 0. */
  nowSec: number;
}

export interface EntriesResult {
  /** Records (maps with an integer `time`) in entry order, each part within the buffer's part limits. */
  parts: EncodedPart[];
  /** Records encoded, before any filter. */
  records: number;
  /** Entries whose record was nil: skipped, as fluentd does. */
  skipped: number;
}

export interface Encoder {
  /** Parses and encodes the lines (a line that does not parse is kept as `{message, _parse_error}`). */
  encodeLines(job: LinesJob): Promise<LinesResult>;
  /** Malformed entries reject the job (the forward input then acks nothing of that frame). */
  encodeEntries(job: EntriesJob): Promise<EntriesResult>;
}
