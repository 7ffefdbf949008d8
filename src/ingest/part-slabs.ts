// PartSlabs: the memory a cut part's records are copied into (part-builder.ts), reused once the part
// is compressed. The encoder (encoder.ts) owns one and gives a job's slabs back when every compression
// of that job has settled: the zlib thread pool reads a part's bytes until then.
//
// Owns the free slabs (a FreeList: a few at most, none once idle). A slab is one Buffer with its own
// ArrayBuffer; a part's data is a view of its first bytes. Only slabs this pool handed out are taken
// back, and each once: giving anything else (a filter's new buffer, a small part) does nothing.
import { FreeList } from '../core/free-list.js';

/** Parts smaller than this are plain copies: small allocations do not fragment the heap. */
const MIN_SLAB_BYTES = 64 * 1024;
/** Slab sizes are rounded up to this, so parts of about the same size share slabs. */
const SLAB_STEP = 128 * 1024;
/** About the parts compressing at once (libuv's four threads, a job's parts): more are not kept. */
const MAX_FREE = 4;
const IDLE_MS = 2000;

export class PartSlabs {
  readonly #free = new FreeList<Buffer>({ maxFree: MAX_FREE, idleMs: IDLE_MS });
  /** Slabs handed out and not yet given back, by their memory. */
  readonly #out = new WeakSet<ArrayBufferLike>();

  /** A copy of `bytes`, in a slab when it is large enough to be worth one. */
  copy(bytes: Uint8Array): Buffer {
    const n = bytes.length;
    if (n < MIN_SLAB_BYTES) return Buffer.from(bytes);
    const slab = this.#free.take((s) => s.length >= n) ?? Buffer.allocUnsafeSlow(Math.ceil(n / SLAB_STEP) * SLAB_STEP);
    this.#out.add(slab.buffer);
    slab.set(bytes);
    return slab.subarray(0, n);
  }

  /** The part's memory is no longer read: its slab, if it has one, may be reused. */
  give(data: Uint8Array): void {
    const memory = data.buffer;
    if (!this.#out.delete(memory)) return;
    this.#free.give(Buffer.from(memory, 0, memory.byteLength));
  }

  /** Free slabs held now (for tests). */
  get free(): number {
    return this.#free.size;
  }
}
