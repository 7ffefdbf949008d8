// One complete forward-protocol frame → events, or → a PING. Pure functions over bytes.
//
//   Message                  [tag, time, record, option?]
//   Forward                  [tag, [[time, record], ...], option?]
//   PackedForward            [tag, bin|str of concatenated [time, record] entries, option?]
//   CompressedPackedForward  the same with option.compressed = "gzip" (one or more gzip members)
//
// Every record leaves with an integer `time` (unix seconds) set from its event time; its own `time`, if
// any, is kept as `_time` (eventRecord).
import { gunzipSync } from 'node:zlib';
import { decodeOne, decodeRecords } from './msgpack.js';
import type { LogEvent, LogRecord } from '../core/record.js';
import { Cursor, MalformedFrameError } from './forward-scan.js';

/** Largest frame accepted from a peer, and largest decompressed PackedForward payload. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

export interface EventFrame {
  tag: string;
  events: LogEvent[];
  /** The `chunk` option, echoed back as `{ack: chunk}` once the events are committed. */
  chunk: string | Buffer | undefined;
  /** Entries whose record was nil (fluentd skips those too). */
  skipped: number;
}

export interface PingFrame {
  hostname: Buffer;
  salt: Buffer;
  digest: string;
}

interface FrameOptions {
  chunk: string | Buffer | undefined;
  compressed: boolean;
}

export function decodeEventFrame(frame: Buffer, nowSec: number): EventFrame {
  const c = new Cursor(frame, 0, frame.length);
  const n = c.arrayHeader();
  if (n === null || n < 2 || n > 4) throw new MalformedFrameError('a forward frame must be an array [tag, ...] of 2 to 4 elements');
  const tagBytes = c.bytes();
  if (!tagBytes || tagBytes.length === 0) throw new MalformedFrameError('a forward frame must start with a non-empty tag string');
  const out: EventFrame = { tag: tagBytes.toString('utf8'), events: [], chunk: undefined, skipped: 0 };

  const start = c.pos;
  const second = c.arrayHeader();
  if (second !== null) {
    // Forward mode: the entries array is decoded in one call, its times read exactly by the cursor.
    const times = readEntryTimes(c, second);
    const entries = decodeOne(frame.subarray(start, c.pos)) as unknown[];
    addEntries(out, times, entries, nowSec);
    out.chunk = (n === 3 ? readOptions(c) : noOptions).chunk;
    return out;
  }
  const packed = c.bytes();
  if (packed !== null) {
    const opts = n === 3 ? readOptions(c) : noOptions;
    out.chunk = opts.chunk;
    const raw = opts.compressed ? inflate(packed) : packed;
    addPackedEntries(out, raw, nowSec);
    return out;
  }
  // Message mode
  if (n < 3) throw new MalformedFrameError('a Message-mode frame must be [tag, time, record, option?]');
  const time = c.time();
  const [s, e] = c.skip();
  addEvent(out, time ?? nowSec, decodeOne(frame.subarray(s, e)));
  out.chunk = (n === 4 ? readOptions(c) : noOptions).chunk;
  return out;
}

/**
 * The header of a PackedForward / CompressedPackedForward frame, without decoding its entries (an
 * encoder copies them into compressed parts): null for the other modes. `entries` is decompressed; when it
 * is not (plain PackedForward) it is a view into `frame`.
 */
export interface PackedFrame {
  tag: string;
  entries: Buffer;
  inflated: boolean;
  chunk: string | Buffer | undefined;
}

export function readPackedFrame(frame: Buffer): PackedFrame | null {
  const c = new Cursor(frame, 0, frame.length);
  const n = c.arrayHeader();
  if (n === null || n < 2 || n > 4) return null; // decodeEventFrame says what is wrong
  const tagBytes = c.bytes();
  if (!tagBytes || tagBytes.length === 0 || c.done || c.arrayHeader() !== null) return null;
  const packed = c.bytes();
  if (packed === null) return null;
  const opts = n === 3 ? readOptions(c) : noOptions;
  return { tag: tagBytes.toString('utf8'), entries: opts.compressed ? inflate(packed) : packed, inflated: opts.compressed, chunk: opts.chunk };
}

/** Decodes concatenated `[time, record]` entries (a PackedForward payload) as decodeEventFrame does. */
export function decodePackedEntries(tag: string, raw: Buffer, nowSec: number): EventFrame {
  const out: EventFrame = { tag, events: [], chunk: undefined, skipped: 0 };
  addPackedEntries(out, raw, nowSec);
  return out;
}

function addPackedEntries(out: EventFrame, raw: Buffer, nowSec: number): void {
  const times = readEntryTimes(new Cursor(raw, 0, raw.length), Number.POSITIVE_INFINITY);
  addEntries(out, times, decodeRecords(raw), nowSec);
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
 * Walks `count` entries (or up to the end of the cursor) checking each is `[time, record, ...]`, and
 * returns their times. msgpackr then decodes the entries in bulk; it reads an EventTime (ext 0) as
 * undefined, which is why the times come from here.
 */
function readEntryTimes(c: Cursor, count: number): (number | null)[] {
  const times: (number | null)[] = [];
  for (let i = 0; i < count && !c.done; i++) {
    const n = c.arrayHeader();
    if (n === null || n < 2) throw new MalformedFrameError('an event entry must be an array [time, record]');
    times.push(c.time());
    for (let k = 1; k < n; k++) c.skip();
  }
  if (Number.isFinite(count) && times.length !== count) throw new MalformedFrameError('the frame holds fewer entries than it declares');
  return times;
}

function addEntries(out: EventFrame, times: readonly (number | null)[], entries: readonly unknown[], nowSec: number): void {
  if (entries.length !== times.length) throw new MalformedFrameError('the entries do not decode consistently');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as unknown[];
    addEvent(out, times[i] ?? nowSec, entry[1]);
  }
}

function addEvent(out: EventFrame, time: number, value: unknown): void {
  const record = eventRecord(time, value);
  if (record === null) out.skipped++;
  else out.events.push({ tag: out.tag, record });
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
