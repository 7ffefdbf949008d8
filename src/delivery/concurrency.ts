// Adaptive request concurrency (AIMD), after Vector's adaptive_concurrency controller.
//
// Time is cut into windows about one RTT long (the baseline mean RTT). At the end of a window:
//   - the limit grows by 1 if the window reached the limit, saw no backpressure, and its mean RTT was
//     not above the baseline (the endpoint is keeping up);
//   - it is multiplied by `decreaseRatio` if the window's mean RTT rose above baseline + k·deviation.
// Backpressure (429, 503, timeouts) multiplies it by `decreaseRatio` at once, at most once per window,
// so a burst of 429s from one overload halves the limit once, not N times. The limit stays within
// [1, max]; `reset()` puts it back to 1 after an outage (come back slowly). With `adaptive: false`
// the limit is fixed at `max`.
//
// State: limit; the baseline (EWMA of window mean RTTs and of their deviation); the current window
// (start, RTT sum/count, reached, backpressure, decreased).

export interface ConcurrencyOptions {
  max: number;
  adaptive: boolean;
  decreaseRatio: number;
  /** Deviations above the baseline RTT that count as "latency rising". */
  rttDeviationK?: number;
  /** EWMA weight of a new window's mean RTT in the baseline. */
  ewmaAlpha?: number;
}

export class ConcurrencyLimiter {
  readonly #opts: Required<ConcurrencyOptions>;
  #limit: number;
  #rttMean: number | null = null;
  #rttDev = 0;
  #windowStart: number | null = null;
  #windowRttSum = 0;
  #windowRttCount = 0;
  #windowReached = false;
  #windowBackpressure = false;
  #decreasedThisWindow = false;

  constructor(opts: ConcurrencyOptions) {
    this.#opts = { rttDeviationK: 2, ewmaAlpha: 0.4, ...opts, max: Math.max(1, opts.max) };
    this.#limit = this.#opts.adaptive ? 1 : this.#opts.max;
  }

  get limit(): number {
    return this.#limit;
  }

  /** The baseline RTT (ms), null before the first window closed. */
  get rttMeanMs(): number | null {
    return this.#rttMean;
  }

  /** Back to 1 after an outage: come back slowly. The RTT baseline is kept. */
  reset(): void {
    if (this.#opts.adaptive) this.#limit = 1;
    this.#newWindow(null);
  }

  /** Called when a request starts, with `inflight` requests now running (including it). */
  onStart(inflight: number, now: number): void {
    if (this.#windowStart === null) this.#windowStart = now;
    if (inflight >= this.#limit) this.#windowReached = true;
  }

  /** A response (or a failure) came back after `rttMs`; `backpressure` for 429/503/timeouts. */
  onResponse(rttMs: number, backpressure: boolean, now: number): void {
    if (!this.#opts.adaptive) return;
    if (this.#windowStart === null) this.#windowStart = now;
    if (backpressure) {
      this.#windowBackpressure = true;
      this.#decrease();
    } else {
      this.#windowRttSum += rttMs;
      this.#windowRttCount++;
    }
    const windowLength = Math.max(this.#rttMean ?? rttMs, 1);
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
      const baseline = this.#rttMean;
      if (baseline === null) {
        this.#rttMean = current;
        this.#rttDev = current / 2;
        if (this.#windowReached && !this.#windowBackpressure && !this.#decreasedThisWindow) this.#grow();
      } else {
        const threshold = baseline + this.#opts.rttDeviationK * this.#rttDev;
        if (current > threshold) this.#decrease();
        else if (this.#windowReached && !this.#windowBackpressure && !this.#decreasedThisWindow && current <= baseline) this.#grow();
        const a = this.#opts.ewmaAlpha;
        this.#rttDev = (1 - a) * this.#rttDev + a * Math.abs(current - baseline);
        this.#rttMean = (1 - a) * baseline + a * current;
      }
    }
    this.#newWindow(now);
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
