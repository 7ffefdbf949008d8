// FreeList: objects kept for reuse: a few at most, and none once they have gone unused for a while.
// The ingest path reuses its part buffers (ingest/part-slabs.ts) and its zlib streams
// (codec/gzip-segments.ts) through one each. Allocating a fresh 1 MiB buffer and a fresh ~270 KB
// deflate state for every part kept glibc's heap fragmented by several MB at the peak (bench/README.md).
//
// Owns the free objects. An object is the caller's between take() and give(); here while free; and
// let go (through `drop`, e.g. closing a stream) when the list is full or nothing used it for idleMs.
// Nothing is kept while idle, so an idle daemon holds none of this memory. The timer is unref'd.

export interface FreeListOptions<T> {
  /** Free objects kept at most; one given beyond that is dropped. */
  maxFree: number;
  /** Free objects are all dropped once neither take() nor give() ran for this long. */
  idleMs: number;
  /** Called for each object let go (default: nothing, the garbage collector frees it). */
  drop?: (item: T) => void;
}

export class FreeList<T> {
  readonly #opts: FreeListOptions<T>;
  #free: T[] = [];
  #usedAt = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: FreeListOptions<T>) {
    this.#opts = opts;
  }

  /** Free objects held now. */
  get size(): number {
    return this.#free.length;
  }

  /** The most recently given free object that `fits` (any, without it); undefined when none does. */
  take(fits?: (item: T) => boolean): T | undefined {
    this.#usedAt = Date.now();
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const item = this.#free[i] as T;
      if (fits && !fits(item)) continue;
      this.#free.splice(i, 1);
      return item;
    }
    return undefined;
  }

  /** Back for reuse (or dropped, when maxFree are already free). */
  give(item: T): void {
    this.#usedAt = Date.now();
    if (this.#free.length >= this.#opts.maxFree) {
      this.#opts.drop?.(item);
      return;
    }
    this.#free.push(item);
    this.#arm();
  }

  /** Drops every free object now. */
  clear(): void {
    const free = this.#free;
    this.#free = [];
    for (const item of free) this.#opts.drop?.(item);
  }

  #arm(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#free.length === 0) return;
      if (Date.now() - this.#usedAt >= this.#opts.idleMs) this.clear();
      else this.#arm();
    }, this.#opts.idleMs);
    this.#timer.unref();
  }
}
