// BlockWriter: the filtered block being written — byte ranges copied from the block or the pool,
// consecutive ranges of one buffer merged into one copy (an unchanged run of records, or of pairs,
// is one memcpy), map headers, and records re-encoded whole.
//
// Owns a scratch buffer reused from block to block (grown on demand); `take` returns a copy (made by
// the caller's `copy` when given: the encoder's part slabs).
export class BlockWriter {
  #buf = Buffer.allocUnsafe(64 * 1024);
  #len = 0;
  #runBuf: Buffer | null = null;
  #runStart = 0;
  #runEnd = 0;

  begin(): void {
    this.#len = 0;
    this.#runBuf = null;
  }

  range(buf: Buffer, start: number, end: number): void {
    if (buf === this.#runBuf && start === this.#runEnd) {
      this.#runEnd = end;
      return;
    }
    this.#flush();
    this.#runBuf = buf;
    this.#runStart = start;
    this.#runEnd = end;
  }

  /** A map header of `n` pairs as msgpackr writes it (variableMapSize): fixmap, map16, map32. */
  mapHeader(n: number): void {
    this.#flush();
    this.#reserve(5);
    const b = this.#buf;
    if (n < 16) b[this.#len++] = 0x80 | n;
    else if (n < 0x10000) {
      b[this.#len] = 0xde;
      b.writeUInt16BE(n, this.#len + 1);
      this.#len += 3;
    } else {
      b[this.#len] = 0xdf;
      b.writeUInt32BE(n, this.#len + 1);
      this.#len += 5;
    }
  }

  bytes(data: Uint8Array): void {
    this.#flush();
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** The block written, in a buffer of its own. */
  take(copy: (bytes: Uint8Array) => Buffer = (b) => Buffer.from(b)): Buffer {
    this.#flush();
    return copy(this.#buf.subarray(0, this.#len));
  }

  #flush(): void {
    const src = this.#runBuf;
    if (src === null) return;
    this.#runBuf = null;
    const n = this.#runEnd - this.#runStart;
    this.#reserve(n);
    if (n < 16) {
      const out = this.#buf;
      let o = this.#len;
      for (let p = this.#runStart; p < this.#runEnd; p++) out[o++] = src[p] as number;
    } else {
      // A plain Uint8Array view: cheaper to make than Buffer#copy's or subarray's (~2x for a record).
      this.#buf.set(new Uint8Array(src.buffer, src.byteOffset + this.#runStart, n), this.#len);
    }
    this.#len += n;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#len + n, this.#buf.length * 2));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }
}
