// Events → encoded parts → one buffer transaction. The bridge between inputs (which produce records)
// and the chunk store (which stores opaque bytes). Owns the `block` overflow wait: when the store
// answers an append with `{ ok: false, full }`, it retries the append (p-retry,
// core/retry-on-clock.ts) until delivery has made room, so a full buffer slows the
// reader instead of losing data. A full disk is waited out the same way when the writer is told to (the
// daemon), else it is thrown (`send` fails with a sentence; nothing it acknowledged is lost).
import type { AppendPart, AppendResult, ChunkStore } from '../buffer/store.js';
import type { LogEvent } from '../core/record.js';
import type { EncodedPart, EventSink, PositionUpdate } from '../core/sink.js';
import { RecordBatch } from '../codec/msgpack.js';
import { systemClock, type Clock } from '../core/clock.js';
import { BufferFullError, DiskFullError } from '../core/errors.js';
import { retryOnClock } from '../core/retry-on-clock.js';

export interface WriterOptions {
  clock?: Clock;
  /** Called once each time the writer starts waiting on a full buffer or disk (for a log line). */
  onBlocked?: (message: string, cause: 'buffer' | 'disk') => void;
  /**
   * Called when the writer's state changes: its last write was refused because the buffer or the
   * disk is full (waiting or not), or (null) a write went through again. For a metric.
   */
  onRefusing?: (cause: 'buffer' | 'disk' | null) => void;
  /** Asked at each full disk: wait (as `block` does) instead of throwing DiskFullError. */
  waitOnDiskFull?: () => boolean;
  /** Largest part appended at once (defaults to a quarter of chunk_limit_size, at most 2 MiB). */
  maxPartBytes?: number;
}

export class BufferWriter implements EventSink {
  readonly #store: ChunkStore;
  readonly #clock: Clock;
  readonly #onBlocked: ((message: string, cause: 'buffer' | 'disk') => void) | undefined;
  readonly #onRefusing: ((cause: 'buffer' | 'disk' | null) => void) | undefined;
  #refusing: 'buffer' | 'disk' | null = null;
  readonly #waitOnDiskFull: () => boolean;
  readonly #maxPartBytes: number | undefined;
  #records = 0;
  /** Appends waiting for the one before them, and the end of the last one's. */
  #appending = 0;
  #appendTail: Promise<void> = Promise.resolve();

  constructor(store: ChunkStore, opts: WriterOptions = {}) {
    this.#store = store;
    this.#clock = opts.clock ?? systemClock;
    this.#onBlocked = opts.onBlocked;
    this.#onRefusing = opts.onRefusing;
    this.#waitOnDiskFull = opts.waitOnDiskFull ?? (() => false);
    this.#maxPartBytes = opts.maxPartBytes;
  }

  /** Records committed through this writer. */
  get records(): number {
    return this.#records;
  }

  /**
   * Part limits (bytes, records): an encoder working for this writer cuts its parts at these. They
   * follow the buffer's chunk limits, which a reload may change: a quarter of each (at most 2 MiB).
   */
  get partLimits(): { bytes: number; records: number } {
    const { chunkLimitSize, chunkLimitRecords } = this.#store.limits;
    return {
      bytes: this.#maxPartBytes ?? Math.max(1024, Math.min(2 * 1024 * 1024, Math.floor(chunkLimitSize / 4))),
      records: Math.max(1, Math.floor(chunkLimitRecords / 4)),
    };
  }

  async write(events: readonly LogEvent[], positions: readonly PositionUpdate[] = [], signal?: AbortSignal): Promise<void> {
    const parts = this.encode(events);
    await this.commit(parts, positions, signal);
    this.#records += events.length;
  }

  /** Commit parts the encoder built (core/encoder.ts), as `write` does events. */
  async writeParts(parts: readonly EncodedPart[], positions: readonly PositionUpdate[] = [], signal?: AbortSignal): Promise<void> {
    await this.commit(parts, positions, signal);
    for (const p of parts) this.#records += p.records;
  }

  /** Encode events into parts grouped by tag, each within the part limits. */
  encode(events: readonly LogEvent[]): AppendPart[] {
    const parts: AppendPart[] = [];
    const limit = this.partLimits;
    const batches = new Map<string, RecordBatch>();
    for (const ev of events) {
      let b = batches.get(ev.tag);
      if (!b) {
        b = new RecordBatch(64 * 1024);
        batches.set(ev.tag, b);
      }
      b.add(ev.record);
      if (b.bytes >= limit.bytes || b.count >= limit.records) {
        const records = b.count;
        parts.push({ tag: ev.tag, records, data: b.take() });
      }
    }
    for (const [tag, b] of batches) {
      if (b.count > 0) {
        const records = b.count;
        parts.push({ tag, records, data: b.take() });
      }
    }
    return parts;
  }

  /**
   * Append with the `block` overflow wait; resolves once the append is durable. The append commits at
   * once and its fsync is shared with every other append committed meanwhile (group commit, see
   * buffer/wal-sync.ts), so a source waiting for its ack does not hold back the others.
   */
  async commit(parts: readonly AppendPart[], positions: readonly PositionUpdate[] = [], signal?: AbortSignal): Promise<void> {
    // Appends happen in call order, even while one waits on a full buffer or disk (the others would
    // wait too): a caller may start its next write before the last is durable (the forward input
    // does) and its records stay in order. A caller whose signal aborts stops waiting in the line.
    const before = this.#appendTail;
    const queued = this.#appending > 0;
    let release: () => void = () => {};
    this.#appendTail = new Promise<void>((r) => (release = r));
    this.#appending++;
    try {
      if (queued) await untilAborted(before, signal, this.#refusing);
      await this.#append(parts, positions, signal);
    } finally {
      this.#appending--;
      release();
    }
    await this.#store.whenDurable();
  }

  /**
   * The append, retried (p-retry, on the writer's clock) while the buffer, or the disk when the writer
   * is told to wait on it, is full: waits of 50 ms doubling to 1 s. The first try is synchronous.
   */
  async #append(parts: readonly AppendPart[], positions: readonly PositionUpdate[], signal: AbortSignal | undefined): Promise<void> {
    try {
      await retryOnClock(() => this.#tryAppend(parts, positions), {
        clock: this.#clock,
        signal,
        retryable: (err) => err instanceof FullWait,
        delayMs: (n) => Math.min(1000, 50 * 2 ** (n - 1)),
        onFailure: (err, n) => {
          if (n === 1 && err instanceof FullWait) this.#onBlocked?.(err.message, err.full);
        },
      });
    } catch (err) {
      if (err instanceof FullWait) throw new BufferFullError(`${err.message}; gave up waiting`, err.full === 'disk' ? 'DISK_FULL' : 'BUFFER_FULL');
      throw err;
    }
  }

  /** One append: done, a FullWait to wait out (p-retry's failed attempt), or the error that ends the write. */
  #tryAppend(parts: readonly AppendPart[], positions: readonly PositionUpdate[]): void {
    let result: AppendResult;
    try {
      result = this.#store.append(parts, positions, 'later');
    } catch (err) {
      if (err instanceof BufferFullError) this.#setRefusing('buffer'); // the overflow action rejects
      throw err;
    }
    if (result.ok) {
      this.#setRefusing(null);
      return;
    }
    this.#setRefusing(result.full);
    if (result.full === 'disk' && !this.#waitOnDiskFull()) throw new DiskFullError(this.#store.dir);
    throw new FullWait(result.full, result.message);
  }

  #setRefusing(cause: 'buffer' | 'disk' | null): void {
    if (cause === this.#refusing) return;
    this.#refusing = cause;
    this.#onRefusing?.(cause);
  }
}

/** An append the buffer refused for now (`block`, or a full disk the writer waits on): waited out. */
class FullWait extends BufferFullError {
  constructor(
    readonly full: 'buffer' | 'disk',
    message: string,
  ) {
    super(message, full === 'disk' ? 'DISK_FULL' : 'BUFFER_FULL');
  }
}

/** `before`, or a BufferFullError as soon as `signal` aborts (a writer ahead is waiting on a full buffer or disk). */
function untilAborted(before: Promise<void>, signal: AbortSignal | undefined, cause: 'buffer' | 'disk' | null): Promise<void> {
  if (!signal) return before;
  const full = (): BufferFullError =>
    new BufferFullError(`the ${cause === 'disk' ? 'disk holding the buffer' : 'buffer'} is full; gave up waiting`, cause === 'disk' ? 'DISK_FULL' : 'BUFFER_FULL');
  if (signal.aborted) return Promise.reject(full());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(full());
    signal.addEventListener('abort', onAbort, { once: true });
    void before.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
