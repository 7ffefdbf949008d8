// The delivery engine: one OutputWorker per output, a router from tags to workers, and the two ways
// to run it: `start()` for the daemon (runs until stop) and `drain()` for `tdfwd flush` (runs until no
// deliverable chunk is left, or the timeout). The only module that sees both the buffer (through
// DeliveryQueue) and the outputs.
import type { Clock, Random } from '../core/clock.js';
import type { Output } from '../outputs/types.js';
import { Router } from '../router/router.js';
import { combineObservers, type DeliveryObserver, type OutputState } from './events.js';
import type { DeliveryQueue } from './queue.js';
import { OutputWorker, type WorkerStatus } from './worker.js';

export interface EngineOptions {
  queue: DeliveryQueue;
  outputs: readonly Output[];
  clock: Clock;
  random: Random;
  observer?: DeliveryObserver;
  pollMs?: number;
  /** Only deliver tags this accepts (`tdfwd flush --match`). */
  tagFilter?: (tag: string) => boolean;
}

/**
 * Why a drain ended: nothing deliverable left (`done`), the timeout ran out (`timeout`), every output
 * with work waits until after the deadline (`stuck`: paused or backed off, no point waiting), or the
 * signal aborted (`interrupted`).
 */
export type DrainEnd = 'done' | 'timeout' | 'stuck' | 'interrupted';

/** An output that still had chunks to deliver when the drain ended, and why it had not. */
export interface WaitingOutput {
  name: string;
  state: OutputState;
  /** When it will try again (ms epoch), if it waits. */
  resumeAt: number | null;
  /** Its last failure's reason, if its last attempt failed. */
  lastError: string | null;
}

export interface DrainResult {
  /** True when no deliverable chunk is left (nothing queued for an output, nothing in flight). */
  complete: boolean;
  end: DrainEnd;
  /** Outputs that still have work (empty when complete). */
  waiting: WaitingOutput[];
  /** Queued tags no output matches. */
  unrouted: string[];
}

export class DeliveryEngine {
  readonly workers: OutputWorker[];
  readonly #o: EngineOptions;
  readonly #router: Router<OutputWorker>;
  #tagCache: { at: number; tags: string[] } | null = null;
  readonly #warnedUnrouted = new Set<string>();
  readonly #observer: DeliveryObserver;

  constructor(o: EngineOptions) {
    this.#o = o;
    this.#observer = combineObservers(o.observer, { outcome: () => (this.#tagCache = null) });
    this.workers = o.outputs.map(
      (output) =>
        new OutputWorker({
          output,
          queue: o.queue,
          clock: o.clock,
          random: o.random,
          observer: this.#observer,
          pollMs: o.pollMs ?? 1000,
          tags: () => this.#queuedTags().filter((t) => this.#router.route(t) === this.#workerOf(output)),
        }),
    );
    this.#router = new Router(o.outputs.map((out, i) => ({ pattern: out.config.match, target: this.workers[i] as OutputWorker })));
  }

  #workerOf(output: Output): OutputWorker | undefined {
    return this.workers.find((w) => w.output === output);
  }

  /** Queued tags accepted by the filter, cached for a few ms so N workers do not each query. */
  #queuedTags(): string[] {
    const now = this.#o.clock.now();
    if (!this.#tagCache || now - this.#tagCache.at > 20) {
      const filter = this.#o.tagFilter;
      const tags = this.#o.queue.queuedTags();
      this.#tagCache = { at: now, tags: filter ? tags.filter(filter) : tags };
    }
    return this.#tagCache.tags;
  }

  /** Queued tags that no output matches (counted and reported once per tag by the caller). */
  unroutedTags(): string[] {
    this.#tagCache = null;
    return this.#queuedTags().filter((t) => this.#router.route(t) === null);
  }

  /** Unrouted tags not reported before. */
  newlyUnrouted(): string[] {
    const fresh = this.unroutedTags().filter((t) => !this.#warnedUnrouted.has(t));
    for (const t of fresh) this.#warnedUnrouted.add(t);
    return fresh;
  }

  start(): void {
    this.#o.queue.reclaimLeases();
    for (const w of this.workers) w.start();
  }

  /** New chunks may be there: look now. */
  wake(): void {
    this.#tagCache = null;
    for (const w of this.workers) w.wake();
  }

  #hasQueued(w: OutputWorker): boolean {
    return this.#queuedTags().some((t) => this.#router.route(t) === w);
  }

  /**
   * Deliver until nothing deliverable is left, `timeoutMs` passes, or `signal` aborts. Workers are
   * started if not running. Checks every `checkMs`.
   */
  async drain(timeoutMs: number, signal?: AbortSignal, checkMs = 100): Promise<DrainResult> {
    const { clock } = this.#o;
    const deadline = clock.now() + timeoutMs;
    this.start();
    let end: DrainEnd = 'done';
    for (;;) {
      const queuedLeft = this.workers.some((w) => this.#hasQueued(w) || w.inflight > 0);
      if (!queuedLeft) break;
      if (signal?.aborted) {
        end = 'interrupted';
        break;
      }
      if (clock.now() >= deadline) {
        end = 'timeout';
        break;
      }
      if (this.#stuckUntilAfter(deadline)) {
        end = 'stuck';
        break;
      }
      await clock.sleep(Math.min(checkMs, Math.max(1, deadline - clock.now())), signal);
      this.#tagCache = null;
    }
    this.#tagCache = null;
    const busy = this.workers.filter((w) => this.#hasQueued(w) || w.inflight > 0);
    const waiting = busy.map((w) => ({ name: w.name, state: w.state, resumeAt: w.resumeAt, lastError: w.lastError }));
    return { complete: busy.length === 0, end: busy.length === 0 ? 'done' : end, waiting, unrouted: this.unroutedTags() };
  }

  /** Every output with work waits (backoff, paused) until after the deadline: no point waiting. */
  #stuckUntilAfter(deadline: number): boolean {
    const busy = this.workers.filter((w) => this.#hasQueued(w) || w.inflight > 0);
    return busy.length > 0 && busy.every((w) => w.inflight === 0 && w.resumeAt !== null && w.resumeAt > deadline);
  }

  async stop(graceMs: number): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(graceMs)));
  }

  status(): WorkerStatus[] {
    return this.workers.map((w) => w.status());
  }
}
