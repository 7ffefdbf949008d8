// Adaptive request concurrency (AIMD), after Vector's adaptive_concurrency controller.
//
// Time is cut into windows about one RTT long (the baseline mean RTT). At the end of a window:
//   - the limit grows by 1 if the window reached the limit, saw no backpressure, its mean RTT was
//     not above the baseline (the endpoint is keeping up) AND was within `rttMinFactor` (2×) of the
//     lowest window RTT of the last 10 minutes (see below);
//   - it is multiplied by `decreaseRatio` if the window's mean RTT rose above baseline + k·deviation.
// Backpressure (429, 503, timeouts) multiplies it by `decreaseRatio` at once, at most once per window,
// so a burst of 429s from one overload halves the limit once, not N times. The limit stays within
// [1, max]; `reset()` puts it back to 1 after an outage (come back slowly). With `adaptive: false`
// the limit is fixed at `max`. Only successful requests measure the RTT (as in Vector): a refused
// connection answers in a millisecond and says nothing about how long an import takes.
//
// Why the minimum: the baseline is a running average, so it absorbs a queue that builds up slowly.
// When a thousand agents share one saturated endpoint, every agent's RTT is mostly queue wait, each
// window is "not above the average", and every agent keeps adding requests: the fleet overshoots
// capacity by 2× after an outage. The lowest window RTT seen recently is the round trip without a
// queue; a window more than 2× above it is waiting in a queue, and more concurrency would only
// lengthen that queue. The minimum ages over ~10 minutes of sending, so a genuinely slower endpoint or
// bigger chunks raise it; backpressure and latency-driven decreases re-arm it (see no-queue-rtt.ts).
//
// State: limit; the baseline (EWMA of window mean RTTs and of their deviation); the no-queue RTT
// estimate; the current window (start, RTT sum/count, reached, backpressure, decreased).
import type { Random } from '../core/clock.js';
import { NoQueueRtt } from './no-queue-rtt.js';

export interface ConcurrencyOptions {
  max: number;
  adaptive: boolean;
  decreaseRatio: number;
  /** Deviations above the baseline RTT that count as "latency rising". */
  rttDeviationK?: number;
  /** EWMA weight of a new window's mean RTT in the baseline. */
  ewmaAlpha?: number;
  /** Grow only while a window's mean RTT is within this factor of the recent minimum. */
  rttMinFactor?: number;
  /** How long the minimum is remembered (ms of sending). */
  rttMinSpanMs?: number;
  /** Jitters how long the minimum is remembered, so a fleet does not forget it all at once. */
  random?: Random;
}

export class ConcurrencyLimiter {
  readonly #opts: Required<Omit<ConcurrencyOptions, 'random'>>;
  #limit: number;
  #rttMean: number | null = null;
  #rttDev = 0;
  readonly #rttMin: NoQueueRtt;
  #windowStart: number | null = null;
  #windowRttSum = 0;
  #windowRttCount = 0;
  #windowReached = false;
  #windowBackpressure = false;
  #decreasedThisWindow = false;

  constructor(opts: ConcurrencyOptions) {
    const { random, ...rest } = opts;
    this.#opts = { rttDeviationK: 2, ewmaAlpha: 0.4, rttMinFactor: 2, rttMinSpanMs: 600_000, ...rest, max: Math.max(1, opts.max) };
    this.#rttMin = new NoQueueRtt(this.#opts.rttMinSpanMs, random);
    this.#limit = this.#opts.adaptive ? 1 : this.#opts.max;
  }

  get limit(): number {
    return this.#limit;
  }

  /** The baseline RTT (ms), null before the first window closed. */
  get rttMeanMs(): number | null {
    return this.#rttMean;
  }

  /** The lowest window mean RTT (ms) of the recent past: the round trip with no queue; null before one. */
  get rttMinMs(): number | null {
    return this.#rttMin.value;
  }

  /** Back to 1 after an outage: come back slowly. The RTT baseline and minimum are kept. */
  reset(): void {
    if (this.#opts.adaptive) this.#limit = 1;
    this.#newWindow(null);
  }

  /** Called when a request starts, with `inflight` requests now running (including it). */
  onStart(inflight: number, now: number): void {
    if (this.#windowStart === null) this.#windowStart = now;
    if (inflight >= this.#limit) this.#windowReached = true;
  }

  /**
   * A response (or a failure) came back after `rttMs`; `backpressure` for 429/503/timeouts. Pass
   * `rttMs: null` for a failure whose round trip measures nothing (a refused connection, a 500).
   */
  onResponse(rttMs: number | null, backpressure: boolean, now: number): void {
    if (!this.#opts.adaptive) return;
    if (this.#windowStart === null) this.#windowStart = now;
    if (backpressure) {
      this.#windowBackpressure = true;
      this.#rttMin.rearm(now);
      this.#decrease();
    } else if (rttMs !== null) {
      this.#windowRttSum += rttMs;
      this.#windowRttCount++;
    }
    const windowLength = Math.max(this.#rttMean ?? rttMs ?? 0, 1);
    if (now - this.#windowStart >= windowLength) this.#closeWindow(now);
  }

  #decrease(): void {
    if (this.#decreasedThisWindow) return;
    this.#limit = Math.max(1, Math.floor(this.#limit * this.#opts.decreaseRatio));
    this.#decreasedThisWindow = true;
  }

  #closeWindow(now: number): void {
    if (this.#windowRttCount > 0) {
      const current = this.#windowRttSum / this.#windowRttCount;
      this.#rttMin.add(current, now);
      const baseline = this.#rttMean;
      const mayGrow = this.#windowReached && !this.#windowBackpressure && !this.#decreasedThisWindow && !this.#queued(current);
      if (baseline === null) {
        this.#rttMean = current;
        this.#rttDev = current / 2;
        if (mayGrow) this.#grow();
      } else {
        const threshold = baseline + this.#opts.rttDeviationK * this.#rttDev;
        if (current > threshold) {
          // Latency rising is a queue building: the recent minimum may have aged into it.
          this.#rttMin.rearm(now);
          this.#decrease();
        }
        // "Not above the baseline", within rounding: the EWMA approaches a steady RTT from one side
        // and may never equal it exactly.
        else if (mayGrow && current <= baseline * (1 + 1e-9)) this.#grow();
        const a = this.#opts.ewmaAlpha;
        this.#rttDev = (1 - a) * this.#rttDev + a * Math.abs(current - baseline);
        this.#rttMean = (1 - a) * baseline + a * current;
      }
    }
    this.#newWindow(now);
  }

  /** A window RTT this far above the no-queue round trip is mostly waiting in the endpoint's queue. */
  #queued(current: number): boolean {
    const min = this.#rttMin.value;
    return min !== null && current > min * this.#opts.rttMinFactor;
  }

  #grow(): void {
    this.#limit = Math.min(this.#opts.max, this.#limit + 1);
  }

  #newWindow(start: number | null): void {
    this.#windowStart = start;
    this.#windowRttSum = 0;
    this.#windowRttCount = 0;
    this.#windowReached = false;
    this.#windowBackpressure = false;
    this.#decreasedThisWindow = false;
  }
}
