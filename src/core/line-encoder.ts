// What an input may hand off: turning a block of complete lines into encoded, compressed parts.
// Inputs get a LineEncoder through their context (the daemon owns the one encoder, see
// ingest/inline-encoder.ts); they never compress or import the buffer.
import type { EncodedPart } from './sink.js';

export interface EncodeJob {
  tag: string;
  /** A parser name as in the config (`none`, `json`, `ltsv`, `regexp:…`). */
  format: string;
  timeKey?: string;
  /** Longer lines are cut (on a UTF-8 boundary) and counted in truncatedLines. */
  maxLineBytes: number;
  /** A line the caller already split off (it began in an earlier read); encoded before the block. */
  lead?: string;
  /** Complete lines only: it ends with "\n" (or is empty). Its memory is handed over: do not reuse it. */
  block: Buffer;
  /** Event time of records whose line carries none. */
  nowSec: number;
}

export interface EncodeResult {
  /** In line order, each within the part limits of the buffer (deflate segments, see gzip-segments.ts). */
  parts: EncodedPart[];
  /** Records encoded (blank lines carry nothing and are not counted). */
  lines: number;
  parseErrors: number;
  truncatedLines: number;
  /**
   * The memory of the job's block, handed back once encoded (the whole buffer the block was a view
   * of), so the caller can read into it again instead of allocating; absent when it was copied.
   */
  spare?: Buffer;
}

export interface LineEncoder {
  /**
   * Parses and encodes the lines; jobs are answered in the order they were given. Bounded: a caller
   * that gives jobs faster than they are encoded waits on the promises.
   */
  encodeLines(job: EncodeJob): Promise<EncodeResult>;
}

/** A forward input's PackedForward entries to decode and encode (the other job kind of the encoder). */
export interface EntriesJob {
  tag: string;
  /**
   * The concatenated msgpack `[time, record]` entries, already decompressed. Its memory is handed
   * over: do not reuse it (copy a view of a larger buffer that is still in use).
   */
  entries: Buffer;
  /** Event time of entries whose time is nil or 0. */
  nowSec: number;
}

export interface EntriesResult {
  /** Records (maps with an integer `time`) in entry order, each part within the buffer's part limits. */
  parts: EncodedPart[];
  /** Records encoded. */
  records: number;
  /** Entries whose record was nil: skipped, as fluentd does. */
  skipped: number;
}

/**
 * The forward input's view of the encoder: PackedForward entries into records in compressed parts.
 * Malformed entries reject the job (the frame is not acked).
 */
export interface EntriesEncoder {
  /** Jobs of both kinds are answered in the order they were given; bounded as encodeLines. */
  encodeEntries(job: EntriesJob): Promise<EntriesResult>;
}
