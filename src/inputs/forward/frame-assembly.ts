// FrameAssembly: the bytes of a forward connection that do not make a whole frame yet, in one buffer
// reused from read to read. A Buffer.concat of the reads for every frame that spanned them allocated and
// dropped a frame's size each time (−3.5 MB of the daemon's peak on the forward bench, bench/README.md).
// A read that starts with nothing held is used as it is; only a partial frame is copied in, into room
// for the whole frame as its header tells (up to PRESIZE_MAX more than arrived: a header alone never
// allocates its claimed size). Let go once nothing is held: an idle connection holds no memory here.
//
// States: empty (no buffer) → holding (bytes [0, held) of a partial frame) → empty.

/** Buffers are sized in steps of this. */
const STEP = 64 * 1024;
/** Room made for a frame beyond the bytes that arrived, at most; past it the buffer doubles as they come. */
const PRESIZE_MAX = 1024 * 1024;

export class FrameAssembly {
  #buf: Buffer | null = null;
  #held = 0;

  /** Bytes of a partial frame held. */
  get held(): number {
    return this.#held;
  }

  /** A read after the held bytes. */
  append(data: Buffer): void {
    const need = this.#held + data.length;
    this.#room(need, 2 * need);
    (this.#buf as Buffer).set(data, this.#held);
    this.#held = need;
  }

  /** The held bytes: valid until the next append or keep. */
  view(): Buffer {
    return this.#buf ? this.#buf.subarray(0, this.#held) : Buffer.alloc(0);
  }

  /**
   * What is left of `from` (a read, or view()) once its frames up to `pos` were taken: the start of a
   * frame of `frameBytes` at least, kept for the next reads. Nothing left lets the buffer go.
   */
  keep(from: Buffer, pos: number, frameBytes: number): void {
    const rest = from.length - pos;
    if (rest === 0) {
      this.#buf = null;
      this.#held = 0;
      return;
    }
    if (this.#buf !== null && from.buffer === this.#buf.buffer && from.byteOffset === this.#buf.byteOffset) {
      this.#buf.copyWithin(0, pos, from.length);
      this.#held = rest;
      return;
    }
    this.#held = 0;
    this.#room(rest, Math.min(frameBytes, rest + PRESIZE_MAX));
    (this.#buf as Buffer).set(from.subarray(pos));
    this.#held = rest;
  }

  /** Room for `need` bytes (sized for `want` when it must grow); the held bytes stay. */
  #room(need: number, want: number): void {
    if (this.#buf !== null && this.#buf.length >= need) return;
    const grown = Buffer.allocUnsafeSlow(Math.ceil(Math.max(need, want) / STEP) * STEP);
    if (this.#buf !== null && this.#held > 0) this.#buf.copy(grown, 0, 0, this.#held);
    this.#buf = grown;
  }
}
