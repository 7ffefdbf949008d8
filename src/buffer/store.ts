// The SQLite chunk buffer: the one durable place where events live between their source and the
// endpoint.
//
// Invariants
// - An append commits in one transaction (with any tail positions that produced it): once append()
//   returns, the records survive a crash, and only then may a source be acknowledged. An append with
//   `durable: 'later'` (the inputs' writer) survives a process crash when it returns, and a power loss
//   once whenDurable() has resolved: the WAL fsync that `sync: full` does at each commit is done after
//   it, off the main thread, one fsync for every append committed meanwhile (wal-sync.ts). A chunk
//   becomes leasable (`queued`) only in its seal's commit, which runs with synchronous = FULL: that
//   commit's own WAL fsync makes every earlier frame durable (its parts included, whichever process
//   wrote them), so nothing is delivered before it is on disk.
// - Each tag has at most one `open` chunk. Appended records are stored as opaque parts, either as
//   they are or already compressed where they were encoded (a deflate segment, with its raw length and
//   CRC); sealing hands them in order to the injected `compress` and stores the payload once, so every
//   attempt sends identical bytes under the chunk's key. Chunk limits count raw (uncompressed) bytes.
// - A chunk is sent by one process at a time: leasing moves it `queued → inflight` with an owner and an
//   expiry in one write transaction. Success deletes it; a retryable outcome releases it to `queued`; a
//   rejection parks it. A lease whose owner died on this host is reclaimed at once, others on expiry;
//   a reclaimed chunk is "in doubt", since the dead attempt may have reached the endpoint.
// - Nothing is deleted except by delivery, `tdfwd chunks drop`, or the `drop_oldest_chunk` overflow
//   action (counted).
//
// States: open → sealing → queued ⇄ inflight → (deleted) ; inflight → parked → queued (chunks retry)
import { hostname } from 'node:os';
import { BufferFullError, DiskFullError, TdfwdError } from '../core/errors.js';
import { newChunkKey, type ChunkState, type SealedChunk } from '../core/chunk.js';
import type { EncodedPart, PositionUpdate, StoredPart } from '../core/sink.js';
import { join } from 'node:path';
import { DB_FILE, isDiskFull, openDb, type Db, type SyncMode } from './db.js';
import { WalSync } from './wal-sync.js';
import { newOwner, ownerIsDead } from './owner.js';
import { prepare, type ChunkRow, type PartRow, type Statements } from './statements.js';

import type { OverflowAction } from '../core/buffer-policy.js';

export type { OverflowAction };

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

export interface StoreOptions {
  dir: string;
  sync?: SyncMode;
  limits?: Partial<BufferLimits>;
  /**
   * Turns a chunk's parts, pulled one at a time (null at the end), into its sealed payload (gzip of
   * their concatenation, in practice). Pulling keeps a seal's memory to one part, not the whole chunk.
   */
  compress: (nextPart: () => StoredPart | null) => Promise<Buffer>;
  /** Inflates a stored deflate segment back to its records (for `chunkData` of an open chunk). */
  inflate?: (part: StoredPart) => Buffer;
  now?: () => number;
}

/** Records of one tag, already encoded (and maybe deflated), appended as one part. */
export type AppendPart = EncodedPart;

export interface StoredPosition {
  source: string;
  inode: string | null;
  offset: number;
}

export interface BufferStats {
  chunks: Record<ChunkState, number>;
  pendingRecords: number;
  pendingBytes: number;
  parkedRecords: number;
  storedBytes: number;
  oldestPendingCreatedAt: number | null;
}

/** Thrown by append when the buffer is full and the overflow action is `block`: wait and try again. */
export class BufferBlockedError extends BufferFullError {}

const SEAL_LEASE_MS = 5 * 60_000;

export class ChunkStore {
  readonly dir: string;
  readonly owner = newOwner();
  readonly limits: BufferLimits;
  readonly #db: Db;
  readonly #st: Statements;
  readonly #compress: (nextPart: () => StoredPart | null) => Promise<Buffer>;
  readonly #inflate: ((part: StoredPart) => Buffer) | undefined;
  readonly #now: () => number;
  readonly #host = hostname();
  #sealQueue: number[] = [];
  #sealing: Promise<void> | null = null;
  #sealError: Error | null = null;
  /** Chunks whose seal failed (e.g. a full disk): sealed again at the next sealOpen. */
  readonly #sealRetry = new Set<number>();
  #closed = false;
  /** With `sync: full`: the deferred WAL fsync of appends made with durable 'later', and the pragmas around them. */
  readonly #walSync: WalSync | null;
  readonly #syncNormal: { run(): unknown } | null;
  readonly #syncFull: { run(): unknown } | null;

  constructor(opts: StoreOptions) {
    this.dir = opts.dir;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.#compress = opts.compress;
    this.#inflate = opts.inflate;
    this.#now = opts.now ?? Date.now;
    const sync = opts.sync ?? 'full';
    this.#db = openDb(opts.dir, sync);
    this.#st = prepare(this.#db);
    const full = sync === 'full';
    this.#walSync = full ? new WalSync(join(opts.dir, `${DB_FILE}-wal`)) : null;
    this.#syncNormal = full ? this.#db.prepare('PRAGMA synchronous = NORMAL') : null;
    this.#syncFull = full ? this.#db.prepare('PRAGMA synchronous = FULL') : null;
  }

  // ---- append -----------------------------------------------------------------------------------

  /**
   * Commit parts (and the positions that produced them) in one transaction. Synchronous: when it
   * returns, the data is durable; with durable 'later', once whenDurable() resolves (see the top).
   * Throws BufferBlockedError (block) or BufferFullError (throw_exception) when the buffer is over
   * `total_limit_size`.
   */
  append(parts: readonly AppendPart[], positions: readonly PositionUpdate[] = [], durable: 'now' | 'later' = 'now'): void {
    this.#assertOpen();
    const toSeal: number[] = [];
    const tx = this.#db.transaction(() => {
      const incoming = parts.reduce((n, p) => n + p.data.length, 0);
      if (incoming > 0) this.#makeRoom(incoming);
      const now = this.#now();
      for (const part of parts) {
        if (part.records === 0) continue;
        const rawLen = part.deflated?.rawBytes ?? part.data.length;
        let open = this.#st.openChunkOfTag.get(part.tag) as { id: number; records: number; raw_bytes: number } | undefined;
        if (
          open &&
          open.records > 0 &&
          (open.raw_bytes + rawLen > this.limits.chunkLimitSize ||
            open.records + part.records > this.limits.chunkLimitRecords)
        ) {
          this.#markSealing(open.id, now);
          toSeal.push(open.id);
          open = undefined;
        }
        const id = open
          ? open.id
          : Number(this.#st.insertChunk.run(newChunkKey(), part.tag, 'open', now, null).lastInsertRowid);
        this.#st.insertPart.run(id, part.data, part.deflated ? rawLen : null, part.deflated?.crc ?? null);
        this.#st.growChunk.run(part.records, rawLen, part.data.length, id);
        const raw = (open?.raw_bytes ?? 0) + rawLen;
        const recs = (open?.records ?? 0) + part.records;
        if (raw >= this.limits.chunkLimitSize || recs >= this.limits.chunkLimitRecords) {
          this.#markSealing(id, now);
          toSeal.push(id);
        }
      }
      for (const p of positions) this.#st.upsertPosition.run(p.source, p.inode, p.offset, now);
    });
    if (durable === 'later' && this.#walSync) {
      this.#syncNormal?.run();
      try {
        this.#guard(() => tx.immediate());
      } finally {
        this.#syncFull?.run();
      }
      this.#walSync.written();
    } else this.#guard(() => tx.immediate());
    for (const id of toSeal) this.#enqueueSeal(id);
  }

  /** WAL fsyncs done for appends made with durable 'later' (fewer than those appends when grouped). */
  get walSyncs(): number {
    return this.#walSync?.syncs ?? 0;
  }

  /** Resolves once every append made with durable 'later' before this call is on disk (at once with `sync: normal`). */
  whenDurable(): Promise<void> {
    return this.#walSync ? this.#walSync.whenDurable() : Promise.resolve();
  }

  /** Positions only (e.g. a tail input skipping blank lines or recording a rotation). */
  savePositions(positions: readonly PositionUpdate[]): void {
    this.append([], positions);
  }

  getPosition(source: string): StoredPosition | undefined {
    return this.#st.getPosition.get(source) as StoredPosition | undefined;
  }

  allPositions(): StoredPosition[] {
    return this.#st.allPositions.all() as StoredPosition[];
  }

  /** Sources whose position was last committed before `before` (ms since the epoch). */
  stalePositions(before: number): string[] {
    return (this.#st.stalePositions.all(before) as { source: string }[]).map((r) => r.source);
  }

  /** Forgets a source's position if it is still older than `before` (no commit moved it since). */
  deleteStalePosition(source: string, before: number): boolean {
    this.#assertOpen();
    return this.#st.deleteStalePosition.run(source, before).changes > 0;
  }

  #makeRoom(incoming: number): void {
    const limit = this.limits.totalLimitSize;
    let total = (this.#st.totalStored.get() as { n: number }).n;
    // An empty buffer takes any one write: refusing it could never make room, only deadlock a `block`.
    if (total + incoming <= limit || total === 0) return;
    const action = this.limits.overflowAction;
    if (action === 'drop_oldest_chunk') {
      while (total + incoming > limit) {
        const oldest = this.#st.oldestDroppable.get() as { id: number; records: number; stored_bytes: number } | undefined;
        if (!oldest) break;
        this.#st.deleteChunk.run(oldest.id);
        this.#st.bumpCounter.run('dropped_chunks', 1);
        this.#st.bumpCounter.run('dropped_records', oldest.records);
        total -= oldest.stored_bytes;
      }
      if (total + incoming <= limit) return;
    }
    const msg = `the buffer is full (${total} of total_limit_size ${limit} bytes)`;
    if (action === 'block') throw new BufferBlockedError(`${msg}; waiting for delivery to make room`);
    throw new BufferFullError(`${msg}; overflow_action is ${action}`);
  }

  // ---- seal -------------------------------------------------------------------------------------

  #markSealing(id: number, now: number): void {
    this.#st.markSealing.run(this.owner, now + SEAL_LEASE_MS, id);
  }

  #enqueueSeal(id: number): void {
    this.#sealQueue.push(id);
    if (!this.#sealing) this.#sealing = this.#runSeals();
  }

  async #runSeals(): Promise<void> {
    try {
      while (this.#sealQueue.length > 0 && !this.#closed) {
        const id = this.#sealQueue.shift() as number;
        try {
          await this.#sealOne(id);
        } catch (err) {
          // The chunk stays `sealing` with its parts on disk: sealed again at the next sealOpen (the
          // seal timer's), or by the next process if this one ends first.
          this.#sealError = err as Error;
          this.#sealRetry.add(id);
        }
      }
    } finally {
      this.#sealing = null;
    }
  }

  async #sealOne(id: number): Promise<void> {
    let after = 0;
    const payload = await this.#compress(() => {
      if (this.#closed) return null;
      const row = this.#st.nextPartOf.get(id, after) as (PartRow & { rowid: number }) | undefined;
      if (!row) return null;
      after = row.rowid;
      return storedPart(row);
    });
    if (this.#closed) return;
    this.#immediate(() => {
      const done = this.#st.completeSeal.run(this.#now(), payload.length, id, this.owner);
      if (done.changes === 1) {
        this.#st.insertPayload.run(id, payload);
        this.#st.deleteParts.run(id);
      }
    });
  }

  /**
   * Seal open chunks (all, or those created before `olderThan` ms epoch) and any chunk left `sealing`
   * by a process that died; resolves when every seal has been committed.
   */
  async sealOpen(olderThan: number = Number.POSITIVE_INFINITY): Promise<void> {
    this.#assertOpen();
    const now = this.#now();
    const ids: number[] = [];
    this.#immediate(() => {
      for (const row of this.#st.openChunks.all() as { id: number; created_at: number }[]) {
        if (row.created_at <= olderThan) {
          this.#markSealing(row.id, now);
          ids.push(row.id);
        }
      }
      for (const row of this.#st.sealingChunks.all() as { id: number; lease_owner: string | null; lease_expires: number | null }[]) {
        if (row.lease_owner === this.owner) continue;
        if (ownerIsDead(row.lease_owner) || (row.lease_expires ?? 0) < now) {
          if (this.#st.claimSealing.run(this.owner, now + SEAL_LEASE_MS, row.id, row.lease_owner).changes === 1) ids.push(row.id);
        }
      }
    });
    for (const id of this.#sealRetry) ids.push(id);
    this.#sealRetry.clear();
    for (const id of ids) this.#enqueueSeal(id);
    await this.drainSeals();
  }

  /** Wait for pending seals; rethrows the first seal failure. */
  async drainSeals(): Promise<void> {
    while (this.#sealing) await this.#sealing;
    if (this.#sealError) {
      const err = this.#sealError;
      this.#sealError = null;
      if (err instanceof DiskFullError) throw err;
      throw new TdfwdError('IO', `sealing a chunk failed: ${err.message}`);
    }
  }

  // ---- lease and deliver ------------------------------------------------------------------------

  /** Tags that have queued chunks (so a caller can match them against output patterns). */
  queuedTags(): string[] {
    return (this.#st.queuedTags.all() as { tag: string }[]).map((r) => r.tag);
  }

  /** Return leases of dead owners (at once) and expired leases to `queued`, in doubt. */
  reclaimLeases(): number {
    const now = this.#now();
    let n = 0;
    this.#immediate(() => {
      for (const row of this.#st.inflightChunks.all() as { id: number; lease_owner: string; lease_expires: number }[]) {
        if (row.lease_owner === this.owner) continue;
        if (row.lease_expires < now || ownerIsDead(row.lease_owner)) {
          n += this.#st.reclaim.run(now, row.id, row.lease_owner).changes;
        }
      }
    });
    return n;
  }

  /**
   * Lease up to `limit` queued chunks of the given tags, in-doubt chunks first, then oldest first.
   * Each lease counts an attempt. The payload is read outside the write transaction.
   */
  lease(limit: number, tags: readonly string[], leaseMs: number): SealedChunk[] {
    this.#assertOpen();
    if (limit <= 0 || tags.length === 0) return [];
    const now = this.#now();
    const placeholders = tags.map(() => '?').join(',');
    const pick = this.#db.prepare(
      `SELECT id FROM chunks WHERE state = 'queued' AND tag IN (${placeholders})
       ORDER BY in_doubt_since IS NULL, in_doubt_since, created_at, id LIMIT ?`,
    );
    const ids: number[] = [];
    this.#immediate(() => {
      for (const row of pick.all(...tags, limit) as { id: number }[]) {
        if (this.#st.takeLease.run(this.owner, now + leaseMs, now, now, row.id).changes === 1) ids.push(row.id);
      }
    });
    const out: SealedChunk[] = [];
    for (const id of ids) {
      const row = this.#st.chunkById.get(id) as ChunkRow;
      const payload = (this.#st.payloadOf.get(id) as { data: Buffer } | undefined)?.data;
      if (!payload) {
        this.park(id, 'the sealed payload is missing from the buffer');
        continue;
      }
      out.push(toSealed(row, payload));
    }
    return out;
  }

  /** Delivered: delete the chunk. False if this process no longer holds its lease. */
  ack(id: number): boolean {
    return this.#guard(() => this.#st.ack.run(id, this.owner).changes === 1);
  }

  /** Back to `queued` after a retryable outcome; `inDoubt` records the first in-doubt time. */
  release(id: number, error: string | null, inDoubt: boolean): boolean {
    return this.#guard(() => this.#st.release.run(error, inDoubt ? 1 : 0, this.#now(), id, this.owner).changes === 1);
  }

  /** Back to `queued` after an attempt this process interrupted: no failure recorded, but in doubt. */
  unlease(id: number): boolean {
    return this.#guard(() => this.#st.unlease.run(this.#now(), id, this.owner).changes === 1);
  }

  park(id: number, reason: string): boolean {
    return this.#guard(() => this.#st.park.run(reason, this.#now(), id, this.owner).changes === 1);
  }

  /** Replace a leased chunk by sealed halves (a 413 split), in one transaction. */
  split(parent: SealedChunk, halves: readonly { key: string; records: number; rawBytes: number; payload: Buffer }[]): number[] {
    const ids: number[] = [];
    this.#immediate(() => {
      const row = this.#st.chunkById.get(parent.id) as ChunkRow | undefined;
      if (!row || row.state !== 'inflight' || row.lease_owner !== this.owner) return;
      this.#st.deleteChunk.run(parent.id);
      const now = this.#now();
      for (const h of halves) {
        const id = Number(
          this.#st.insertSealed.run(h.key, parent.tag, h.records, h.rawBytes, h.payload.length, parent.createdAt, now, parent.key)
            .lastInsertRowid,
        );
        this.#st.insertPayload.run(id, h.payload);
        ids.push(id);
      }
    });
    return ids;
  }

  // ---- inspect and act (tdfwd chunks) -----------------------------------------------------------

  /** A chunk by numeric id. */
  chunkById(id: number): ChunkRow | undefined {
    return this.#st.chunkById.get(id) as ChunkRow | undefined;
  }

  /** A chunk by its full key. */
  chunkByKey(key: string): ChunkRow | undefined {
    return this.#st.chunkByKey.get(key) as ChunkRow | undefined;
  }

  /** The keys starting with a lowercase hex prefix, in order, at most `limit` of them. */
  keysWithPrefix(prefix: string, limit: number): string[] {
    return (this.#st.keysWithPrefix.all(prefix, prefix, limit) as { key: string }[]).map((r) => r.key);
  }

  listChunks(state: ChunkState | null, limit = 1000): ChunkRow[] {
    return this.#st.listChunks.all(state, state, limit) as ChunkRow[];
  }

  /** The stored bytes of a chunk: its payload once sealed, else its records (parts concatenated, inflated). */
  chunkData(id: number): { sealed: boolean; data: Buffer } | undefined {
    const payload = this.#st.payloadOf.get(id) as { data: Buffer } | undefined;
    if (payload) return { sealed: true, data: payload.data };
    const parts = (this.#st.partsOf.all(id) as PartRow[]).map((r) => {
      const part = storedPart(r);
      if (!part.deflated) return part.data;
      if (!this.#inflate) throw new TdfwdError('IO', 'this buffer holds compressed parts but was opened without an inflater');
      return this.#inflate(part);
    });
    if (parts.length === 0) return undefined;
    return { sealed: false, data: Buffer.concat(parts) };
  }

  /** Parked → queued, with a fresh attempt budget and the same key. */
  unpark(id: number): boolean {
    return this.#st.unpark.run(id).changes === 1;
  }

  unparkAll(): number {
    let n = 0;
    this.#immediate(() => {
      for (const { id } of this.#st.parkedIds.all() as { id: number }[]) n += this.#st.unpark.run(id).changes;
    });
    return n;
  }

  /** Delete a chunk for good (an operator's decision); counted. Refuses an inflight chunk. */
  dropChunk(id: number): boolean {
    let ok = false;
    this.#immediate(() => {
      const row = this.#st.chunkById.get(id) as ChunkRow | undefined;
      if (!row || row.state === 'inflight') return;
      this.#st.deleteChunk.run(id);
      this.#st.bumpCounter.run('dropped_chunks', 1);
      this.#st.bumpCounter.run('dropped_records', row.records);
      ok = true;
    });
    return ok;
  }

  bumpCounter(name: string, by = 1): void {
    this.#guard(() => this.#st.bumpCounter.run(name, by));
  }

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.#st.counters.all() as { name: string; value: number }[]) out[r.name] = r.value;
    return out;
  }

  saveOutputState(name: string, state: string, concurrency: number, nextAttemptAt: number | null): void {
    this.#guard(() => this.#st.saveOutputState.run(name, state, concurrency, nextAttemptAt, this.#now()));
  }

  /** Each output's last recorded state, with when it was recorded. */
  outputStates(): { name: string; state: string; concurrency: number; next_attempt_at: string | null; recorded_at: string }[] {
    type Row = { name: string; state: string; concurrency: number; next_attempt_at: number | null; updated_at: number };
    return (this.#st.outputStates.all() as Row[]).map((r) => ({
      name: r.name,
      state: r.state,
      concurrency: r.concurrency,
      next_attempt_at: r.next_attempt_at === null ? null : new Date(r.next_attempt_at).toISOString(),
      recorded_at: new Date(r.updated_at).toISOString(),
    }));
  }

  stats(): BufferStats {
    const chunks: Record<ChunkState, number> = { open: 0, sealing: 0, queued: 0, inflight: 0, parked: 0 };
    let pendingRecords = 0;
    let pendingBytes = 0;
    let parkedRecords = 0;
    let storedBytes = 0;
    let oldest: number | null = null;
    const rows = this.#st.countsByState.all() as { state: ChunkState; chunks: number; records: number; raw: number; stored: number; oldest: number }[];
    for (const r of rows) {
      chunks[r.state] = r.chunks;
      storedBytes += r.stored;
      if (r.state === 'parked') {
        parkedRecords += r.records;
        continue;
      }
      pendingRecords += r.records;
      pendingBytes += r.raw;
      if (oldest === null || r.oldest < oldest) oldest = r.oldest;
    }
    return { chunks, pendingRecords, pendingBytes, parkedRecords, storedBytes, oldestPendingCreatedAt: oldest };
  }

  get host(): string {
    return this.#host;
  }

  /** Wait for seals in progress, then close. Chunks this process leased go back to `queued`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.drainSeals();
    } catch {
      // left `sealing`; recovered at the next open
    }
    this.#closed = true;
    this.#db
      .prepare(`UPDATE chunks SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
                in_doubt_since = COALESCE(in_doubt_since, last_attempt_at)
         WHERE state = 'inflight' AND lease_owner = ?`)
      .run(this.owner);
    await this.#walSync?.close();
    this.#db.close();
  }

  /** One write transaction (BEGIN IMMEDIATE); a full disk becomes a DiskFullError. */
  #immediate(fn: () => void): void {
    this.#guard(() => this.#db.transaction(fn).immediate());
  }

  /** Runs a write; SQLite's "database or disk is full" becomes a DiskFullError naming the buffer. */
  #guard<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      if (isDiskFull(err, this.dir)) throw new DiskFullError(this.dir);
      throw err;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new TdfwdError('IO', 'the buffer is closed');
  }
}

function toSealed(row: ChunkRow, payload: Buffer): SealedChunk {
  return {
    id: row.id,
    key: row.key,
    tag: row.tag,
    records: row.records,
    rawBytes: row.raw_bytes,
    payload,
    createdAt: row.created_at,
    attempts: row.attempts,
    firstAttemptAt: row.first_attempt_at,
    inDoubtSince: row.in_doubt_since,
  };
}

function storedPart(row: PartRow): StoredPart {
  return row.raw_len === null ? { data: row.data } : { data: row.data, deflated: { rawBytes: row.raw_len, crc: (row.crc ?? 0) >>> 0 } };
}
