// The delivery engine: one OutputWorker per output, a router from tags to workers, and the two ways
// to run it: `start()` for the daemon (runs until stop) and `drain()` for `tdfwd flush` (runs until no
// deliverable chunk is left, or the timeout). The only module that sees both the buffer (through
// DeliveryQueue) and the outputs.
//
// Routing: a queued chunk is either routed by its tag when leased (`routing: first_match`: the first
// output whose match accepts it; `copy`: the one output that does, when only one does) or is a fan-out
// copy given to one output. Under `copy`, a tag that several outputs match is fanned out (the queue's
// fanOut) before any of them leases it, so each output delivers its own copy with its own key, state
// and retries. Each worker leases through a view of the queue that takes only its tags and its copies.
import type { PendingRoute } from '../core/chunk.js';
import type { Clock, Random } from '../core/clock.js';
import type { Output } from '../outputs/types.js';
import { Router, type Routing } from '../router/router.js';
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
  /** first_match (default): one output per tag; copy: every output that matches gets a copy. */
  routing?: Routing;
}

/** The queued work, as last looked at: tags routed by tag, and fan-out copies by output. */
interface QueuedWork {
  at: number;
  tags: string[];
  copies: { output: string; tag: string }[];
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
  /** Queued tags no output matches (and copies for an output no longer configured). */
  unrouted: string[];
}

export class DeliveryEngine {
  readonly workers: OutputWorker[];
  readonly #o: EngineOptions;
  readonly #router: Router<OutputWorker>;
  readonly #routing: Routing;
  #work: QueuedWork | null = null;
  #reclaimPending = false;
  #reclaimReported = false;
  readonly #warnedUnrouted = new Set<string>();
  readonly #observer: DeliveryObserver;

  constructor(o: EngineOptions) {
    this.#o = o;
    this.#routing = o.routing ?? 'first_match';
    this.#observer = combineObservers(o.observer, { outcome: () => (this.#work = null) });
    this.workers = o.outputs.map(
      (output) =>
        new OutputWorker({
          output,
          queue: this.#queueFor(output.name),
          clock: o.clock,
          random: o.random,
          observer: this.#observer,
          pollMs: o.pollMs ?? 1000,
          tags: () => this.#tagsOf(output.name),
        }),
    );
    this.#router = new Router(o.outputs.map((out, i) => ({ pattern: out.config.match, target: this.workers[i] as OutputWorker })));
  }

  /**
   * The one worker that leases the chunks of `tag` routed by tag; null when no output matches, or,
   * under `copy`, when several do (those chunks are fanned out to them first).
   */
  #soleWorker(tag: string): OutputWorker | null {
    if (this.#routing === 'first_match') return this.#router.route(tag);
    const all = this.#router.routeAll(tag);
    return all.length === 1 ? (all[0] as OutputWorker) : null;
  }

  /**
   * What a drain would deliver of `pending` (the store's pendingByRoute): a chunk routed by tag counts
   * once per output it goes to (under `copy`, each matching output gets a copy), a fan-out copy once;
   * tags outside the tag filter, or that no output matches, count nothing.
   */
  deliveriesOf(pending: readonly PendingRoute[]): { chunks: number; records: number } {
    const names = new Set(this.workers.map((w) => w.name));
    let chunks = 0;
    let records = 0;
    for (const p of pending) {
      if (this.#o.tagFilter && !this.#o.tagFilter(p.tag)) continue;
      let times: number;
      if (p.output !== null) times = names.has(p.output) ? 1 : 0;
      else if (this.#routing === 'copy') times = this.#router.routeAll(p.tag).length;
      else times = this.#router.route(p.tag) ? 1 : 0;
      chunks += p.chunks * times;
      records += p.records * times;
    }
    return { chunks, records };
  }

  /** The queued tags an output delivers: those routed to it alone, and those of its copies. */
  #tagsOf(name: string): string[] {
    const work = this.#queued();
    const tags = work.tags.filter((t) => this.#soleWorker(t)?.name === name);
    for (const c of work.copies) if (c.output === name && !tags.includes(c.tag)) tags.push(c.tag);
    return tags;
  }

  /** The queue as one output's worker sees it: a lease takes only its tags and its copies. */
  #queueFor(name: string): DeliveryQueue {
    const q = this.#o.queue;
    return {
      queuedTags: () => q.queuedTags(),
      reclaimLeases: () => q.reclaimLeases(),
      lease: (limit, tags, leaseMs) => q.lease(limit, tags.filter((t) => this.#soleWorker(t)?.name === name), leaseMs, { output: name, tags }),
      ack: (id) => q.ack(id),
      release: (id, error, inDoubt) => q.release(id, error, inDoubt),
      ...(q.unlease ? { unlease: (id: number) => q.unlease?.(id) ?? false } : {}),
      park: (id, reason) => q.park(id, reason),
      split: (parent, halves) => q.split(parent, halves),
    };
  }

  /**
   * The queued work accepted by the filter, cached for a few ms so N workers do not each query. Under
   * `copy`, tags that several outputs match are fanned out first.
   */
  #queued(): QueuedWork {
    const now = this.#o.clock.now();
    if (!this.#work || now - this.#work.at > 20) {
      this.#reclaim();
      const { queue, tagFilter } = this.#o;
      const pass = (t: string): boolean => !tagFilter || tagFilter(t);
      let tags = queue.queuedTags().filter(pass);
      if (this.#routing === 'copy' && this.#fanOut(tags)) tags = queue.queuedTags().filter(pass);
      const copies = (queue.queuedCopies?.() ?? []).filter((c) => pass(c.tag));
      this.#work = { at: now, tags, copies };
    }
    return this.#work;
  }

  /** Fans out the tags several outputs match; true if any chunk was. A failed write is tried again at the next look. */
  #fanOut(tags: readonly string[]): boolean {
    const { queue } = this.#o;
    if (!queue.fanOut) return false;
    let any = false;
    for (const tag of tags) {
      const all = this.#router.routeAll(tag);
      if (all.length < 2) continue;
      try {
        if (queue.fanOut(tag, all.map((w) => w.name)) > 0) any = true;
      } catch (err) {
        this.#observer.bufferError?.((all[0] as OutputWorker).name, `copying chunks of ${tag} to ${all.length} outputs failed: ${(err as Error).message}`);
      }
    }
    return any;
  }

  /**
   * Queued tags that no output matches, and copies for an output no longer configured (counted and
   * reported once each by the caller).
   */
  unroutedTags(): string[] {
    this.#work = null;
    const work = this.#queued();
    const names = new Set(this.workers.map((w) => w.name));
    const orphans = work.copies.filter((c) => !names.has(c.output)).map((c) => `${c.tag} (copies for output ${c.output}, which is not configured)`);
    return [...work.tags.filter((t) => this.#router.route(t) === null), ...orphans];
  }

  /** Unrouted tags not reported before. */
  newlyUnrouted(): string[] {
    const fresh = this.unroutedTags().filter((t) => !this.#warnedUnrouted.has(t));
    for (const t of fresh) this.#warnedUnrouted.add(t);
    return fresh;
  }

  start(): void {
    this.#reclaimPending = true;
    this.#reclaim();
    for (const w of this.workers) w.start();
  }

  /**
   * Chunks a stopped process left in flight go back to the queue. The write fails on a full disk: then
   * delivery starts anyway (what is queued can go out and free space) and every later look tries again,
   * reporting the failure once.
   */
  #reclaim(): void {
    if (!this.#reclaimPending) return;
    try {
      this.#o.queue.reclaimLeases();
      this.#reclaimPending = false;
    } catch (err) {
      if (this.#reclaimReported) return;
      this.#reclaimReported = true;
      this.#observer.bufferError?.('delivery', `taking back the chunks a stopped process had in flight failed: ${(err as Error).message}`);
    }
  }

  /** New chunks may be there: look now. */
  wake(): void {
    this.#work = null;
    for (const w of this.workers) w.wake();
  }

  #hasQueued(w: OutputWorker): boolean {
    return this.#tagsOf(w.name).length > 0;
  }

  /**
   * Deliver until nothing deliverable is left, `timeoutMs` passes, or `signal` aborts. Workers are
   * started if not running. Checks every `checkMs`.
   */
  async drain(timeoutMs: number, signal?: AbortSignal, checkMs = 100): Promise<DrainResult> {
    const { clock } = this.#o;
    const deadline = clock.now() + timeoutMs;
    this.start();
    // What is queued now, not the few-ms-old cache: a caller that has just sealed (the daemon's stop)
    // would otherwise be told that nothing is left and deliver nothing.
    this.#work = null;
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
      this.#work = null;
    }
    this.#work = null;
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
