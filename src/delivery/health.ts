// Endpoint health, one per output: the reason a backlog of 10,000 chunks against a dead endpoint costs
// one request per backoff interval, not 10,000.
//
//   healthy ──failure──▶ backoff ──wait over──▶ probing ──probe ok──▶ healthy
//      │                    ▲                      │
//      │                    └──────probe fails─────┘
//      └──401/403──▶ paused ──max_wait over──▶ probing
//
// backoff and paused send nothing at all; probing sends exactly one request. Waits come from the retry
// policy (exponential, full jitter after the cap). Retry-After pauses the whole output for at least
// that long: it is a floor under the backoff wait, never a replacement for it. An endpoint that keeps
// answering "Retry-After: 1" to a fleet still sees each agent's waits double while it stays overloaded,
// instead of the whole fleet coming back every second; the floor gets a little jitter of its own so
// the agents it holds do not all return on the same tick.
//
// The wait grows with the backoff level, one step per counted failure. With `keepLevelAfterProbe`
// (the worker sets it for adaptive concurrency, tdfwd's "come back slowly") a successful probe
// resumes sending but keeps the level; only a success while healthy (a request started after the
// probe) puts it back to 0. Against an endpoint failing 80% of imports, a lucky probe is followed by
// a failure far more often than by a success: with the level reset by every lucky probe, each agent
// of a fleet went from minutes between probes back to a second or two, over and over, for the whole
// incident. Without it, any success resets the level, as fluentd's retry state does.
//
// State: state, consecutive failures (for status), backoff level, resumeAt.
import type { Random } from '../core/clock.js';
import { backoffWait, type BackoffPolicy } from './backoff.js';
import type { OutputState } from './events.js';

export class EndpointHealth {
  #state: OutputState = 'healthy';
  #failures = 0;
  #level = 0;
  #resumeAt: number | null = null;
  readonly #policy: BackoffPolicy;
  readonly #random: Random;
  readonly #keepLevelAfterProbe: boolean;

  constructor(policy: BackoffPolicy, random: Random, opts: { keepLevelAfterProbe?: boolean } = {}) {
    this.#policy = policy;
    this.#random = random;
    this.#keepLevelAfterProbe = opts.keepLevelAfterProbe ?? false;
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

  /** The backoff level: the exponent of the next wait (see the header). */
  get level(): number {
    return this.#level;
  }

  /** A success. True when it ends a probe (the endpoint has recovered). */
  onSuccess(): boolean {
    if (this.#state === 'probing') {
      this.#state = 'healthy';
      this.#failures = 0;
      if (!this.#keepLevelAfterProbe) this.#level = 0;
      return true;
    }
    if (this.#state === 'healthy') {
      this.#failures = 0;
      this.#level = 0;
    }
    return false;
  }

  /**
   * A retryable failure: pause the output. Only a failure seen while healthy or probing counts towards
   * the exponential wait; the other in-flight requests of a failing burst do not multiply it.
   */
  onFailure(now: number, retryAfterMs?: number): void {
    if (this.#state === 'healthy' || this.#state === 'probing') {
      this.#failures++;
      this.#level++;
      const backoff = backoffWait(this.#policy, this.#level, this.#random);
      const wait = retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs + this.#random() * Math.min(1000, retryAfterMs * 0.1 + 100));
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
