// The tail input's fast path: a JSON line's bytes straight to the msgpack bytes of its record, without
// building JS strings or objects. The slow path (Buffer → string, createParser('json'|'none'),
// packOne) stays the source of truth: whenever these functions return a position, the bytes written
// are exactly the slow path's; anything they are not sure of returns -1 and the caller runs the slow path.
// The time rule (an own `time` that is not an integer moves to `_time`, a time key's value becomes
// `time`) is applied to the written bytes by transcode-time.ts.
// Owns the module's nesting stack and key table (reused across lines, the key table grown on demand,
// never shrunk), so a line allocates nothing. Not reentrant (one line at a time per thread).

import { transcodeNumber, writeNumber } from './transcode-numbers.js';
import { copyUtf8, scan, transcodeString, useBuffers, writeStrHeader } from './transcode-strings.js';
import {
  MODE_DEFAULT, MODE_KEY, MODE_KEY_IS_TIME, OWN_NULL, OWN_NUMBER, OWN_OTHER, OWN_STRING, resetTop, rule, settleTime,
  top, W_KEY, W_TIME, W_UTIME, watchedDone, type TimeParser,
} from './transcode-time.js';

export type { TimeParser } from './transcode-time.js';

/** Deeper nesting (beyond the top-level object) takes the slow path. */
const MAX_DEPTH = 32;

// Saved state of each open container's parent: header position in `out`, entries so far, kind, first
// key in the key table, key filter.
const stackHeader = new Int32Array(MAX_DEPTH);
const stackCount = new Int32Array(MAX_DEPTH);
const stackIsObject = new Uint8Array(MAX_DEPTH);
const stackKeyBase = new Int32Array(MAX_DEPTH);
const stackBloom = new Int32Array(MAX_DEPTH);

// Keys of the open objects (decoded, as written in `out`): [position, length] per key, to find
// duplicates (JSON.parse keeps the last value at the first key's place: the slow path's business).
let keyTable = new Int32Array(2 * 64);

function growKeys(): void {
  const bigger = new Int32Array(keyTable.length * 2);
  bigger.set(keyTable);
  keyTable = bigger;
}

/** Whether the key out[at, at + n) is among the keys [from, to) of the key table. */
function hasKey(out: Uint8Array, from: number, to: number, at: number, n: number): boolean {
  for (let k = from * 2; k < to * 2; k += 2) {
    if (keyTable[k + 1] !== n) continue;
    const p = keyTable[k] as number;
    let q = 0;
    while (q < n && out[p + q] === out[at + q]) q++;
    if (q === n) return true;
  }
  return false;
}

const TO_JSON = [0x74, 0x6f, 0x4a, 0x53, 0x4f, 0x4e];
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f];
const CONSTRUCTOR = [0x63, 0x6f, 0x6e, 0x73, 0x74, 0x72, 0x75, 0x63, 0x74, 0x6f, 0x72];
const MESSAGE_KEY = [0xa7, 0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65];

function bytesAre(out: Uint8Array, at: number, text: ArrayLike<number>): boolean {
  for (let k = 0; k < text.length; k++) if (out[at + k] !== text[k]) return false;
  return true;
}

/** Keys whose JS semantics are special (toJSON makes msgpackr throw next to `constructor`): slow path. */
function isSpecialKey(out: Uint8Array, at: number, n: number): boolean {
  const first = out[at];
  if (n === 6) return first === 0x74 && bytesAre(out, at, TO_JSON);
  if (n === 9) return first === 0x5f && bytesAre(out, at, PROTO);
  if (n === 11) return first === 0x63 && bytesAre(out, at, CONSTRUCTOR);
  return false;
}

function writeTimeEntry(out: Uint8Array, o: number, nowSec: number): number {
  out[o] = 0xa4;
  out[o + 1] = 0x74;
  out[o + 2] = 0x69;
  out[o + 3] = 0x6d;
  out[o + 4] = 0x65;
  return writeNumber(out, o + 5, nowSec);
}

/**
 * Writes the header of a container whose entries are out[header + 1, o): the one byte reserved for a
 * fixmap/fixarray, or, from 16 entries, the entries moved up to make room for map16/32 or array16/32.
 */
function closeContainer(out: Uint8Array, header: number, o: number, count: number, isObject: boolean): number {
  if (count < 0x10) {
    out[header] = (isObject ? 0x80 : 0x90) | count;
    return o;
  }
  if (count < 0x10000) {
    out.copyWithin(header + 3, header + 1, o);
    out[header] = isObject ? 0xde : 0xdc;
    out[header + 1] = count >>> 8;
    out[header + 2] = count & 0xff;
    return o + 2;
  }
  out.copyWithin(header + 5, header + 1, o);
  out[header] = isObject ? 0xdf : 0xdd;
  out[header + 1] = count >>> 24;
  out[header + 2] = (count >>> 16) & 0xff;
  out[header + 3] = (count >>> 8) & 0xff;
  out[header + 4] = count & 0xff;
  return o + 4;
}

/** The first position from i on that is not JSON whitespace (space, tab, LF, CR). */
function skipWhitespace(buf: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = buf[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
  return i;
}

/**
 * Bytes of output room the caller must guarantee: transcodeJsonLine and transcodeNoneLine never write
 * past out[pos + maxTranscodedBytes(len)).
 */
export function maxTranscodedBytes(lineBytes: number): number {
  // At most 9 bytes (a float64) per 3 input bytes ("1.5"), strings no longer than their quoted text
  // but for str32's header, and the appended `time` entry (14 bytes) with a map16 header.
  return 3 * lineBytes + 32;
}

/** A line's bytes → its record's msgpack at out[pos]; the new end, or -1 for the slow path. */
export type LineTranscoder = (buf: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, nowSec: number) => number;

/**
 * The line buf[start, end) (one JSON object, UTF-8, no line terminator) as the msgpack map the slow path
 * would produce for format json without a time key, written at out[pos]; returns the new end position,
 * or -1 when this line must take the slow path (the caller then runs createParser('json') + packOne).
 */
export function transcodeJsonLine(buf: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, nowSec: number): number {
  rule.mode = MODE_DEFAULT;
  rule.keyLength = -1;
  return transcodeJson(buf, start, end, out, pos, nowSec);
}

/**
 * transcodeJsonLine for format json with a time key (createParser('json', { timeKey })), its time
 * values read with `parse` (parseTimeValue); null when that key always takes the slow path (`_time`
 * and `_time_error` are written by the time rule itself; keys starting with a digit come first in JS).
 */
export function jsonTranscoderWithTimeKey(timeKey: string, parse: TimeParser): LineTranscoder | null {
  if (timeKey === '_time' || timeKey === '_time_error' || /^[0-9]/.test(timeKey)) return null;
  const key = new TextEncoder().encode(timeKey);
  const keyMode = timeKey === 'time' ? MODE_KEY_IS_TIME : MODE_KEY;
  return (buf, start, end, out, pos, nowSec) => {
    rule.mode = keyMode;
    rule.key = key;
    rule.keyLength = keyMode === MODE_KEY ? key.length : -1;
    rule.parse = parse;
    return transcodeJson(buf, start, end, out, pos, nowSec);
  };
}

function transcodeJson(buf: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, nowSec: number): number {
  let i = skipWhitespace(buf, start, end);
  if (i >= end || buf[i] !== 0x7b) return -1;
  i++;
  useBuffers(buf, out);
  resetTop();
  let o = pos + 1;
  let depth = 0;
  let header = pos;
  let count = 0;
  let isObject = true;
  let keyBase = 0;
  let keys = 0;
  let bloom = 0;
  // The top-level key whose value is being transcoded, when the time rule needs it, and where it starts.
  let watching = 0;
  let watchAt = 0;
  let c = 0;
  for (;;) {
    if (i >= end) return -1;
    c = buf[i] as number;
    if (c <= 0x20) {
      i = skipWhitespace(buf, i, end);
      if (i >= end) return -1;
      c = buf[i] as number;
    }
    if (c === (isObject ? 0x7d : 0x5d)) {
      i++;
      if (isObject) {
        keys = keyBase;
        if (depth === 0) {
          o = settleTime(out, o, rule.mode, nowSec);
          count += top.appended;
        }
      }
      o = closeContainer(out, header, o, count, isObject);
      if (depth === 0) return skipWhitespace(buf, i, end) === end ? o : -1;
      depth--;
      header = stackHeader[depth] as number;
      count = stackCount[depth] as number;
      isObject = stackIsObject[depth] === 1;
      keyBase = stackKeyBase[depth] as number;
      bloom = stackBloom[depth] as number;
      if (depth === 0 && watching !== 0) {
        o = watchedDone(watching, out, watchAt, o, OWN_OTHER, nowSec);
        if (o < 0) return -1;
        watching = 0;
      }
      continue;
    }
    if (count > 0) {
      if (c !== 0x2c) return -1;
      i++;
      if (i >= end) return -1;
      c = buf[i] as number;
      if (c <= 0x20) {
        i = skipWhitespace(buf, i, end);
        if (i >= end) return -1;
        c = buf[i] as number;
      }
    }
    count++;
    if (isObject) {
      if (c !== 0x22) return -1;
      o = transcodeString(buf, i, end, out, o);
      if (o < 0) return -1;
      i = scan.next;
      const n = scan.len;
      const at = o - n;
      let h = n;
      if (n > 0) {
        const first = out[at] as number;
        // Array-index keys ("0", "42") come first in JS objects: any key starting with a digit goes slow.
        if (first - 0x30 >>> 0 <= 9) return -1;
        if ((n === 6 || n === 9 || n === 11) && isSpecialKey(out, at, n)) return -1;
        h = Math.imul(n ^ (first << 8) ^ ((out[o - 1] as number) << 16), 0x9e3779b1);
        if (depth === 0) {
          if (n === 4 && first === 0x74 && out[at + 1] === 0x69 && out[at + 2] === 0x6d && out[at + 3] === 0x65) watching = W_TIME;
          else if (n === 5 && first === 0x5f && out[at + 1] === 0x74 && out[at + 2] === 0x69 && out[at + 3] === 0x6d && out[at + 4] === 0x65) watching = W_UTIME;
          else if (n === rule.keyLength && bytesAre(out, at, rule.key)) watching = W_KEY;
        }
      } else if (depth === 0 && rule.keyLength === 0) watching = W_KEY;
      // A 32-bit Bloom filter per object (length, first and last byte): keys are compared only when it
      // says "maybe seen".
      const bit = 1 << (h >>> 27);
      if ((bloom & bit) !== 0 && hasKey(out, keyBase, keys, at, n)) return -1;
      bloom |= bit;
      if (keys * 2 === keyTable.length) growKeys();
      keyTable[keys * 2] = at;
      keyTable[keys * 2 + 1] = n;
      keys++;
      if (i >= end) return -1;
      c = buf[i] as number;
      if (c !== 0x3a) {
        i = skipWhitespace(buf, i, end);
        if (i >= end || buf[i] !== 0x3a) return -1;
      }
      i++;
      if (i >= end) return -1;
      c = buf[i] as number;
      if (c <= 0x20) {
        i = skipWhitespace(buf, i, end);
        if (i >= end) return -1;
        c = buf[i] as number;
      }
    }
    const valueAt = o;
    let kind = OWN_OTHER;
    if (c === 0x22) {
      o = transcodeString(buf, i, end, out, o);
      if (o < 0) return -1;
      i = scan.next;
      kind = OWN_STRING;
    } else if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_DEPTH) return -1;
      if (watching !== 0 && depth === 0) watchAt = o;
      stackHeader[depth] = header;
      stackCount[depth] = count;
      stackIsObject[depth] = isObject ? 1 : 0;
      stackKeyBase[depth] = keyBase;
      stackBloom[depth] = bloom;
      depth++;
      header = o;
      o++;
      count = 0;
      isObject = c === 0x7b;
      keyBase = keys;
      bloom = 0;
      i++;
      continue; // watched until the container closes
    } else if (c === 0x74) {
      if (i + 4 > end || buf[i + 1] !== 0x72 || buf[i + 2] !== 0x75 || buf[i + 3] !== 0x65) return -1;
      out[o++] = 0xc3;
      i += 4;
    } else if (c === 0x66) {
      if (i + 5 > end || buf[i + 1] !== 0x61 || buf[i + 2] !== 0x6c || buf[i + 3] !== 0x73 || buf[i + 4] !== 0x65) return -1;
      out[o++] = 0xc2;
      i += 5;
    } else if (c === 0x6e) {
      if (i + 4 > end || buf[i + 1] !== 0x75 || buf[i + 2] !== 0x6c || buf[i + 3] !== 0x6c) return -1;
      out[o++] = 0xc0;
      i += 4;
      kind = OWN_NULL;
    } else {
      o = transcodeNumber(buf, i, end, out, o);
      if (o < 0) return -1;
      i = scan.next;
      kind = OWN_NUMBER;
    }
    if (watching !== 0 && depth === 0) {
      o = watchedDone(watching, out, valueAt, o, kind, nowSec);
      if (o < 0) return -1;
      watching = 0;
    }
  }
}

/** Format `none`: {message: <the line>, time: nowSec}, as createParser('none') + packOne would write it; -1 → slow path. */
export function transcodeNoneLine(buf: Uint8Array, start: number, end: number, out: Uint8Array, pos: number, nowSec: number): number {
  out[pos] = 0x82;
  let o = pos + 1;
  for (let k = 0; k < MESSAGE_KEY.length; k++) out[o++] = MESSAGE_KEY[k] as number;
  o = writeStrHeader(out, o, end - start);
  useBuffers(buf, out);
  o = copyUtf8(buf, start, end, out, o);
  if (o < 0) return -1;
  return writeTimeEntry(out, o, nowSec);
}
