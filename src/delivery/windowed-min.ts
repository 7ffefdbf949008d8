// A minimum that ages: the lowest sample taken in the last `buckets` active time buckets of
// `bucketMs` each (the adaptive concurrency limiter's "round trip with no queue"). Owns a ring of at
// most `buckets` (bucket index, minimum) pairs, so memory is fixed however many samples arrive.
//
// Only buckets in which a sample was taken count, and a bucket is dropped only when a newer one
// replaces it: the minimum ages as new measurements come in, not while none do. An output that sent
// nothing through an hour-long outage still remembers what an idle endpoint's round trip was when it
// comes back, which is exactly when it needs to know; after `buckets × bucketMs` of steady sending
// at a genuinely higher round trip (bigger chunks, a longer network path) the old minimum is gone.
// All time comes from the caller.

export class WindowedMin {
  readonly #bucketMs: number;
  readonly #capacity: number;
  /** Bucket indexes (floor(t / bucketMs)) and their minima, oldest first. */
  readonly #index: number[] = [];
  readonly #min: number[] = [];

  constructor(bucketMs: number, buckets: number) {
    if (!(bucketMs > 0) || !(buckets >= 1)) throw new RangeError('WindowedMin needs bucketMs > 0 and buckets >= 1');
    this.#bucketMs = bucketMs;
    this.#capacity = Math.floor(buckets);
  }

  /** Record a sample taken at `now` (ms). */
  add(value: number, now: number): void {
    const index = Math.floor(now / this.#bucketMs);
    const last = this.#index.length - 1;
    const lastIndex = this.#index[last];
    // A clock that stepped back lands the sample in the newest bucket rather than reordering the ring.
    if (lastIndex !== undefined && index <= lastIndex) {
      this.#min[last] = Math.min(this.#min[last] as number, value);
      return;
    }
    this.#index.push(index);
    this.#min.push(value);
    if (this.#index.length > this.#capacity) {
      this.#index.shift();
      this.#min.shift();
    }
  }

  /** The lowest sample of the remembered buckets, or null before the first sample. */
  get value(): number | null {
    if (this.#min.length === 0) return null;
    let m = Infinity;
    for (const v of this.#min) if (v < m) m = v;
    return m;
  }
}
