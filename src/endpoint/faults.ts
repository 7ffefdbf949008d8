// Fault injection for import and ingest requests, in the order a real outage shows them: a dead
// socket (down), an overloaded front (capacity → 429), a forced status, random 5xx (failRate).
// The switches live in an EndpointFaults object that tests mutate at runtime; the token bucket
// keeps its level between requests and follows capacityRps changes.
import type { EndpointFaults } from './types.js';

export type FaultVerdict =
  | { kind: 'down' }
  | { kind: 'status'; fault: 'capacity' | 'forced' | 'failed'; status: number; headers: Record<string, string> }
  | null;

/** A token bucket holding at most one second of capacity (at least one token). */
export class TokenBucket {
  #tokens = -1;
  #at = 0;
  #rate = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(rate: number): boolean {
    const now = this.now();
    const burst = Math.max(1, rate);
    if (rate !== this.#rate || this.#tokens < 0) {
      // a new rate (or the first call) starts with a full bucket
      this.#rate = rate;
      this.#tokens = burst;
      this.#at = now;
    } else {
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#at) / 1000) * rate);
      this.#at = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export class FaultGate {
  constructor(
    readonly faults: EndpointFaults,
    private readonly bucket: TokenBucket,
    private readonly random: () => number,
  ) {}

  /** The fault to inject before the request is looked at, or null to let it through. */
  before(): FaultVerdict {
    const f = this.faults;
    if (f.down) return { kind: 'down' };
    if (f.capacityRps > 0 && !this.bucket.take(f.capacityRps)) {
      return { kind: 'status', fault: 'capacity', status: 429, headers: { 'retry-after': '1' } };
    }
    if (f.forceStatus) {
      return { kind: 'status', fault: 'forced', status: f.forceStatus.status, headers: { ...(f.forceStatus.headers ?? {}) } };
    }
    if (f.failRate > 0 && this.random() < f.failRate) {
      return { kind: 'status', fault: 'failed', status: 500, headers: {} };
    }
    return null;
  }

  /** After importing: hold the socket unanswered, reset it, or answer (null). */
  afterImport(): 'hold' | 'reset' | null {
    const { acceptThenTimeout: hold, acceptThenReset: reset } = this.faults;
    if (hold <= 0 && reset <= 0) return null;
    const r = this.random();
    if (r < hold) return 'hold';
    if (r < hold + reset) return 'reset';
    return null;
  }
}
