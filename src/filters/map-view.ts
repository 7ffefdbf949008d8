// MapView: one record (a msgpack map with string keys) as a list of key/value pairs over byte
// ranges, edited without decoding: a value replaced, a pair removed, a key renamed, a pair appended.
// A range lies in one of two buffers: the block being filtered (SRC) or the compiled chain's pool of
// constant bytes (POOL: packed keys and values of `set`, renamed keys). `write` then copies the live
// pairs, behind a new map header only when the count or the header's size changed.
//
// Owns its pair arrays (grown on demand, reused record after record). Not re-entrant.
import { matchText } from './match-text.js';
import { decodeOne } from '../codec/msgpack.js';
import { mapCount, mapHeaderBytes } from '../codec/msgpack-map.js';
import { valueEnd } from '../codec/forward-scan.js';
import type { BlockWriter } from './block-writer.js';

export const SRC = 0;
export const POOL = 1;
/** `find`'s answer when the key is there more than once (the record is then edited as an object). */
export const DUPLICATE = -2;

/** End of the msgpack value at p: scalars and strings here, containers by the structural reader. */
function skipValue(src: Buffer, p: number): number {
  if (p >= src.length) return -1;
  const b = src[p] as number;
  if (b <= 0x7f || b >= 0xe0) return p + 1;
  if (b >= 0xa0 && b <= 0xbf) return p + 1 + (b & 0x1f);
  switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return p + 1;
    case 0xcc: case 0xd0: return p + 2;
    case 0xcd: case 0xd1: return p + 3;
    case 0xca: case 0xce: case 0xd2: return p + 5;
    case 0xcb: case 0xcf: case 0xd3: return p + 9;
    case 0xd9: return p + 2 + (src[p + 1] as number);
    case 0xda: return p + 3 + (((src[p + 1] as number) << 8) | (src[p + 2] as number));
    default: return valueEnd(src, p);
  }
}

export class MapView {
  readonly bufs: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  /** Pairs, removed ones included. */
  n = 0;
  /** Some pair changed: the record is written pair by pair. */
  modified = false;
  #start = 0;
  #end = 0;
  #cap = 0;
  kw = new Uint8Array(0);
  ks = new Int32Array(0);
  kc = new Int32Array(0);
  ke = new Int32Array(0);
  vw = new Uint8Array(0);
  vs = new Int32Array(0);
  ve = new Int32Array(0);
  dead = new Uint8Array(0);

  constructor() {
    this.#grow(32);
  }

  /**
   * Reads the record at src[pos]; returns its end, or -1 when it is not a map with string keys (the
   * caller then decodes it). Throws when the bytes are not msgpack.
   */
  load(src: Buffer, pos: number): number {
    this.bufs[SRC] = src;
    this.modified = false;
    this.n = 0;
    const count = mapCount(src, pos);
    if (count < 0) return -1;
    let p = pos + mapHeaderBytes(src[pos] as number);
    if (count * 2 > src.length - p) throw new Error('a record runs past the end of the block');
    if (count > this.#cap) this.#grow(count);
    for (let i = 0; i < count; i++) {
      const k = src[p] as number;
      let kc: number;
      if (k >= 0xa0 && k <= 0xbf) kc = p + 1;
      else if (k === 0xd9) kc = p + 2;
      else if (k === 0xda) kc = p + 3;
      else if (k === 0xdb) kc = p + 5;
      else return -1;
      const klen = k >= 0xa0 && k <= 0xbf ? k & 0x1f : k === 0xd9 ? (src[p + 1] as number) : k === 0xda ? src.readUInt16BE(p + 1) : src.readUInt32BE(p + 1);
      const ke = kc + klen;
      const ve = skipValue(src, ke);
      if (ve < 0 || ve > src.length) throw new Error('a record runs past the end of the block');
      this.kw[i] = SRC;
      this.ks[i] = p;
      this.kc[i] = kc;
      this.ke[i] = ke;
      this.vw[i] = SRC;
      this.vs[i] = ke;
      this.ve[i] = ve;
      this.dead[i] = 0;
      p = ve;
    }
    this.n = count;
    this.#start = pos;
    this.#end = p;
    return p;
  }

  /** The live pair whose key is `name` (UTF-8), -1 when none, DUPLICATE when several. */
  find(name: Uint8Array): number {
    const len = name.length;
    let hit = -1;
    for (let i = 0; i < this.n; i++) {
      const kc = this.kc[i] as number;
      if ((this.ke[i] as number) - kc !== len || this.dead[i] === 1) continue;
      const buf = this.bufs[this.kw[i] as number] as Buffer;
      let q = 0;
      while (q < len && buf[kc + q] === name[q]) q++;
      if (q < len) continue;
      if (hit >= 0) return DUPLICATE;
      hit = i;
    }
    return hit;
  }

  /** Whether pair i's key is one of `names`. */
  keyIn(i: number, names: readonly Uint8Array[]): boolean {
    const kc = this.kc[i] as number;
    const len = (this.ke[i] as number) - kc;
    const buf = this.bufs[this.kw[i] as number] as Buffer;
    for (const name of names) {
      if (name.length !== len) continue;
      let q = 0;
      while (q < len && buf[kc + q] === name[q]) q++;
      if (q === len) return true;
    }
    return false;
  }

  setValue(i: number, which: number, start: number, end: number): void {
    this.vw[i] = which;
    this.vs[i] = start;
    this.ve[i] = end;
    this.modified = true;
  }

  setKey(i: number, start: number, contentStart: number, end: number): void {
    this.kw[i] = POOL;
    this.ks[i] = start;
    this.kc[i] = contentStart;
    this.ke[i] = end;
    this.modified = true;
  }

  remove(i: number): void {
    this.dead[i] = 1;
    this.modified = true;
  }

  /** A new last pair: a key from the pool, a value from either buffer. */
  append(keyStart: number, keyContent: number, keyEnd: number, which: number, valueStart: number, valueEnd: number): void {
    if (this.n === this.#cap) this.#grow(this.#cap * 2);
    const i = this.n++;
    this.kw[i] = POOL;
    this.ks[i] = keyStart;
    this.kc[i] = keyContent;
    this.ke[i] = keyEnd;
    this.dead[i] = 0;
    this.setValue(i, which, valueStart, valueEnd);
  }

  /**
   * Where pair i's value is a string: [start, end) of its UTF-8 in `bufs[vw[i]]`, as
   * `strStart` (returned) and `strEnd`; -1 when the value is not a string.
   */
  strStart(i: number): number {
    const buf = this.bufs[this.vw[i] as number] as Buffer;
    const s = this.vs[i] as number;
    const h = buf[s] as number;
    this.strEnd = this.ve[i] as number;
    if (h >= 0xa0 && h <= 0xbf) return s + 1;
    if (h === 0xd9) return s + 2;
    if (h === 0xda) return s + 3;
    if (h === 0xdb) return s + 5;
    return -1;
  }

  strEnd = 0;

  /** Pair i's value as grep tests it: text, or null for nil. */
  valueText(i: number): string | null {
    const buf = this.bufs[this.vw[i] as number] as Buffer;
    const s = this.vs[i] as number;
    const e = this.ve[i] as number;
    const h = buf[s] as number;
    if (h >= 0xa0 && h <= 0xbf) return buf.toString('utf8', s + 1, e);
    if (h === 0xd9) return buf.toString('utf8', s + 2, e);
    if (h === 0xda) return buf.toString('utf8', s + 3, e);
    if (h === 0xdb) return buf.toString('utf8', s + 5, e);
    if (h === 0xc0) return null;
    return matchText(decodeOne(buf.subarray(s, e)));
  }

  /** The record as edited, into `out`: unchanged ones as the bytes they were. */
  write(out: BlockWriter): void {
    const src = this.bufs[SRC];
    if (!this.modified) {
      out.range(src, this.#start, this.#end);
      return;
    }
    let live = 0;
    for (let i = 0; i < this.n; i++) if (this.dead[i] === 0) live++;
    out.mapHeader(live);
    for (let i = 0; i < this.n; i++) {
      if (this.dead[i] === 1) continue;
      out.range(this.bufs[this.kw[i] as number] as Buffer, this.ks[i] as number, this.ke[i] as number);
      out.range(this.bufs[this.vw[i] as number] as Buffer, this.vs[i] as number, this.ve[i] as number);
    }
  }

  #grow(cap: number): void {
    const copy = <T extends Uint8Array | Int32Array>(old: T, next: T): T => {
      next.set(old.subarray(0, this.n) as never);
      return next;
    };
    this.kw = copy(this.kw, new Uint8Array(cap));
    this.ks = copy(this.ks, new Int32Array(cap));
    this.kc = copy(this.kc, new Int32Array(cap));
    this.ke = copy(this.ke, new Int32Array(cap));
    this.vw = copy(this.vw, new Uint8Array(cap));
    this.vs = copy(this.vs, new Int32Array(cap));
    this.ve = copy(this.ve, new Int32Array(cap));
    this.dead = copy(this.dead, new Uint8Array(cap));
    this.#cap = cap;
  }
}
