// Endpoint health, one per output: the reason a backlog of 10,000 chunks against a dead endpoint costs
// one request per backoff interval, not 10,000.
//
//   healthy ──failure──▶ backoff ──wait over──▶ probing ──probe ok──▶ healthy
//      │                    ▲                      │
//      │                    └──────probe fails─────┘
//      └──401/403──▶ paused ──max_wait over──▶ probing
//
// backoff and paused send nothing at all; probing sends exactly one request. Waits come from the retry
// policy, or from Retry-After (which pauses the whole output, plus a little jitter).
import type { Random } from '../core/clock.js';
import { backoffWait, type BackoffPolicy } from './backoff.js';
import type { OutputState } from './events.js';

export class EndpointHealth {
  #state: OutputState = 'healthy';
  #failures = 0;
  #resumeAt: number | null = null;
  readonly #policy: BackoffPolicy;
  readonly #random: Random;

  constructor(policy: BackoffPolicy, random: Random) {
    this.#policy = policy;
    this.#random = random;
  }

  get state(): OutputState {
    return this.#state;
  }

  get resumeAt(): number | null {
    return this.#resumeAt;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Moves backoff/paused to probing once the wait is over. Returns the state to act on. */
  tick(now: number): OutputState {
    if ((this.#state === 'backoff' || this.#state === 'paused') && this.#resumeAt !== null && now >= this.#resumeAt) {
      this.#state = 'probing';
      this.#resumeAt = null;
    }
    return this.#state;
  }

  /** How many new requests may start now, given the concurrency limit and those in flight. */
  slots(limit: number, inflight: number): number {
    switch (this.#state) {
      case 'healthy':
        return Math.max(0, limit - inflight);
      case 'probing':
        return inflight === 0 ? 1 : 0;
      default:
        return 0;
    }
  }

  /** A success. True when it ends a probe (the endpoint has recovered). */
  onSuccess(): boolean {
    if (this.#state === 'probing') {
      this.#state = 'healthy';
      this.#failures = 0;
      return true;
    }
    if (this.#state === 'healthy') this.#failures = 0;
    return false;
  }

  /**
   * A retryable failure: pause the output. Only a failure seen while healthy or probing counts towards
   * the exponential wait; the other in-flight requests of a failing burst do not multiply it.
   */
  onFailure(now: number, retryAfterMs?: number): void {
    if (this.#state === 'healthy' || this.#state === 'probing') {
      this.#failures++;
      const wait = retryAfterMs !== undefined ? retryAfterMs + this.#random() * Math.min(1000, retryAfterMs * 0.1 + 100) : backoffWait(this.#policy, this.#failures, this.#random);
      this.#state = 'backoff';
      this.#resumeAt = now + wait;
    } else if (retryAfterMs !== undefined && this.#state === 'backoff') {
      this.#resumeAt = Math.max(this.#resumeAt ?? now, now + retryAfterMs);
    }
  }

  /** Credentials refused: pause for max_wait (jittered ±10%), keep the data. */
  onPause(now: number): void {
    this.#state = 'paused';
    this.#resumeAt = now + this.#policy.maxWait * (0.9 + this.#random() * 0.2);
  }
}
