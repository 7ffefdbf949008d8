// The adaptive concurrency limiter's estimate of the round trip WITHOUT a queue at the endpoint: the
// lowest window RTT seen recently. Owns two windowed minima of window mean RTTs and nothing else:
//   recent  the last ~10 minutes of sending (the reference the limiter compares against; it ages,
//           so bigger chunks or a longer network path raise it within one span);
//   floor   the last ~10 hours of sending (what the endpoint answered when nothing was queued).
//
// Evidence of a queue (backpressure, or a latency rise that shrank the limit) re-arms `recent` from
// `floor`: a reference that had aged into a queue's round trip is thrown away, and aging starts over.
// Without that, a fleet that keeps a shared endpoint's queue full for hours (every agent backlogged,
// every round trip mostly queue wait) sees the queue's round trip become "the minimum" after one span,
// grows again and overflows the queue, every span, all together.
//
// The span is jittered per output (±50%, with the injected Random) so agents that came back together
// do not forget their minimum together (rule 4: jitter everything many agents do at once).
import type { Random } from '../core/clock.js';
import { WindowedMin } from './windowed-min.js';

const BUCKETS = 10;
const FLOOR_SPAN_MS = 10 * 3_600_000;

export class NoQueueRtt {
  readonly #recentBucketMs: number;
  #recent: WindowedMin;
  readonly #floor = new WindowedMin(FLOOR_SPAN_MS / BUCKETS, BUCKETS);

  /** `spanMs`: how long the recent minimum is remembered, jittered ±50% when `random` is given. */
  constructor(spanMs: number, random?: Random) {
    const span = random ? spanMs * (0.5 + random()) : spanMs;
    this.#recentBucketMs = Math.max(1, span / BUCKETS);
    this.#recent = new WindowedMin(this.#recentBucketMs, BUCKETS);
  }

  /** A window's mean RTT (ms) of successful requests, measured at `now`. */
  add(rttMs: number, now: number): void {
    this.#recent.add(rttMs, now);
    this.#floor.add(rttMs, now);
  }

  /** The endpoint showed a queue: forget what the recent minimum aged into; start aging from the floor. */
  rearm(now: number): void {
    const floor = this.#floor.value;
    if (floor === null) return;
    this.#recent = new WindowedMin(this.#recentBucketMs, BUCKETS);
    this.#recent.add(floor, now);
  }

  /** The reference no-queue RTT (ms), or null before the first measurement. */
  get value(): number | null {
    return this.#recent.value;
  }
}
