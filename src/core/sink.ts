// What inputs see of the buffer: a function that durably commits events. Inputs never import the
// buffer; they are handed an EventSink by the daemon (or by `send`).
import type { LogEvent } from './record.js';

/** A source position committed with the records it produced (a tail offset). */
export interface PositionUpdate {
  source: string;
  inode: string | null;
  offset: number;
  /** The file's fingerprint: CRC-32 of its first `len` bytes (tail: len = min(offset, 1 KiB)). */
  head?: HeadPrint;
}

export interface HeadPrint {
  len: number;
  crc: number;
}

/** A deflate segment: raw deflate of `rawBytes` bytes of records (CRC-32 `crc`), sync-flushed, not final. */
export interface DeflatedInfo {
  rawBytes: number;
  crc: number;
}

/** Encoded records as the buffer stores them: the msgpack stream itself, or a deflate segment of it. */
export interface StoredPart {
  data: Buffer;
  /** Set when `data` is a deflate segment (see codec/gzip-segments.ts). */
  deflated?: DeflatedInfo;
}

/** Records already encoded (msgpack, one after another) for one tag: what the Encoder returns (core/encoder.ts). */
export interface EncodedPart extends StoredPart {
  tag: string;
  records: number;
}

export interface EventSink {
  /**
   * Commit events (and positions) in one transaction. Resolves once they are durable: only then may
   * the source be acknowledged. When the buffer is full and the overflow action is `block`, it waits
   * (backpressure) until there is room or `signal` aborts; with `throw_exception` it rejects with a
   * BufferFullError.
   */
  write(events: readonly LogEvent[], positions?: readonly PositionUpdate[], signal?: AbortSignal): Promise<void>;
  /** As `write`, for records already encoded by the Encoder (same transaction and durability contract). */
  writeParts(parts: readonly EncodedPart[], positions?: readonly PositionUpdate[], signal?: AbortSignal): Promise<void>;
}
