// The virtual clock `simulate` runs the real delivery code on. Owns: the current virtual time and the
// pending timers. Timers are kept in a calendar: one bucket (insertion order) per due time, and a
// min-heap of the distinct due times, so thousands of agents whose timers fall on the same tick cost
// one heap entry, and ties fire first-in first-out.
//
// run loop: take the earliest due time, set `now` to it, fire its bucket, then let every pending
// promise continuation settle (one macrotask turn: the microtask queue always drains before
// setImmediate runs) before looking at the next due time. Timers set while settling at the same time
// form a new bucket at `now` and fire next, after the ones already due.
//
// `resolutionMs` rounds every due time up to a multiple of it (a kernel tick): with 1000 agents the
// number of distinct due times, hence of settle turns, is bounded by duration / resolution.
// `settleTurns` is how many macrotask turns a settle takes: 1 for simulate (the hot loop); the unit
// tests' FakeClock (test/helpers/fake-clock.ts, a thin wrapper over this clock) uses 3, so code that
// hops through a few setImmediate turns (a worker awaiting a fake output) resumes before time moves.
import type { Clock, TimerHandle } from '../core/clock.js';

const noop = (): void => {};

class Timer implements TimerHandle {
  cancelled = false;
  constructor(
    public fn: () => void,
    readonly clock: VirtualClock,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    // A cancelled timer waits in its bucket until its due time: let go of what its callback holds.
    this.fn = noop;
    this.clock.pendingCancelled();
  }
}

const settleTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  #now: number;
  readonly #resolution: number;
  readonly #settleTurns: number;
  readonly #buckets = new Map<number, Timer[]>();
  readonly #times: number[] = [];
  #pending = 0;
  #fired = 0;

  constructor(startMs = 0, resolutionMs = 1, settleTurns = 1) {
    if (!(resolutionMs > 0)) throw new RangeError('resolutionMs must be positive');
    if (!(Number.isInteger(settleTurns) && settleTurns >= 1)) throw new RangeError('settleTurns must be a positive integer');
    this.#now = startMs;
    this.#resolution = resolutionMs;
    this.#settleTurns = settleTurns;
  }

  now(): number {
    return this.#now;
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.#pending;
  }

  /** Timers fired so far (a measure of the simulation's work). */
  get fired(): number {
    return this.#fired;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const r = this.#resolution;
    const target = this.#now + Math.max(0, ms);
    const at = r === 1 ? Math.ceil(target) : Math.ceil(target / r) * r;
    const timer = new Timer(fn, this);
    let bucket = this.#buckets.get(at);
    if (bucket === undefined) {
      bucket = [];
      this.#buckets.set(at, bucket);
      heapPush(this.#times, at);
    }
    bucket.push(timer);
    this.#pending++;
    return timer;
  }

  /** A timer was cancelled (called by the timer). */
  pendingCancelled(): void {
    this.#pending--;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const handle = this.setTimer(ms, done);
      function done(): void {
        handle.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** The earliest due time with a live timer, or null. Drops buckets whose timers were all cancelled. */
  nextDue(): number | null {
    for (;;) {
      const at = this.#times[0];
      if (at === undefined) return null;
      const bucket = this.#buckets.get(at);
      if (bucket && bucket.some((t) => !t.cancelled)) return at;
      heapPop(this.#times);
      this.#buckets.delete(at);
    }
  }

  /**
   * Fire timers in due order up to and including `untilMs`, settling promises after each due time.
   * Stops early (before the next due time) once `stop()` returns true. Leaves `now` at `untilMs`
   * unless stopped early.
   */
  async runUntil(untilMs: number, stop?: () => boolean): Promise<void> {
    await this.settle();
    for (;;) {
      if (stop?.()) return;
      const at = this.#times[0];
      if (at === undefined || at > untilMs) break;
      heapPop(this.#times);
      const bucket = this.#buckets.get(at) as Timer[];
      this.#buckets.delete(at);
      this.#now = at;
      let live = 0;
      for (const timer of bucket) {
        if (timer.cancelled) continue;
        const fn = timer.fn;
        timer.cancel();
        live++;
        fn();
      }
      this.#fired += live;
      if (live > 0) await this.settle();
    }
    if (untilMs > this.#now) this.#now = untilMs;
  }

  /** Let pending promise continuations run: `settleTurns` macrotask turns. */
  settle(): Promise<void> {
    return this.#settleTurns === 1 ? settleTurn() : this.#settleMany();
  }

  async #settleMany(): Promise<void> {
    for (let i = 0; i < this.#settleTurns; i++) await settleTurn();
  }

  /** Move time forward by `ms` (tests). */
  advance(ms: number): Promise<void> {
    return this.runUntil(this.#now + ms);
  }
}

// A binary min-heap of numbers in a plain array (the distinct due times).
function heapPush(h: number[], v: number): void {
  let i = h.length;
  h.push(v);
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pv = h[p] as number;
    if (pv <= v) break;
    h[i] = pv;
    i = p;
  }
  h[i] = v;
}

function heapPop(h: number[]): number | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length === 0 || last === undefined) return top;
  let i = 0;
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && (h[r] as number) < (h[l] as number) ? r : l;
    if ((h[c] as number) >= last) break;
    h[i] = h[c] as number;
    i = c;
  }
  h[i] = last;
  return top;
}
