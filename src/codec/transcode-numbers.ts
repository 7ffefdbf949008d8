// msgpack numbers written straight from JSON number text, byte-for-byte as `JSON.parse` + msgpackr's
// `pack` (useRecords: false) would write them. Stateless but for `scan` (transcode-strings.ts), where
// transcodeNumber leaves the input position after the number and its value.

import { scan } from './transcode-strings.js';

// Powers of ten exactly representable as doubles: m * 10^e or m / 10^e with m < 2^53 is then one
// correctly rounded operation, the same double as JSON.parse's (Clinger's fast path).
const POW10 = new Float64Array(23);
POW10[0] = 1;
for (let e = 1; e < 23; e++) POW10[e] = (POW10[e - 1] as number) * 10;

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A number as msgpackr writes it: fixint/uint8/16/32 for 0..2^32-1 (and -0), int8/16/32, else float64. */
export function writeNumber(out: Uint8Array, o: number, v: number): number {
  if (v >>> 0 === v) {
    if (v < 0x80) {
      out[o] = v;
      return o + 1;
    }
    if (v < 0x100) {
      out[o] = 0xcc;
      out[o + 1] = v;
      return o + 2;
    }
    if (v < 0x10000) {
      out[o] = 0xcd;
      out[o + 1] = v >>> 8;
      out[o + 2] = v & 0xff;
      return o + 3;
    }
    out[o] = 0xce;
    out[o + 1] = v >>> 24;
    out[o + 2] = (v >>> 16) & 0xff;
    out[o + 3] = (v >>> 8) & 0xff;
    out[o + 4] = v & 0xff;
    return o + 5;
  }
  if (v >> 0 === v) {
    if (v >= -0x20) {
      out[o] = v & 0xff;
      return o + 1;
    }
    if (v >= -0x80) {
      out[o] = 0xd0;
      out[o + 1] = v & 0xff;
      return o + 2;
    }
    if (v >= -0x8000) {
      out[o] = 0xd1;
      out[o + 1] = (v >> 8) & 0xff;
      out[o + 2] = v & 0xff;
      return o + 3;
    }
    out[o] = 0xd2;
    out[o + 1] = (v >>> 24) & 0xff;
    out[o + 2] = (v >>> 16) & 0xff;
    out[o + 3] = (v >>> 8) & 0xff;
    out[o + 4] = v & 0xff;
    return o + 5;
  }
  f64[0] = v;
  out[o] = 0xcb;
  if (littleEndian) {
    for (let k = 0; k < 8; k++) out[o + 1 + k] = f64Bytes[7 - k] as number;
  } else {
    for (let k = 0; k < 8; k++) out[o + 1 + k] = f64Bytes[k] as number;
  }
  return o + 9;
}

/**
 * The JSON number starting at buf[i] as msgpackr writes the double JSON.parse reads. Checks the JSON
 * grammar (no leading zeros, digits after '.' and 'e'); the byte after it is the caller's to check.
 * Sets scan.next and scan.value.
 */
export function transcodeNumber(buf: Uint8Array, i: number, end: number, out: Uint8Array, o: number): number {
  // Fast path, kept small to be inlined: a non-negative integer of up to 9 digits.
  let c = buf[i] as number;
  if (c >= 0x31 && c <= 0x39) {
    let v = c - 0x30;
    let j = i + 1;
    const stop = end < i + 9 ? end : i + 9;
    while (j < stop && (c = buf[j] as number) >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      j++;
    }
    if (j === end || (c = buf[j] as number) !== 0x2e && (c | 0x20) !== 0x65 && (c < 0x30 || c > 0x39)) {
      scan.next = j;
      scan.value = v;
      if (v < 0x80) {
        out[o] = v;
        return o + 1;
      }
      if (v < 0x10000) {
        if (v < 0x100) {
          out[o] = 0xcc;
          out[o + 1] = v;
          return o + 2;
        }
        out[o] = 0xcd;
        out[o + 1] = v >>> 8;
        out[o + 2] = v & 0xff;
        return o + 3;
      }
      return writeNumber(out, o, v);
    }
  }
  return transcodeNumberSlow(buf, i, end, out, o);
}

/** transcodeNumber for the rest: signs, fractions, exponents, long or odd spellings (also invalid ones). */
function transcodeNumberSlow(buf: Uint8Array, i: number, end: number, out: Uint8Array, o: number): number {
  let j = i;
  let c = buf[j] as number;
  const neg = c === 0x2d;
  if (neg) {
    j++;
    if (j >= end) return -1;
    c = buf[j] as number;
  }
  let m = 0;
  let digits = 0;
  let exp10 = 0;
  if (c === 0x30) j++;
  else if (c >= 0x31 && c <= 0x39) {
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      j++;
    } while (j < end && (c = buf[j] as number) >= 0x30 && c <= 0x39);
  } else return -1;
  if (j < end && buf[j] === 0x2e) {
    j++;
    if (j >= end || (c = buf[j] as number) < 0x30 || c > 0x39) return -1;
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      exp10--;
      j++;
    } while (j < end && (c = buf[j] as number) >= 0x30 && c <= 0x39);
  }
  if (j < end && ((buf[j] as number) | 0x20) === 0x65) {
    j++;
    let sign = 1;
    c = j < end ? (buf[j] as number) : 0;
    if (c === 0x2b || c === 0x2d) {
      if (c === 0x2d) sign = -1;
      j++;
      c = j < end ? (buf[j] as number) : 0;
    }
    if (c < 0x30 || c > 0x39) return -1;
    let e = 0;
    do {
      if (e < 100000) e = e * 10 + (c - 0x30);
      j++;
    } while (j < end && (c = buf[j] as number) >= 0x30 && c <= 0x39);
    exp10 += sign * e;
  }
  let v: number;
  if (digits <= 15 && exp10 >= -22 && exp10 <= 22) {
    v = exp10 >= 0 ? m * (POW10[exp10] as number) : m / (POW10[-exp10] as number);
    if (neg) v = -v;
  } else {
    // Long mantissas and far exponents: the engine's own conversion (allocates, but these are rare).
    let text = '';
    for (let k = i; k < j; k++) text += String.fromCharCode(buf[k] as number);
    v = Number(text);
  }
  scan.next = j;
  scan.value = v;
  return writeNumber(out, o, v);
}
