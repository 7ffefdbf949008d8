// Adaptive request concurrency (AIMD), after Vector's adaptive_concurrency: the limit starts at 1 and
// grows by one per RTT window in which it was reached without backpressure and with latency not above
// the baseline; backpressure (429, 503, timeouts) or latency above mean + k·deviation multiplies it by
// `decreaseRatio` (at most once per window). With `adaptive: false` the limit is fixed at `max`.
//
// State: limit, the latency baseline (EWMA of RTT and of its deviation), the current window.

export interface ConcurrencyOptions {
  max: number;
  adaptive: boolean;
  decreaseRatio: number;
  /** Deviations above the mean RTT that count as "latency rising". */
  rttDeviationK?: number;
  /** EWMA weight of a new RTT sample. */
  ewmaAlpha?: number;
}

export class ConcurrencyLimiter {
  readonly #opts: Required<ConcurrencyOptions>;
  #limit: number;
  #rttMean: number | null = null;
  #rttDev = 0;
  #windowStart = 0;
  #windowReached = false;
  #windowBackpressure = false;
  #windowSlow = false;
  #decreasedThisWindow = false;

  constructor(opts: ConcurrencyOptions) {
    this.#opts = { rttDeviationK: 2, ewmaAlpha: 0.3, ...opts, max: Math.max(1, opts.max) };
    this.#limit = this.#opts.adaptive ? 1 : this.#opts.max;
  }

  get limit(): number {
    return this.#limit;
  }

  get rttMeanMs(): number | null {
    return this.#rttMean;
  }

  /** Back to 1 after an outage: come back slowly. */
  reset(): void {
    if (this.#opts.adaptive) this.#limit = 1;
    this.#windowReached = false;
    this.#windowBackpressure = false;
    this.#windowSlow = false;
  }

  /** Called when a request starts with `inflight` requests now running (including it). */
  onStart(inflight: number, now: number): void {
    if (this.#windowStart === 0) this.#windowStart = now;
    if (inflight >= this.#limit) this.#windowReached = true;
  }

  /** A response (or a failure) came back after `rttMs`; `backpressure` for 429/503/timeouts. */
  onResponse(rttMs: number, backpressure: boolean, now: number): void {
    if (!this.#opts.adaptive) return;
    const mean = this.#rttMean;
    const slow = mean !== null && rttMs > mean + this.#opts.rttDeviationK * this.#rttDev && rttMs > mean * 1.5;
    if (!backpressure) this.#observeRtt(rttMs);
    if (backpressure || slow) {
      if (backpressure) this.#windowBackpressure = true;
      if (slow) this.#windowSlow = true;
      if (!this.#decreasedThisWindow) {
        this.#limit = Math.max(1, Math.floor(this.#limit * this.#opts.decreaseRatio));
        this.#decreasedThisWindow = true;
      }
    }
    const windowLength = Math.max(this.#rttMean ?? rttMs, 1);
    if (now - this.#windowStart >= windowLength) this.#closeWindow(now);
  }

  #observeRtt(rtt: number): void {
    if (this.#rttMean === null) {
      this.#rttMean = rtt;
      this.#rttDev = rtt / 2;
      return;
    }
    const a = this.#opts.ewmaAlpha;
    this.#rttDev = (1 - a) * this.#rttDev + a * Math.abs(rtt - this.#rttMean);
    this.#rttMean = (1 - a) * this.#rttMean + a * rtt;
  }

  #closeWindow(now: number): void {
    if (this.#windowReached && !this.#windowBackpressure && !this.#windowSlow && !this.#decreasedThisWindow) {
      this.#limit = Math.min(this.#opts.max, this.#limit + 1);
    }
    this.#windowStart = now;
    this.#windowReached = false;
    this.#windowBackpressure = false;
    this.#windowSlow = false;
    this.#decreasedThisWindow = false;
  }
}
