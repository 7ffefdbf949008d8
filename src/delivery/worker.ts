// One output's delivery loop. Owns: the output's EndpointHealth, its ConcurrencyLimiter, the requests
// in flight, and the timer that wakes it. Everything it decides comes from classified Outcomes; all
// time comes from the injected clock.
//
// pump(): if the health allows, lease as many chunks as there are free slots (in-doubt chunks first,
// then oldest) and send them. Each Outcome updates the chunk in the queue (ack / release / park /
// split) and the health and concurrency, then pumps again. With nothing to send it sleeps until
// `pollMs` passes or `wake()` is called.
import { setMaxListeners } from 'node:events';
import type { SealedChunk } from '../core/chunk.js';
import type { Clock, Random, TimerHandle } from '../core/clock.js';
import type { Outcome } from '../core/outcome.js';
import { retryOnClock } from '../core/retry-on-clock.js';
import type { Output } from '../outputs/types.js';
import { ConcurrencyLimiter } from './concurrency.js';
import type { ChunkAction, DeliveryObserver, OutputState } from './events.js';
import { EndpointHealth } from './health.js';
import type { DeliveryQueue } from './queue.js';
import { splitChunk } from './split.js';

export interface WorkerOptions {
  output: Output;
  queue: DeliveryQueue;
  clock: Clock;
  random: Random;
  observer: DeliveryObserver;
  /** The queued tags this output delivers (the engine routes tags to outputs). */
  tags: () => string[];
  /** How often to look for new chunks when idle. */
  pollMs: number;
}

export interface WorkerStatus {
  name: string;
  state: OutputState;
  concurrency: number;
  inflight: number;
  next_attempt_at: string | null;
  consecutive_failures: number;
  /** False until an attempt of this process has an outcome: nothing is known of the endpoint yet. */
  contacted: boolean;
}

export class OutputWorker {
  readonly output: Output;
  readonly #o: WorkerOptions;
  readonly #health: EndpointHealth;
  readonly #limiter: ConcurrencyLimiter;
  readonly #abort = new AbortController();
  readonly #inflight = new Set<Promise<void>>();
  #timer: TimerHandle | null = null;
  #running = false;
  /** The buffer refused a write and no write has worked since (reported once). */
  #bufferFailing = false;
  #lastLeaseEmpty = false;
  /** An attempt of this process has had an outcome. */
  #contacted = false;
  /** The reason of the last failed attempt; null once an attempt succeeds. */
  #lastError: string | null = null;
  /** Keys of in-doubt chunks whose duplicate risk was already reported (dropped once settled). */
  readonly #duplicateRiskReported = new Set<string>();

  constructor(o: WorkerOptions) {
    this.#o = o;
    this.output = o.output;
    const cfg = o.output.config;
    // Adaptive concurrency is "come back slowly": it restarts at 1, and a single lucky probe does not
    // put the backoff back to its first, shortest wait either (health.ts).
    this.#health = new EndpointHealth(cfg.retry, o.random, { keepLevelAfterProbe: cfg.concurrency.adaptive });
    this.#limiter = new ConcurrencyLimiter({ ...cfg.concurrency, random: o.random });
    // Every request in flight listens on the stop signal, and undici releases a finished request's
    // listener lazily: allow a few per concurrency slot without Node's leak warning.
    setMaxListeners(Math.max(10, cfg.concurrency.max * 4 + 8), this.#abort.signal);
  }

  get name(): string {
    return this.output.name;
  }

  get state(): OutputState {
    return this.#health.state;
  }

  /** When a backed-off or paused output will try again (ms epoch), else null. */
  get resumeAt(): number | null {
    return this.#health.resumeAt;
  }

  /** Why the last attempt failed (null if it succeeded, or none was made). */
  get lastError(): string | null {
    return this.#lastError;
  }

  get inflight(): number {
    return this.#inflight.size;
  }

  /** True when the last look found nothing to send and nothing is in flight. */
  get idle(): boolean {
    return this.#inflight.size === 0 && this.#lastLeaseEmpty;
  }

  status(): WorkerStatus {
    const at = this.#health.resumeAt;
    return {
      name: this.name,
      state: this.#health.state,
      concurrency: this.#limiter.limit,
      inflight: this.#inflight.size,
      next_attempt_at: at === null ? null : new Date(at).toISOString(),
      consecutive_failures: this.#health.failures,
      contacted: this.#contacted,
    };
  }

  start(): void {
    this.#running = true;
    this.pump();
  }

  /** Look for work now (after a seal, a SIGUSR1, an unpark). */
  wake(): void {
    if (this.#running) this.pump();
  }

  pump(): void {
    if (!this.#running) return;
    this.#cancelTimer();
    const now = this.#o.clock.now();
    const before = this.#health.state;
    const state = this.#health.tick(now);
    if (state !== before) this.#o.observer.stateChange?.(this.name, before, state, 'wait over', null);
    if (state === 'backoff' || state === 'paused') {
      this.#lastLeaseEmpty = false;
      this.#sleepUntil(this.#health.resumeAt ?? now + this.#o.pollMs);
      return;
    }
    const slots = this.#health.slots(this.#limiter.limit, this.#inflight.size);
    if (slots > 0) {
      const tags = this.#o.tags();
      let chunks: SealedChunk[];
      try {
        chunks = tags.length > 0 ? this.#o.queue.lease(slots, tags, this.#leaseMs()) : [];
        this.#bufferOk();
      } catch (err) {
        // Nothing was leased (the transaction rolled back): look again at the next poll.
        this.#bufferFailed(err);
        chunks = [];
      }
      this.#lastLeaseEmpty = chunks.length === 0;
      for (const chunk of chunks) this.#send(chunk);
    }
    if (this.#inflight.size === 0) this.#sleepUntil(now + this.#o.pollMs);
  }

  /** Stop starting requests; wait up to graceMs for those in flight, then abort them (#interrupted). */
  async stop(graceMs: number): Promise<void> {
    this.#running = false;
    this.#cancelTimer();
    if (this.#inflight.size > 0) {
      const grace = new AbortController();
      const all = Promise.allSettled([...this.#inflight]);
      await Promise.race([all, this.#o.clock.sleep(graceMs, grace.signal)]);
      grace.abort();
      this.#abort.abort();
      await all;
    }
    await this.output.close();
  }

  #leaseMs(): number {
    // Long enough for one attempt, its retries inside the output (table creation) and slack.
    return this.output.config.timeout * 3 + 60_000;
  }

  #send(chunk: SealedChunk): void {
    const now = this.#o.clock.now();
    this.#checkDuplicateRisk(chunk, now);
    // Counted before the request is added to #inflight, so include it: at limit L, the L-th request
    // is what "reached the limit" means to the limiter.
    this.#limiter.onStart(this.#inflight.size + 1, now);
    this.#o.observer.attempt?.(this.name, chunk, this.#inflight.size);
    const p = (async () => {
      let outcome: Outcome;
      try {
        outcome = await this.output.send(chunk, this.#abort.signal);
      } catch (err) {
        outcome = { kind: 'retry', reason: `output error: ${(err as Error).message}`, backpressure: false, latencyMs: 0 };
      }
      // Stopped (Ctrl-C on a flush, the daemon's stop after its grace): the abort is ours, not the
      // endpoint's failure. A success that made it back is still acked.
      if (this.#abort.signal.aborted && outcome.kind !== 'success') this.#interrupted(chunk);
      else await this.#settle(chunk, outcome);
    })().catch((err: unknown) => this.#bufferFailed(err)); // the chunk stays leased: reclaimed at the next start

    this.#inflight.add(p);
    void p.finally(() => {
      this.#inflight.delete(p);
      this.pump();
    });
  }

  /**
   * An in-doubt chunk re-sent later than the dedup window after it first went in doubt may be imported
   * twice. Reported once per chunk (per process), however many re-sends follow.
   */
  #checkDuplicateRisk(chunk: SealedChunk, now: number): void {
    if (chunk.inDoubtSince === null || this.#duplicateRiskReported.has(chunk.key)) return;
    const inDoubtFor = now - chunk.inDoubtSince;
    if (inDoubtFor <= this.output.config.dedupWindow) return;
    this.#duplicateRiskReported.add(chunk.key);
    this.#o.observer.duplicateRisk?.(this.name, chunk, inDoubtFor, 'window');
  }

  async #settle(chunk: SealedChunk, outcome: Outcome): Promise<void> {
    const { queue, clock, observer } = this.#o;
    const now = clock.now();
    const prevLimit = this.#limiter.limit;
    const before = this.#health.state;
    let action: ChunkAction;
    let detail: string | undefined;
    switch (outcome.kind) {
      case 'success': {
        action = (await this.#record(() => queue.ack(chunk.id))) ? 'acked' : 'lease_lost';
        this.#limiter.onResponse(outcome.latencyMs, false, now);
        if (this.#health.onSuccess()) this.#limiter.reset();
        break;
      }
      case 'retry':
      case 'in_doubt': {
        const inDoubt = outcome.kind === 'in_doubt';
        const backpressure = inDoubt || outcome.backpressure;
        // A failure's round trip is not an import's (a refused connection answers in 1 ms): no RTT.
        this.#limiter.onResponse(null, backpressure, now);
        const limitReason = this.#retryLimitReached(chunk, now);
        if (limitReason) {
          action = (await this.#record(() => queue.park(chunk.id, `${limitReason}; last error: ${outcome.reason}`))) ? 'parked' : 'lease_lost';
          detail = limitReason;
        } else {
          action = (await this.#record(() => queue.release(chunk.id, outcome.reason, inDoubt))) ? 'released' : 'lease_lost';
        }
        this.#health.onFailure(now, outcome.kind === 'retry' ? outcome.retryAfterMs : undefined);
        break;
      }
      case 'park':
        action = (await this.#record(() => queue.park(chunk.id, outcome.reason))) ? 'parked' : 'lease_lost';
        break;
      case 'pause':
        action = (await this.#record(() => queue.release(chunk.id, outcome.reason, false))) ? 'released' : 'lease_lost';
        this.#health.onPause(now);
        break;
      case 'split': {
        const halves = await splitChunk(chunk);
        if (typeof halves === 'string') {
          action = (await this.#record(() => queue.park(chunk.id, `${outcome.reason}; ${halves}`))) ? 'parked' : 'lease_lost';
        } else {
          action = (await this.#record(() => queue.split(chunk, halves))).length === 2 ? 'split' : 'lease_lost';
          // In doubt, the parent may have been imported; the halves' new keys cannot be matched to it.
          if (action === 'split' && chunk.inDoubtSince !== null && !this.#duplicateRiskReported.has(chunk.key)) {
            observer.duplicateRisk?.(this.name, chunk, now - chunk.inDoubtSince, 'split');
          }
        }
        break;
      }
    }
    this.#contacted = true;
    this.#lastError = outcome.kind === 'success' ? null : outcome.reason;
    if (action !== 'released') this.#duplicateRiskReported.delete(chunk.key);
    observer.outcome?.(this.name, chunk, outcome, action, detail);
    const after = this.#health.state;
    if (after !== before) observer.stateChange?.(this.name, before, after, outcomeReason(outcome), this.#health.resumeAt);
    if (this.#limiter.limit !== prevLimit) observer.concurrency?.(this.name, this.#limiter.limit);
  }

  /**
   * An attempt this process cut short: the chunk goes back to `queued`, in doubt (the endpoint may
   * have imported it), with no failure recorded, logged or counted, and no change to health or
   * concurrency. Done at once rather than left to the buffer's close, so a reload's new delivery can
   * lease it. Without `unlease` (or if the write fails) it stays leased, and closing the buffer or the
   * next start returns it.
   */
  #interrupted(chunk: SealedChunk): void {
    try {
      this.#o.queue.unlease?.(chunk.id);
    } catch (err) {
      this.#bufferFailed(err);
    }
  }

  /**
   * Records what happened to a chunk in the buffer; while the buffer cannot write (a full disk), again
   * every second until it sticks or the worker is aborted. Then the chunk stays leased, and the next
   * start reclaims it (re-sent with its key, which the endpoint deduplicates).
   */
  #record<T>(write: () => T): Promise<T> {
    return retryOnClock(
      () => {
        const result = write();
        this.#bufferOk();
        return result;
      },
      {
        clock: this.#o.clock,
        signal: this.#abort.signal,
        retryable: () => true,
        delayMs: () => 1000,
        onFailure: (err) => this.#bufferFailed(err),
      },
    );
  }

  /** The first buffer failure of a streak is reported; the streak ends at the next write that works. */
  #bufferFailed(err: unknown): void {
    if (this.#bufferFailing) return;
    this.#bufferFailing = true;
    this.#o.observer.bufferError?.(this.name, err instanceof Error ? err.message : String(err));
  }

  #bufferOk(): void {
    this.#bufferFailing = false;
  }

  /** A sentence if this chunk has failed for too long or too often (then it is parked, not deleted). */
  #retryLimitReached(chunk: SealedChunk, now: number): string | null {
    const retry = this.output.config.retry;
    if (retry.maxAttempts !== null && chunk.attempts >= retry.maxAttempts) return `gave up after ${chunk.attempts} attempts (retry.max_attempts)`;
    if (chunk.firstAttemptAt !== null && now - chunk.firstAttemptAt >= retry.timeout) return `failing for longer than retry.timeout`;
    return null;
  }

  #sleepUntil(at: number): void {
    this.#cancelTimer();
    if (!this.#running) return;
    this.#timer = this.#o.clock.setTimer(Math.max(0, at - this.#o.clock.now()), () => {
      this.#timer = null;
      this.pump();
    });
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = null;
  }
}

function outcomeReason(o: Outcome): string {
  return o.kind === 'success' ? `HTTP ${o.status}` : o.reason;
}
