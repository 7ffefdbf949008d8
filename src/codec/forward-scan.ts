// A structural msgpack reader over raw bytes. The forward server uses it to find frame boundaries in
// a TCP stream without decoding (so a large PackedForward frame arriving in pieces is not re-parsed
// for every piece), and to read the protocol's outer structure (tag, EventTime ext, raw PING fields)
// exactly, byte for byte. Records themselves are decoded by msgpackr.

/** The peer sent bytes that are not the forward protocol. */
export class MalformedFrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedFrameError';
  }
}

/**
 * End offset of the msgpack value starting at `pos`, or, when `buf` ends before the value does, the
 * negated minimum buffer length needed to make progress (always < 0).
 */
export function valueEnd(buf: Buffer, pos: number): number {
  return scan(buf, pos, 1);
}

/**
 * Finds where a frame ends in a growing stream buffer, resuming where the previous call stopped, so
 * a large frame arriving in many pieces is walked once, not once per piece.
 */
export class FrameScanner {
  #pos = 0; // progress, relative to the frame start
  #remaining = 1; // values still to walk

  /** The frame's end offset in `buf`, or the negated buffer length needed before calling again. */
  scan(buf: Buffer, frameStart: number): number {
    const r = scan(buf, frameStart + this.#pos, this.#remaining);
    if (r >= 0) {
      this.#pos = 0;
      this.#remaining = 1;
    } else {
      this.#pos = stoppedAt - frameStart;
      this.#remaining = stoppedRemaining;
    }
    return r;
  }
}

// Where the last incomplete scan stopped (module scratch space: scans are synchronous and never nest).
let stoppedAt = 0;
let stoppedRemaining = 0;

function scan(buf: Buffer, pos: number, remaining: number): number {
  const len = buf.length;
  while (remaining > 0) {
    if (pos >= len) return stop(pos, remaining, pos + 1);
    const b = buf[pos] as number;
    if (b <= 0x7f || b >= 0xe0) {
      pos += 1;
      remaining--;
    } else if (b <= 0x8f) {
      remaining += 2 * (b & 0x0f) - 1;
      pos += 1;
    } else if (b <= 0x9f) {
      remaining += (b & 0x0f) - 1;
      pos += 1;
    } else if (b <= 0xbf) {
      pos += 1 + (b & 0x1f);
      remaining--;
    } else {
      const fixed = FIXED_SIZES[b - 0xc0] as number;
      if (fixed > 0) {
        pos += fixed;
        remaining--;
        continue;
      }
      const lenBytes = LENGTH_BYTES[b - 0xc0] as number;
      if (lenBytes === 0) throw new MalformedFrameError(`byte 0x${b.toString(16)} is not valid msgpack`);
      if (pos + 1 + lenBytes > len) return stop(pos, remaining, pos + 1 + lenBytes);
      const n = lenBytes === 1 ? (buf[pos + 1] as number) : lenBytes === 2 ? buf.readUInt16BE(pos + 1) : buf.readUInt32BE(pos + 1);
      remaining--;
      if (b === 0xdc || b === 0xdd) {
        remaining += n;
        pos += 1 + lenBytes;
      } else if (b === 0xde || b === 0xdf) {
        remaining += 2 * n;
        pos += 1 + lenBytes;
      } else if (b >= 0xc7 && b <= 0xc9) {
        pos += 1 + lenBytes + 1 + n; // ext: length, type byte, data
      } else {
        pos += 1 + lenBytes + n; // str / bin
      }
    }
  }
  return pos > len ? stop(pos, 0, pos) : pos;
}

function stop(pos: number, remaining: number, need: number): number {
  stoppedAt = pos;
  stoppedRemaining = remaining;
  return -need;
}

// Total size of fixed-size types by first byte (0xc0..0xdf), 0 when the size depends on a length.
const FIXED_SIZES: readonly number[] = [
  1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 5, 9, 2, 3, 5, 9, // c0 nil, c1 never, c2/c3 bool, c4-c9 var, ca-cf
  2, 3, 5, 9, 3, 4, 6, 10, 18, 0, 0, 0, 0, 0, 0, 0, // d0-d3 int, d4-d8 fixext, d9-df var
];
// Width of the length field by first byte (0xc0..0xdf), for the variable-size types.
const LENGTH_BYTES: readonly number[] = [
  0, 0, 0, 0, 1, 2, 4, 1, 2, 4, 0, 0, 0, 0, 0, 0, // c4-c6 bin, c7-c9 ext
  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 2, 4, 2, 4, // d9-db str, dc-dd array, de-df map
];

/** A read position inside one complete frame. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  peek(): number {
    if (this.pos >= this.end) throw new MalformedFrameError('the frame ends early');
    return this.buf[this.pos] as number;
  }

  /** Element count when the next value is an array, else null (nothing consumed). */
  arrayHeader(): number | null {
    const b = this.peek();
    if (b >= 0x90 && b <= 0x9f) {
      this.pos += 1;
      return b & 0x0f;
    }
    if (b === 0xdc) return this.#length(2);
    if (b === 0xdd) return this.#length(4);
    return null;
  }

  /** Raw bytes when the next value is a str or bin, else null (nothing consumed). */
  bytes(): Buffer | null {
    const b = this.peek();
    let n: number;
    if (b >= 0xa0 && b <= 0xbf) {
      n = b & 0x1f;
      this.pos += 1;
    } else if (b === 0xd9 || b === 0xc4) n = this.#length(1);
    else if (b === 0xda || b === 0xc5) n = this.#length(2);
    else if (b === 0xdb || b === 0xc6) n = this.#length(4);
    else return null;
    if (this.pos + n > this.end) throw new MalformedFrameError('a string runs past the end of the frame');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  isNil(): boolean {
    return this.peek() === 0xc0;
  }

  /** Skip one value and return its [start, end) range. */
  skip(): [number, number] {
    const start = this.pos;
    const end = valueEnd(this.end === this.buf.length ? this.buf : this.buf.subarray(0, this.end), start);
    if (end < 0) throw new MalformedFrameError('a value runs past the end of the frame');
    this.pos = end;
    return [start, end];
  }

  /**
   * An event time as integer unix seconds: EventTime (ext type 0, 4 bytes seconds + 4 bytes nanos),
   * an integer, or a float (floored). nil, 0 and a Fluent Bit `[time, metadata]` pair are understood;
   * `null` means "no time given, use now" (fluentd treats 0 the same way).
   */
  time(): number | null {
    const b = this.peek();
    const buf = this.buf;
    const p = this.pos;
    let t: number;
    if (b <= 0x7f) {
      t = b;
      this.pos += 1;
    } else if (b >= 0xe0) {
      t = b - 0x100;
      this.pos += 1;
    } else if (b === 0xd7 && buf[p + 1] === 0x00) {
      this.#need(10);
      t = buf.readUInt32BE(p + 2);
      this.pos += 10;
    } else if (b === 0xc7 && buf[p + 1] === 8 && buf[p + 2] === 0x00) {
      this.#need(11);
      t = buf.readUInt32BE(p + 3);
      this.pos += 11;
    } else if (b === 0xc0) {
      this.pos += 1;
      return null;
    } else if (b >= 0x90 && b <= 0x9f && (b & 0x0f) >= 1) {
      // Fluent Bit's [[time, metadata], record] event layout: the time is the pair's first element.
      const n = b & 0x0f;
      this.pos += 1;
      const inner = this.time();
      for (let i = 1; i < n; i++) this.skip();
      return inner;
    } else {
      t = this.#number(b, p);
    }
    return t === 0 ? null : t;
  }

  #number(b: number, p: number): number {
    const buf = this.buf;
    let t: number;
    switch (b) {
      case 0xcc: this.#need(2); t = buf[p + 1] as number; this.pos += 2; break;
      case 0xcd: this.#need(3); t = buf.readUInt16BE(p + 1); this.pos += 3; break;
      case 0xce: this.#need(5); t = buf.readUInt32BE(p + 1); this.pos += 5; break;
      case 0xcf: this.#need(9); t = Number(buf.readBigUInt64BE(p + 1)); this.pos += 9; break;
      case 0xd0: this.#need(2); t = buf.readInt8(p + 1); this.pos += 2; break;
      case 0xd1: this.#need(3); t = buf.readInt16BE(p + 1); this.pos += 3; break;
      case 0xd2: this.#need(5); t = buf.readInt32BE(p + 1); this.pos += 5; break;
      case 0xd3: this.#need(9); t = Number(buf.readBigInt64BE(p + 1)); this.pos += 9; break;
      case 0xca: this.#need(5); t = Math.floor(buf.readFloatBE(p + 1)); this.pos += 5; break;
      case 0xcb: this.#need(9); t = Math.floor(buf.readDoubleBE(p + 1)); this.pos += 9; break;
      default:
        throw new MalformedFrameError(`an event time must be an EventTime or a number, got type byte 0x${b.toString(16)}`);
    }
    if (!Number.isFinite(t)) throw new MalformedFrameError('an event time is not a finite number');
    return t;
  }

  #need(n: number): void {
    if (this.pos + n > this.end) throw new MalformedFrameError('the frame ends early');
  }

  #length(width: 1 | 2 | 4): number {
    this.#need(1 + width);
    const p = this.pos + 1;
    const n = width === 1 ? (this.buf[p] as number) : width === 2 ? this.buf.readUInt16BE(p) : this.buf.readUInt32BE(p);
    this.pos += 1 + width;
    return n;
  }
}
