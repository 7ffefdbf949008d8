// One complete forward-protocol frame → its entries for the encoder, or → a PING. Pure functions over bytes.
//
//   Message                  [tag, time, record, option?]
//   Forward                  [tag, [[time, record], ...], option?]
//   PackedForward            [tag, bin|str of concatenated [time, record] entries, option?]
//   CompressedPackedForward  the same with option.compressed = "gzip" (one or more gzip members)
//
// Every record leaves the encoder with an integer `time` (unix seconds) set from its event time; its
// own `time`, if any, is kept as `_time` (eventRecord, and codec/forward-entry-copy.ts on the fast path).
import { gunzipSync } from 'node:zlib';
import { decodeOne } from './msgpack.js';
import type { LogRecord } from '../core/record.js';
import { Cursor, MalformedFrameError } from './forward-scan.js';

/** Largest frame accepted from a peer, and largest decompressed PackedForward payload. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export interface PingFrame {
  hostname: Buffer;
  salt: Buffer;
  digest: string;
}

interface FrameOptions {
  chunk: string | Buffer | undefined;
  compressed: boolean;
}

/**
 * An event frame of any mode as the encoder takes it: its tag, its entries as concatenated msgpack
 * `[time, record]` arrays, and its `chunk` option. The entries are a view into `frame` (Forward,
 * PackedForward), decompressed (CompressedPackedForward), or one entry built from the frame (Message).
 * Throws MalformedFrameError for a frame that is not an event frame; the entries themselves are
 * checked by the encoder.
 */
export interface EntriesFrame {
  tag: string;
  entries: Buffer;
  /** The `chunk` option, echoed back as `{ack: chunk}` once the entries are committed. */
  chunk: string | Buffer | undefined;
}

/** An entry's array header: `[time, record]`. */
const ENTRY_HEADER = Buffer.from([0x92]);

export function readEntriesFrame(frame: Buffer): EntriesFrame {
  const c = new Cursor(frame, 0, frame.length);
  const n = c.arrayHeader();
  if (n === null || n < 2 || n > 4) throw new MalformedFrameError('a forward frame must be an array [tag, ...] of 2 to 4 elements');
  const tagBytes = c.bytes();
  if (!tagBytes || tagBytes.length === 0) throw new MalformedFrameError('a forward frame must start with a non-empty tag string');
  const tag = tagBytes.toString('utf8');
  const count = c.arrayHeader();
  if (count !== null) {
    // Forward mode: the array's elements are the entries, one after another.
    const first = c.pos;
    for (let i = 0; i < count; i++) c.skip();
    const entries = frame.subarray(first, c.pos);
    return { tag, entries, chunk: (n === 3 ? readOptions(c) : noOptions).chunk };
  }
  const packed = c.bytes();
  if (packed !== null) {
    const opts = n === 3 ? readOptions(c) : noOptions;
    return { tag, entries: opts.compressed ? inflate(packed) : packed, chunk: opts.chunk };
  }
  // Message mode: [tag, time, record] holds the entry's two values back to back.
  if (n < 3) throw new MalformedFrameError('a Message-mode frame must be [tag, time, record, option?]');
  const start = c.pos;
  c.time(); // a bad time is a malformed frame, as in the other modes' headers
  const [, end] = c.skip();
  const entries = Buffer.concat([ENTRY_HEADER, frame.subarray(start, end)]);
  return { tag, entries, chunk: (n === 4 ? readOptions(c) : noOptions).chunk };
}

/** `['PING', hostname, salt, sha512_hex(salt + hostname + nonce + key), username, password]`. */
export function decodePing(frame: Buffer): PingFrame {
  const c = new Cursor(frame, 0, frame.length);
  const n = c.arrayHeader();
  const kind = n !== null && n >= 4 ? c.bytes() : null;
  if (!kind || kind.toString('latin1') !== 'PING') throw new MalformedFrameError('expected a PING message after HELO');
  const hostname = c.bytes();
  const salt = c.bytes();
  const digest = c.bytes();
  if (!hostname || !salt || !digest) throw new MalformedFrameError('a PING message must carry hostname, salt and digest strings');
  return { hostname, salt, digest: digest.toString('latin1') };
}

const noOptions: FrameOptions = { chunk: undefined, compressed: false };

function readOptions(c: Cursor): FrameOptions {
  if (c.isNil()) {
    c.skip();
    return noOptions;
  }
  const [s, e] = c.skip();
  const raw = decodeOne(c.buf.subarray(s, e));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw new MalformedFrameError('the option element of a forward frame must be a map');
  }
  const opts = raw as Record<string, unknown>;
  const chunk = opts['chunk'];
  const compressed = opts['compressed'];
  if (compressed !== undefined && compressed !== null && compressed !== 'text' && compressed !== 'gzip') {
    throw new MalformedFrameError(`unsupported compression "${String(compressed)}" (only gzip is)`);
  }
  return {
    chunk: typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined,
    compressed: compressed === 'gzip',
  };
}

/**
 * A decoded forward record with its integer `time` set to the event time, or null for a nil record
 * (skipped, as fluentd does). A record's own `time` value, when it is not the event time, is kept
 * under `_time` (as `send` keeps it when a time key gives the time). A value that is not a map is never
 * dropped: it is kept as a message, marked, like an unparsable line of `tdfwd send`.
 */
export function eventRecord(time: number, value: unknown): LogRecord | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    const record = value as LogRecord;
    const own: unknown = record.time;
    if (own !== undefined && own !== time) record._time = own;
    record.time = time;
    return record;
  }
  return { message: value, _parse_error: 'the forward record is not a map', time };
}

function inflate(packed: Buffer): Buffer {
  try {
    // zlib's gunzip reads every concatenated gzip member, as CompressedPackedForward allows.
    return gunzipSync(packed, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    throw new MalformedFrameError(`the compressed entries do not decompress: ${(err as Error).message}`);
  }
}
