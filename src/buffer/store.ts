// The SQLite chunk buffer: the one durable place where events live between their source and the
// endpoint. ChunkStore is a facade over one connection (context.ts) and the parts that each do one
// job: append.ts (append, chunk limits, overflow), seal.ts (the seal queue), leases.ts (leases and
// their ends), fan-out.ts (one delivery row per output under `routing: copy`), operator.ts
// (`tdfwd chunks`), positions.ts (tail positions), output-state.ts (counters, output state, stats). Statements and their row types are in statements.ts, the schema in
// migrations.ts.
//
// Invariants
// - An append commits in one transaction (with any tail positions that produced it): once append()
//   returns ok, the records survive a crash, and only then may a source be acknowledged. An append with
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
// - Under `routing: copy` a queued chunk whose tag several outputs match is fanned out: one row per
//   output (`output` set), each with its own key, state and retries, sharing one payload
//   (shared_payloads) that is deleted with the last of them. A row with `output` NULL is routed by its
//   tag when leased; a row with `output` set is leased only by that output.
//
// States: open → sealing → queued ⇄ inflight → (deleted) ; inflight → parked → queued (chunks retry)
//
// Which columns of `chunks` each state uses (the others keep what an earlier state left):
// - every state: id, key (the idempotency key, never regenerated), tag, created_at (the first record's
//   commit: delivery delay starts here), records and raw_bytes (the record stream), stored_bytes (what
//   the chunk occupies against total_limit_size).
// - open: records live in chunk_parts (data, raw_len/crc for a deflate segment); records, raw_bytes
//   and stored_bytes grow with each append; sealed_at and lease_* are NULL.
// - sealing: still its parts; lease_owner is the sealing process, lease_expires its seal lease (5 min):
//   a dead or late sealer's chunk is claimed by the next sealOpen.
// - queued: sealed_at set; the payload in `payloads`, the parts deleted, stored_bytes its length;
//   lease_* NULL. attempts, first_attempt_at, last_attempt_at, last_error and in_doubt_since stay from
//   earlier attempts (in-doubt chunks are leased first, by in_doubt_since). parent_key is set on the
//   halves of a split chunk (their keys derive from it) and on fan-out copies (theirs derive from it
//   and the output's name); output and shared_payload are set on fan-out rows (the first keeps the
//   chunk's key).
// - inflight: lease_owner (host:pid:nonce) and lease_expires; leasing bumps attempts, sets
//   last_attempt_at and, the first time, first_attempt_at. release sets last_error (and in_doubt_since
//   if the attempt ended in doubt); unlease and reclaim set in_doubt_since only.
// - parked: park_reason, parked_at, last_error; lease_* NULL. Unparking clears park_*, attempts and
//   first_attempt_at (a fresh retry budget) and keeps the key and in_doubt_since.
import { hostname } from 'node:os';
import type { ChunkState, PendingRoute, SealedChunk } from '../core/chunk.js';
import { DiskFullError } from '../core/errors.js';
import type { EncodedPart, PositionUpdate, StoredPart } from '../core/sink.js';
import { Appender, type AppendResult, type BufferLimits } from './append.js';
import { StoreContext } from './context.js';
import { openDb, type SyncMode } from './db.js';
import { FanOut } from './fan-out.js';
import { Leases, type SealedHalf } from './leases.js';
import { Operator } from './operator.js';
import { OutputStateBook, type BufferStats, type RecordedOutputState } from './output-state.js';
import { newOwner } from './owner.js';
import { Positions, type StoredPosition } from './positions.js';
import { SealQueue, type Compress } from './seal.js';
import { prepare, type ChunkRow } from './statements.js';

import type { OverflowAction } from '../core/buffer-policy.js';

export type { AppendResult, BufferLimits, BufferStats, OverflowAction, StoredPosition };
export { DEFAULT_LIMITS } from './append.js';

export interface StoreOptions {
  dir: string;
  sync?: SyncMode;
  limits?: Partial<BufferLimits>;
  /**
   * Turns a chunk's parts, pulled one at a time (null at the end), into its sealed payload (gzip of
   * their concatenation, in practice). Pulling keeps a seal's memory to one part, not the whole chunk.
   */
  compress: Compress;
  /** Inflates a stored deflate segment back to its records (for `chunkData` of an open chunk). */
  inflate?: (part: StoredPart) => Buffer;
  now?: () => number;
}

/** Records of one tag, already encoded (and maybe deflated), appended as one part. */
export type AppendPart = EncodedPart;

export class ChunkStore {
  readonly dir: string;
  readonly owner = newOwner();
  readonly host = hostname();
  readonly #c: StoreContext;
  readonly #seals: SealQueue;
  readonly #appender: Appender;
  readonly #leases: Leases;
  readonly #fanOut: FanOut;
  readonly #operator: Operator;
  readonly #positions: Positions;
  readonly #book: OutputStateBook;

  constructor(opts: StoreOptions) {
    this.dir = opts.dir;
    const db = openDb(opts.dir, opts.sync ?? 'full');
    this.#c = new StoreContext(opts.dir, db, prepare(db), this.owner, opts.now ?? Date.now);
    this.#seals = new SealQueue(this.#c, opts.compress);
    this.#appender = new Appender(this.#c, this.#seals, opts.sync ?? 'full', opts.limits);
    this.#leases = new Leases(this.#c);
    this.#fanOut = new FanOut(this.#c);
    this.#operator = new Operator(this.#c, opts.inflate);
    this.#positions = new Positions(this.#c);
    this.#book = new OutputStateBook(this.#c);
  }

  // ---- append (append.ts) -------------------------------------------------------------------------

  get limits(): Readonly<BufferLimits> {
    return this.#appender.limits;
  }

  /** New buffer limits from a reload (SIGHUP): the next appends use them. */
  setLimits(limits: Partial<BufferLimits>): void {
    this.#appender.setLimits(limits);
  }

  /**
   * Commit parts (and the positions that produced them) in one transaction. Synchronous: when it
   * returns ok, the data is durable; with durable 'later', once whenDurable() resolves (see the top).
   * Returns `{ ok: false, full }` when the buffer (overflow action `block`) or the disk is full and
   * nothing was committed; throws a BufferFullError when the overflow action rejects.
   */
  append(parts: readonly AppendPart[], positions: readonly PositionUpdate[] = [], durable: 'now' | 'later' = 'now'): AppendResult {
    return this.#appender.append(parts, positions, durable);
  }

  /** WAL fsyncs done for appends made with durable 'later' (fewer than those appends when grouped). */
  get walSyncs(): number {
    return this.#appender.walSyncs;
  }

  /** Resolves once every append made with durable 'later' before this call is on disk (at once with `sync: normal`). */
  whenDurable(): Promise<void> {
    return this.#appender.whenDurable();
  }

  // ---- positions (positions.ts) -------------------------------------------------------------------

  /** Positions only (e.g. a tail input skipping blank lines or recording a rotation). */
  savePositions(positions: readonly PositionUpdate[]): void {
    const r = this.append([], positions);
    if (!r.ok) throw new DiskFullError(this.dir);
  }

  getPosition(source: string): StoredPosition | undefined {
    return this.#positions.get(source);
  }

  allPositions(): StoredPosition[] {
    return this.#positions.all();
  }

  /** Sources whose position was last committed before `before` (ms since the epoch). */
  stalePositions(before: number): string[] {
    return this.#positions.stale(before);
  }

  /** Forgets a source's position if it is still older than `before` (no commit moved it since). */
  deleteStalePosition(source: string, before: number): boolean {
    return this.#positions.deleteStale(source, before);
  }

  // ---- seal (seal.ts) -----------------------------------------------------------------------------

  /**
   * Seal open chunks (all, or those created before `olderThan` ms epoch) and any chunk left `sealing`
   * by a process that died; resolves when every seal has been committed.
   */
  sealOpen(olderThan: number = Number.POSITIVE_INFINITY): Promise<void> {
    return this.#seals.sealOpen(olderThan);
  }

  /** Wait for pending seals; rethrows the first seal failure. */
  drainSeals(): Promise<void> {
    return this.#seals.drain();
  }

  // ---- lease and deliver (leases.ts; delivery/queue.ts's DeliveryQueue) ----------------------------

  queuedTags(): string[] {
    return this.#leases.queuedTags();
  }

  reclaimLeases(): number {
    return this.#leases.reclaim();
  }

  lease(limit: number, tags: readonly string[], leaseMs: number, copies?: { output: string; tags: readonly string[] }): SealedChunk[] {
    return this.#leases.lease(limit, tags, leaseMs, copies);
  }

  ack(id: number): boolean {
    return this.#leases.ack(id);
  }

  release(id: number, error: string | null, inDoubt: boolean): boolean {
    return this.#leases.release(id, error, inDoubt);
  }

  unlease(id: number): boolean {
    return this.#leases.unlease(id);
  }

  park(id: number, reason: string): boolean {
    return this.#leases.park(id, reason);
  }

  split(parent: SealedChunk, halves: readonly SealedHalf[]): number[] {
    return this.#leases.split(parent, halves);
  }

  // ---- fan-out: routing copy (fan-out.ts) --------------------------------------------------------

  queuedCopies(): { output: string; tag: string }[] {
    return this.#fanOut.queuedCopies();
  }

  fanOut(tag: string, outputs: readonly string[]): number {
    return this.#fanOut.fanOut(tag, outputs);
  }

  // ---- inspect and act: tdfwd chunks (operator.ts) ------------------------------------------------

  chunkById(id: number): ChunkRow | undefined {
    return this.#operator.chunkById(id);
  }

  chunkByKey(key: string): ChunkRow | undefined {
    return this.#operator.chunkByKey(key);
  }

  keysWithPrefix(prefix: string, limit: number): string[] {
    return this.#operator.keysWithPrefix(prefix, limit);
  }

  listChunks(state: ChunkState | null, limit = 1000): ChunkRow[] {
    return this.#operator.list(state, limit);
  }

  chunkData(id: number): { sealed: boolean; data: Buffer } | undefined {
    return this.#operator.chunkData(id);
  }

  unpark(id: number): boolean {
    return this.#operator.unpark(id);
  }

  unparkAll(): number {
    return this.#operator.unparkAll();
  }

  dropChunk(id: number): boolean {
    return this.#operator.drop(id);
  }

  // ---- counters, output state, stats (output-state.ts) --------------------------------------------

  bumpCounter(name: string, by = 1): void {
    this.#book.bumpCounter(name, by);
  }

  counters(): Record<string, number> {
    return this.#book.counters();
  }

  saveOutputState(name: string, state: string, concurrency: number, nextAttemptAt: number | null): void {
    this.#book.saveOutputState(name, state, concurrency, nextAttemptAt);
  }

  /** What waits for delivery (queued or in flight), by tag and by fan-out copy. */
  pendingByRoute(): PendingRoute[] {
    return this.#book.pendingByRoute();
  }

  outputStates(): RecordedOutputState[] {
    return this.#book.outputStates();
  }

  stats(): BufferStats {
    return this.#book.stats();
  }

  /** Wait for seals in progress, then close. Chunks this process leased go back to `queued`. */
  async close(): Promise<void> {
    if (this.#c.closed) return;
    try {
      await this.#seals.drain();
    } catch {
      // left `sealing`; recovered at the next open
    }
    this.#c.closed = true;
    this.#leases.releaseOwn();
    await this.#appender.close();
    this.#c.db.close();
  }
}
