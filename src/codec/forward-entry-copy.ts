// A PackedForward record copied as the client encoded it, plus its `time`: the fast path of the
// forward input's encoder. Decoding every record into a JavaScript object only to encode it again
// costs far more than the bytes are worth; instead the record map's bytes are copied and `time` (the
// event time, integer seconds) is set as the decoding path's eventRecord sets it: appended as the
// last key, or, when the record has its own `time`, written in that key's place, the own value moving
// to a `_time` key appended last (unless it equals the event time).
//
// Only plain records are copied: a map with string keys at the top, not both a `time` and a `_time`
// key of their own (the decoding path then overwrites `_time` in place), no ext values anywhere,
// nesting within MAX_DEPTH, a time that is an unsigned 32-bit integer. Anything else returns -1 and
// takes the decoding path. Values are otherwise passed through byte for byte (as fluentd forwards them).

import { writeNumber } from './transcode-numbers.js';
import { mapCount, mapHeaderBytes } from './msgpack-map.js';

const MAX_DEPTH = 32;
/** fixstr "time" */
const TIME_KEY = [0xa4, 0x74, 0x69, 0x6d, 0x65] as const;
/** fixstr "_time" */
const UTIME_KEY = [0xa5, 0x5f, 0x74, 0x69, 0x6d, 0x65] as const;

/**
 * Bytes written beyond the record's own: a larger map header, and either `time` and a uint32, or a
 * uint32 in place of the own time value (at least 1 byte) and the `_time` key.
 */
export const ENTRY_COPY_OVERHEAD = 4 + TIME_KEY.length + 5;

/**
 * Writes buf[start, end) (one msgpack value, already checked to be complete) with `time` appended at
 * out[pos]; returns the end of what was written, or -1 when the record must be decoded instead.
 * The caller guarantees out has room for (end - start) + ENTRY_COPY_OVERHEAD bytes at pos.
 */
export function copyRecordWithTime(buf: Uint8Array, start: number, end: number, time: number, out: Uint8Array, pos: number): number {
  if (!(time >= 0 && time <= 0xffffffff && Number.isInteger(time))) return -1;
  const b = buf[start] as number;
  const count = mapCount(buf, start);
  if (count < 0) return -1;
  const body = start + mapHeaderBytes(b);
  // Walk the pairs: keys are strings, values hold no ext; note where the own `time` value is.
  let p = body;
  let ownAt = -1;
  let ownEnd = -1;
  let hasUtime = false;
  for (let i = 0; i < count; i++) {
    const k = buf[p] as number;
    let klen: number;
    let kstart: number;
    if (k >= 0xa0 && k <= 0xbf) {
      klen = k & 0x1f;
      kstart = p + 1;
    } else if (k === 0xd9) {
      klen = buf[p + 1] as number;
      kstart = p + 2;
    } else if (k === 0xda) {
      klen = ((buf[p + 1] as number) << 8) | (buf[p + 2] as number);
      kstart = p + 3;
    } else if (k === 0xdb) {
      klen = readU32(buf, p + 1);
      kstart = p + 5;
    } else return -1;
    const valueAt = kstart + klen;
    p = plainEnd(buf, valueAt, end, 1);
    if (p < 0) return -1;
    if (klen === 4 && buf[kstart] === 0x74 && buf[kstart + 1] === 0x69 && buf[kstart + 2] === 0x6d && buf[kstart + 3] === 0x65) {
      if (ownAt >= 0) return -1; // a repeated key: the decoder keeps the last value
      ownAt = valueAt;
      ownEnd = p;
    } else if (klen === 5 && buf[kstart] === 0x5f && buf[kstart + 1] === 0x74 && buf[kstart + 2] === 0x69 && buf[kstart + 3] === 0x6d && buf[kstart + 4] === 0x65) {
      hasUtime = true;
    }
  }
  if (p !== end) return -1;
  if (ownAt >= 0) {
    if (numberAt(buf, ownAt) === time) return withOwnTime(buf, body, end, ownAt, ownEnd, count, time, out, pos, false);
    return hasUtime ? -1 : withOwnTime(buf, body, end, ownAt, ownEnd, count, time, out, pos, true);
  }
  // The header of count + 1 pairs, then the pairs as they were, then time.
  pos = writeMapHeader(out, pos, count + 1);
  out.set(buf.subarray(body, end), pos);
  pos += end - body;
  for (const byte of TIME_KEY) out[pos++] = byte;
  return writeNumber(out, pos, time); // a uint32, as msgpackr writes it
}

/**
 * A record with its own `time` value at buf[ownAt, ownEnd): the pairs as they were but that value,
 * which becomes the event time, then (when it moves) `_time` with the own value.
 */
function withOwnTime(buf: Uint8Array, body: number, end: number, ownAt: number, ownEnd: number, count: number, time: number, out: Uint8Array, pos: number, moves: boolean): number {
  pos = writeMapHeader(out, pos, moves ? count + 1 : count);
  out.set(buf.subarray(body, ownAt), pos);
  pos = writeNumber(out, pos + ownAt - body, time);
  out.set(buf.subarray(ownEnd, end), pos);
  pos += end - ownEnd;
  if (!moves) return pos;
  for (const byte of UTIME_KEY) out[pos++] = byte;
  out.set(buf.subarray(ownAt, ownEnd), pos);
  return pos + ownEnd - ownAt;
}

const floatView = new DataView(new ArrayBuffer(8));

/** The msgpack number at buf[p] as the decoder reads it (64-bit integers as the nearest double), NaN for other values. */
function numberAt(buf: Uint8Array, p: number): number {
  const b = buf[p] as number;
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  switch (b) {
    case 0xcc: return buf[p + 1] as number;
    case 0xcd: return ((buf[p + 1] as number) << 8) | (buf[p + 2] as number);
    case 0xce: return readU32(buf, p + 1);
    case 0xcf: return readU32(buf, p + 1) * 0x100000000 + readU32(buf, p + 5);
    case 0xd0: return ((buf[p + 1] as number) << 24) >> 24;
    case 0xd1: return ((((buf[p + 1] as number) << 8) | (buf[p + 2] as number)) << 16) >> 16;
    case 0xd2: return readU32(buf, p + 1) | 0;
    case 0xd3: return (readU32(buf, p + 1) | 0) * 0x100000000 + readU32(buf, p + 5);
    case 0xca:
    case 0xcb:
      for (let k = 0; k < (b === 0xca ? 4 : 8); k++) floatView.setUint8(k, buf[p + 1 + k] as number);
      return b === 0xca ? floatView.getFloat32(0) : floatView.getFloat64(0);
    default: return Number.NaN;
  }
}

function writeMapHeader(out: Uint8Array, pos: number, n: number): number {
  if (n <= 15) out[pos++] = 0x80 | n;
  else if (n <= 0xffff) {
    out[pos++] = 0xde;
    out[pos++] = n >>> 8;
    out[pos++] = n & 0xff;
  } else {
    out[pos++] = 0xdf;
    pos = writeU32(out, pos, n);
  }
  return pos;
}

/** End of the value at p if it holds no ext (and nests within MAX_DEPTH), else -1. */
function plainEnd(buf: Uint8Array, p: number, end: number, depth: number): number {
  if (p >= end) return -1;
  const b = buf[p] as number;
  if (b <= 0x7f || b >= 0xe0) return p + 1;
  if (b <= 0x8f) return depth > MAX_DEPTH ? -1 : elements(buf, p + 1, end, 2 * (b & 0x0f), depth);
  if (b <= 0x9f) return depth > MAX_DEPTH ? -1 : elements(buf, p + 1, end, b & 0x0f, depth);
  if (b <= 0xbf) return p + 1 + (b & 0x1f);
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return p + 1;
    case 0xcc: case 0xd0: return p + 2;
    case 0xcd: case 0xd1: return p + 3;
    case 0xca: case 0xce: case 0xd2: return p + 5;
    case 0xcb: case 0xcf: case 0xd3: return p + 9;
    case 0xc4: case 0xd9: return p + 2 + (buf[p + 1] as number);
    case 0xc5: case 0xda: return p + 3 + (((buf[p + 1] as number) << 8) | (buf[p + 2] as number));
    case 0xc6: case 0xdb: return p + 5 + readU32(buf, p + 1);
    case 0xdc: return depth > MAX_DEPTH ? -1 : elements(buf, p + 3, end, ((buf[p + 1] as number) << 8) | (buf[p + 2] as number), depth);
    case 0xdd: return depth > MAX_DEPTH ? -1 : elements(buf, p + 5, end, readU32(buf, p + 1), depth);
    case 0xde: return depth > MAX_DEPTH ? -1 : elements(buf, p + 3, end, 2 * (((buf[p + 1] as number) << 8) | (buf[p + 2] as number)), depth);
    case 0xdf: return depth > MAX_DEPTH ? -1 : elements(buf, p + 5, end, 2 * readU32(buf, p + 1), depth);
    default: return -1; // ext (c7-c9, d4-d8) and the never-used c1
  }
}

function elements(buf: Uint8Array, p: number, end: number, n: number, depth: number): number {
  for (let i = 0; i < n && p >= 0; i++) p = plainEnd(buf, p, end, depth + 1);
  return p > end ? -1 : p;
}

function readU32(buf: Uint8Array, p: number): number {
  return (((buf[p] as number) << 24) >>> 0) + (((buf[p + 1] as number) << 16) | ((buf[p + 2] as number) << 8) | (buf[p + 3] as number));
}

function writeU32(out: Uint8Array, pos: number, n: number): number {
  out[pos] = n >>> 24;
  out[pos + 1] = (n >>> 16) & 0xff;
  out[pos + 2] = (n >>> 8) & 0xff;
  out[pos + 3] = n & 0xff;
  return pos + 4;
}
