// Appending records: parts of one tag go to that tag's `open` chunk (a new one, with a new key, when
// there is none or the next part would pass a chunk limit), positions commit in the same transaction,
// and the overflow action runs when the buffer is over total_limit_size. Owns the buffer limits (a
// reload changes them with setLimits) and, with `sync: full`, the deferred WAL fsync of appends made
// with durable 'later' (wal-sync.ts).
//
// A full buffer is a returned value, not an exception, when it is worth waiting out: `block` (delivery
// will make room) and a full disk (space may be freed). The caller (ingest/writer.ts) decides whether
// to wait. `throw_exception` (and `drop_oldest_chunk` with nothing left to drop) throws a
// BufferFullError: that one reaches a user (HTTP 503, `send`'s exit code).
import { join } from 'node:path';
import { newChunkKey } from '../core/chunk.js';
import type { OverflowAction } from '../core/buffer-policy.js';
import { BufferFullError, DiskFullError } from '../core/errors.js';
import type { EncodedPart, PositionUpdate } from '../core/sink.js';
import type { StoreContext } from './context.js';
import { DB_FILE, type SyncMode } from './db.js';
import type { SealQueue } from './seal.js';
import { WalSync } from './wal-sync.js';

export interface BufferLimits {
  chunkLimitSize: number;
  chunkLimitRecords: number;
  totalLimitSize: number;
  overflowAction: OverflowAction;
}

export const DEFAULT_LIMITS: BufferLimits = {
  chunkLimitSize: 8 * 1024 * 1024,
  chunkLimitRecords: 100_000,
  totalLimitSize: 2 * 1024 ** 3,
  overflowAction: 'block',
};

/**
 * What an append did: committed everything, or nothing because the buffer (overflow action `block`)
 * or the disk is full. `message` is the sentence to show while waiting.
 */
export type AppendResult = { readonly ok: true } | { readonly ok: false; readonly full: 'buffer' | 'disk'; readonly message: string };

const APPENDED: AppendResult = { ok: true };

export class Appender {
  readonly #c: StoreContext;
  readonly #seals: SealQueue;
  #limits: Readonly<BufferLimits>;
  readonly #walSync: WalSync | null;
  readonly #syncNormal: { run(): unknown } | null;
  readonly #syncFull: { run(): unknown } | null;

  constructor(c: StoreContext, seals: SealQueue, sync: SyncMode, limits: Partial<BufferLimits> = {}) {
    this.#c = c;
    this.#seals = seals;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    const full = sync === 'full';
    this.#walSync = full ? new WalSync(join(c.dir, `${DB_FILE}-wal`)) : null;
    this.#syncNormal = full ? c.db.prepare('PRAGMA synchronous = NORMAL') : null;
    this.#syncFull = full ? c.db.prepare('PRAGMA synchronous = FULL') : null;
  }

  get limits(): Readonly<BufferLimits> {
    return this.#limits;
  }

  /** New limits for the appends from now on (a SIGHUP reload); chunks already sealed keep their size. */
  setLimits(limits: Partial<BufferLimits>): void {
    this.#limits = { ...this.#limits, ...limits };
  }

  append(parts: readonly EncodedPart[], positions: readonly PositionUpdate[], durable: 'now' | 'later'): AppendResult {
    const c = this.#c;
    c.assertOpen();
    const toSeal: number[] = [];
    const tx = c.db.transaction((): AppendResult => {
      const incoming = parts.reduce((n, p) => n + p.data.length, 0);
      const blocked = incoming > 0 ? this.#makeRoom(incoming) : null;
      if (blocked !== null) return { ok: false, full: 'buffer', message: blocked };
      const now = c.now();
      for (const part of parts) if (part.records > 0) this.#appendPart(part, now, toSeal);
      for (const p of positions) c.st.upsertPosition.run(p.source, p.inode, p.offset, p.head?.len ?? null, p.head?.crc ?? null, now);
      return APPENDED;
    });
    let result: AppendResult;
    try {
      if (durable === 'later' && this.#walSync) {
        this.#syncNormal?.run();
        try {
          result = c.guard(() => tx.immediate());
        } finally {
          this.#syncFull?.run();
        }
        if (result.ok) this.#walSync.written();
      } else result = c.guard(() => tx.immediate());
    } catch (err) {
      if (err instanceof DiskFullError) return { ok: false, full: 'disk', message: err.message };
      throw err;
    }
    for (const id of toSeal) this.#seals.enqueue(id);
    return result;
  }

  #appendPart(part: EncodedPart, now: number, toSeal: number[]): void {
    const { st } = this.#c;
    const limits = this.#limits;
    const rawLen = part.deflated?.rawBytes ?? part.data.length;
    let open = st.openChunkOfTag.get(part.tag);
    if (open && open.records > 0 && (open.raw_bytes + rawLen > limits.chunkLimitSize || open.records + part.records > limits.chunkLimitRecords)) {
      this.#seals.markSealing(open.id, now);
      toSeal.push(open.id);
      open = undefined;
    }
    const id = open ? open.id : Number(st.insertChunk.run(newChunkKey(), part.tag, 'open', now, null).lastInsertRowid);
    st.insertPart.run(id, part.data, part.deflated ? rawLen : null, part.deflated?.crc ?? null);
    st.growChunk.run(part.records, rawLen, part.data.length, id);
    const raw = (open?.raw_bytes ?? 0) + rawLen;
    const recs = (open?.records ?? 0) + part.records;
    if (raw >= limits.chunkLimitSize || recs >= limits.chunkLimitRecords) {
      this.#seals.markSealing(id, now);
      toSeal.push(id);
    }
  }

  /**
   * Applies the overflow action when `incoming` bytes would pass total_limit_size. Returns null when
   * there is room (made, perhaps, by dropping the oldest chunks), the sentence to wait on for `block`;
   * throws a BufferFullError for the actions that reject.
   */
  #makeRoom(incoming: number): string | null {
    const { st } = this.#c;
    const limit = this.#limits.totalLimitSize;
    let total = st.totalStored.get()?.n ?? 0;
    // An empty buffer takes any one write: refusing it could never make room, only deadlock a `block`.
    if (total + incoming <= limit || total === 0) return null;
    const action = this.#limits.overflowAction;
    if (action === 'drop_oldest_chunk') {
      while (total + incoming > limit) {
        const oldest = st.oldestDroppable.get();
        if (!oldest) break;
        st.deleteChunk.run(oldest.id);
        st.bumpCounter.run('dropped_chunks', 1);
        st.bumpCounter.run('dropped_records', oldest.records);
        // A fan-out copy frees its shared payload only with the last copy: measure again.
        total = st.totalStored.get()?.n ?? 0;
      }
      if (total + incoming <= limit) return null;
    }
    const msg = `the buffer is full (${total} of total_limit_size ${limit} bytes)`;
    if (action === 'block') return `${msg}; waiting for delivery to make room`;
    throw new BufferFullError(`${msg}; overflow_action is ${action}`);
  }

  /** WAL fsyncs done for appends made with durable 'later' (fewer than those appends when grouped). */
  get walSyncs(): number {
    return this.#walSync?.syncs ?? 0;
  }

  /** Resolves once every append made with durable 'later' before this call is on disk (at once with `sync: normal`). */
  whenDurable(): Promise<void> {
    return this.#walSync ? this.#walSync.whenDurable() : Promise.resolve();
  }

  async close(): Promise<void> {
    await this.#walSync?.close();
  }
}
