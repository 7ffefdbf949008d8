// msgpack strings written straight from JSON string bytes, byte-for-byte as `JSON.parse` + msgpackr's
// `pack` would write them: escapes decoded, UTF-8 checked, printable ASCII moved 4 bytes at a time.
// Owns, as module state reused from line to line (so a line allocates nothing):
// - `scan`: where the last transcodeString/transcodeNumber left off in the input, and what it read;
// - DataViews over the last input and output buffers (remade only when the caller's buffer changes);
// - a guess of each string's header size, by its place in the line (learnt from the previous line).
// Every writer returns the new output position, or -1 when the line must take the slow path.

/** Set by a successful transcodeString/transcodeNumber: input position after the token, its decoded size/value. */
export const scan = { next: 0, len: 0, value: 0 };

// Hex digit values, -1 for anything else.
const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[0x41 + d] = 10 + d;
  HEX[0x61 + d] = 10 + d;
}

/** Writes the str header of a string of n UTF-8 bytes; returns the position after it. */
export function writeStrHeader(out: Uint8Array, o: number, n: number): number {
  if (n < 0x20) {
    out[o] = 0xa0 | n;
    return o + 1;
  }
  if (n < 0x100) {
    out[o] = 0xd9;
    out[o + 1] = n;
    return o + 2;
  }
  if (n < 0x10000) {
    out[o] = 0xda;
    out[o + 1] = n >>> 8;
    out[o + 2] = n & 0xff;
    return o + 3;
  }
  out[o] = 0xdb;
  out[o + 1] = n >>> 24;
  out[o + 2] = (n >>> 16) & 0xff;
  out[o + 3] = (n >>> 8) & 0xff;
  out[o + 4] = n & 0xff;
  return o + 5;
}
// DataViews over the last input and output buffers, to move 4 bytes at a time (made once per buffer:
// the tail input reuses its blocks and output buffers, so not once per line).
let inBuf: Uint8Array | null = null;
let inView: DataView = new DataView(new ArrayBuffer(4));
let outBuf: Uint8Array | null = null;
let outView: DataView = new DataView(new ArrayBuffer(4));
let outLength = 0;

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Moves out[from, to) up by d bytes (to make room for a longer header), 4 bytes at a time. */
function moveUp(out: Uint8Array, view: DataView, from: number, to: number, d: number): void {
  let k = to - 4;
  for (; k >= from; k -= 4) view.setInt32(k + d, view.getInt32(k, true), true);
  for (let q = k + 3; q >= from; q--) out[q + d] = out[q] as number;
}

/** Readies transcodeString for this input and output buffer (call once per line, before it). */
export function useBuffers(buf: Uint8Array, out: Uint8Array): void {
  stringOfLine = 0;
  if (buf !== inBuf) {
    inBuf = buf;
    inView = viewOf(buf);
  }
  if (out !== outBuf) {
    outBuf = out;
    outView = viewOf(out);
    outLength = out.length;
  }
}

// Where a string's bytes start before its length is known: the i-th string of a line gets the header
// size the i-th string of the previous line needed (0: fixstr, 1: str8), since log lines repeat their
// shape. A wrong guess costs a move of the bytes, never a different output.
const headerGuess = new Uint8Array(64);
let stringOfLine = 0;

/**
 * The JSON string whose opening quote is buf[i], as a msgpack str at out[o]; sets scan.next (after
 * the closing quote) and scan.len (decoded UTF-8 bytes). The common case, printable ASCII without
 * escapes, is copied 4 bytes at a time. Kept small so the engine inlines it; anything else continues
 * in transcodeStringSlow. useBuffers(buf, out) must have been called first (once per line).
 */
export function transcodeString(buf: Uint8Array, i: number, end: number, out: Uint8Array, o: number): number {
  const slot = stringOfLine++ & 63;
  const g = headerGuess[slot] as number;
  const iv = inView;
  const ov = outView;
  let j = i + 1;
  const at = o + 1 + g;
  let p = at;
  // Last input position a 4-byte read may start at, such that the 4-byte write at the same offset fits.
  const room = outLength - (p - j);
  const last = (end < room ? end : room) - 4;
  while (j <= last) {
    // Flags (bit 7 of a byte) every byte < 0x20, >= 0x80, == '"' or == '\\'. For ASCII bytes x ^ 0x22
    // and x ^ 0x5c are < 0x80, so only a zero byte sets bit 7 when 1 is subtracted. Borrows only carry
    // upwards from a flagged byte, so the lowest flag is a real one: the first byte that ends the run.
    const x = iv.getInt32(j, true);
    const m = ((x - 0x20202020) | ((x ^ 0x22222222) - 0x01010101) | ((x ^ 0x5c5c5c5c) - 0x01010101) | x) & 0x80808080;
    ov.setInt32(p, x, true);
    if (m !== 0) {
      const k = (31 - Math.clz32(m & -m)) >> 3;
      j += k;
      if (buf[j] !== 0x22) {
        p += k;
        break;
      }
      const n = j - i - 1;
      scan.next = j + 1;
      scan.len = n;
      if (g === 0 && n < 0x20) {
        out[o] = 0xa0 | n;
        return at + n;
      }
      return placeString(out, o, at, n, slot);
    }
    j += 4;
    p += 4;
  }
  return transcodeStringSlow(buf, j, end, out, o, at, p, slot);
}

/** A string's n bytes written at out[at] get their header at out[o]: moved when the guess was wrong. */
function placeString(out: Uint8Array, o: number, at: number, n: number, slot: number): number {
  const h = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  headerGuess[slot] = h === 2 ? 1 : 0;
  const to = o + h;
  if (to > at) {
    if (to + n > outLength) return -1;
    moveUp(out, outView, at, at + n, to - at);
  } else if (to < at) {
    for (let q = 0; q < n; q++) out[to + q] = out[at + q] as number;
  }
  writeStrHeader(out, o, n);
  return to + n;
}

/**
 * transcodeString from buf[j] on (its plain ASCII before j already at out[at, p)): escapes,
 * multi-byte UTF-8, the last bytes of the line or of `out`.
 */
function transcodeStringSlow(buf: Uint8Array, j: number, end: number, out: Uint8Array, o: number, at: number, p: number, slot: number): number {
  let c = -1;
  while (j < end && (c = buf[j] as number) >= 0x20 && c !== 0x22 && c !== 0x5c && c < 0x80) {
    out[p++] = c;
    j++;
  }
  if (j >= end || c < 0x20) return -1;
  if (c !== 0x22) {
    p = decodeRest(buf, j, end, out, p);
    if (p < 0) return -1;
    j = scan.next;
  }
  const n = p - at;
  scan.next = j + 1;
  scan.len = n;
  return placeString(out, o, at, n, slot);
}

/**
 * Copies buf[j, end) to out[p] when it is strictly valid UTF-8 (ASCII 4 bytes at a time); returns the
 * output end, or -1 (a slow-path string would hold U+FFFD). useBuffers(buf, out) must have been called.
 */
export function copyUtf8(buf: Uint8Array, j: number, end: number, out: Uint8Array, p: number): number {
  const iv = inView;
  const ov = outView;
  while (j < end) {
    const room = outLength - (p - j);
    const last = (end < room ? end : room) - 4;
    while (j <= last) {
      const x = iv.getInt32(j, true);
      if ((x & 0x80808080) !== 0) break;
      ov.setInt32(p, x, true);
      j += 4;
      p += 4;
    }
    if (j >= end) break;
    const c = buf[j] as number;
    if (c < 0x80) {
      out[p++] = c;
      j++;
      continue;
    }
    const need = utf8Length(buf, j, end);
    if (need < 0) return -1;
    for (let k = 0; k < need; k++) out[p++] = buf[j + k] as number;
    j += need;
  }
  return p;
}

/** The length of the valid UTF-8 sequence at buf[j] (lead byte >= 0x80), or -1 (overlong, surrogate, > U+10FFFF, cut). */
function utf8Length(buf: Uint8Array, j: number, end: number): number {
  const c = buf[j] as number;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) need = 1;
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
  } else return -1;
  if (j + need >= end) return -1;
  const b1 = buf[j + 1] as number;
  if (b1 < lo || b1 > hi) return -1;
  for (let k = 2; k <= need; k++) {
    const b = buf[j + k] as number;
    if (b < 0x80 || b > 0xbf) return -1;
  }
  return need + 1;
}

/**
 * The rest of a string from its first escape or non-ASCII byte buf[j], decoded to out[p]; returns
 * the output end and leaves scan.next at the closing quote.
 */
function decodeRest(buf: Uint8Array, j: number, end: number, out: Uint8Array, p: number): number {
  while (j < end) {
    const c = buf[j] as number;
    if (c < 0x80) {
      if (c === 0x22) {
        scan.next = j;
        return p;
      }
      if (c < 0x20) return -1;
      if (c !== 0x5c) {
        out[p++] = c;
        j++;
        continue;
      }
      p = writeEscape(buf, j, end, out, p);
      if (p < 0) return -1;
      j = scan.next;
      continue;
    }
    // Multi-byte UTF-8, strictly valid: it then round-trips through a JS string unchanged. Within the
    // string: a closing quote is no continuation byte.
    const len = utf8Length(buf, j, end);
    if (len < 0) return -1;
    for (let k = 0; k < len; k++) out[p++] = buf[j + k] as number;
    j += len;
  }
  return -1;
}

function hex4(buf: Uint8Array, k: number): number {
  const a = HEX[buf[k] as number] as number;
  if (a < 0) return -1;
  const b = HEX[buf[k + 1] as number] as number;
  if (b < 0) return -1;
  const c = HEX[buf[k + 2] as number] as number;
  if (c < 0) return -1;
  const d = HEX[buf[k + 3] as number] as number;
  if (d < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** The escape at buf[j] === '\\' decoded to UTF-8 at out[p]; sets scan.next. */
function writeEscape(buf: Uint8Array, j: number, end: number, out: Uint8Array, p: number): number {
  if (j + 1 >= end) return -1;
  const e = buf[j + 1] as number;
  let ch: number;
  switch (e) {
    case 0x22: case 0x5c: case 0x2f: ch = e; break;
    case 0x62: ch = 0x08; break;
    case 0x66: ch = 0x0c; break;
    case 0x6e: ch = 0x0a; break;
    case 0x72: ch = 0x0d; break;
    case 0x74: ch = 0x09; break;
    case 0x75: {
      if (j + 6 > end) return -1;
      let cu = hex4(buf, j + 2);
      if (cu < 0) return -1;
      let next = j + 6;
      if (cu >= 0xd800 && cu <= 0xdfff) {
        // Only a high surrogate followed by an escaped low one makes a character; a lone one would
        // become U+FFFD in msgpackr, which the slow path handles.
        if (cu >= 0xdc00 || next + 6 > end || buf[next] !== 0x5c || buf[next + 1] !== 0x75) return -1;
        const low = hex4(buf, next + 2);
        if (low < 0xdc00 || low > 0xdfff) return -1;
        cu = 0x10000 + ((cu - 0xd800) << 10) + (low - 0xdc00);
        next += 6;
        out[p] = 0xf0 | (cu >> 18);
        out[p + 1] = 0x80 | ((cu >> 12) & 0x3f);
        out[p + 2] = 0x80 | ((cu >> 6) & 0x3f);
        out[p + 3] = 0x80 | (cu & 0x3f);
        scan.next = next;
        return p + 4;
      }
      scan.next = next;
      if (cu < 0x80) {
        out[p] = cu;
        return p + 1;
      }
      if (cu < 0x800) {
        out[p] = 0xc0 | (cu >> 6);
        out[p + 1] = 0x80 | (cu & 0x3f);
        return p + 2;
      }
      out[p] = 0xe0 | (cu >> 12);
      out[p + 1] = 0x80 | ((cu >> 6) & 0x3f);
      out[p + 2] = 0x80 | (cu & 0x3f);
      return p + 3;
    }
    default:
      return -1;
  }
  out[p] = ch;
  scan.next = j + 2;
  return p + 1;
}
