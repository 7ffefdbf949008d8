// One agent's buffer, in memory: the DeliveryQueue the real OutputWorker leases from, as ChunkStore
// does on SQLite. Owns the agent's queued chunk ids in two heaps: chunks that have been in doubt
// (ordered by when they first went in doubt) and the others (oldest first), so a lease takes in-doubt
// chunks first, then the oldest — the same order as the SQLite store. No leases expire here: nothing
// crashes in the simulation. The modelled endpoint never answers 413, but split works as the store's
// does (the halves replace the parent, keep its age and carry the keys they are given), so the one
// DeliveryQueue contract (test/integration/delivery-queue-contract.test.ts) holds for both.
import type { SealedChunk } from '../core/chunk.js';
import type { DeliveryQueue, SplitHalf } from '../delivery/queue.js';
import { DELIVERED, INFLIGHT, PARKED, QUEUED, SPLIT, type ChunkTable } from './chunk-table.js';
import type { FleetStats } from './fleet-stats.js';
import { IdHeap } from './id-heap.js';

export const SIM_TAG = 'td.sim.events';
const EMPTY = Buffer.alloc(0);
const TAGS = [SIM_TAG];
const NO_TAGS: string[] = [];

export class MemoryQueue implements DeliveryQueue {
  readonly agent: number;
  readonly #table: ChunkTable;
  readonly #stats: FleetStats;
  readonly #now: () => number;
  readonly #recordsPerChunk: number;
  readonly #fresh: IdHeap;
  readonly #doubted: IdHeap;
  /** The halves of split chunks: the key and record count they were given (others derive theirs). */
  readonly #halves = new Map<number, { key: string; records: number; rawBytes: number }>();
  #inflight = 0;

  constructor(agent: number, table: ChunkTable, stats: FleetStats, now: () => number, recordsPerChunk: number) {
    this.agent = agent;
    this.#table = table;
    this.#stats = stats;
    this.#now = now;
    this.#recordsPerChunk = recordsPerChunk;
    const t = table;
    this.#fresh = new IdHeap((a, b) => {
      const ca = t.createdAt[a] as number;
      const cb = t.createdAt[b] as number;
      return ca < cb || (ca === cb && a < b);
    });
    this.#doubted = new IdHeap((a, b) => {
      const sa = t.inDoubtSince[a] as number;
      const sb = t.inDoubtSince[b] as number;
      return sa < sb || (sa === sb && a < b);
    });
  }

  /** Queued chunks (not in flight). */
  get queued(): number {
    return this.#fresh.size + this.#doubted.size;
  }

  get inflight(): number {
    return this.#inflight;
  }

  /** Seal a new chunk into this agent's queue. */
  seal(): number {
    const now = this.#now();
    const id = this.#table.add(this.agent, now);
    this.#fresh.push(id);
    this.#stats.onSealed(this.agent);
    return id;
  }

  queuedTags(): string[] {
    return this.queued > 0 ? TAGS : NO_TAGS;
  }

  reclaimLeases(): number {
    return 0;
  }

  lease(limit: number, _tags: readonly string[], _leaseMs: number): SealedChunk[] {
    const out: SealedChunk[] = [];
    const t = this.#table;
    const now = this.#now();
    while (out.length < limit) {
      const id = this.#doubted.size > 0 ? this.#doubted.pop() : this.#fresh.pop();
      if (id === undefined) break;
      t.state[id] = INFLIGHT;
      t.attempts[id] = (t.attempts[id] as number) + 1;
      if (Number.isNaN(t.firstAttemptAt[id])) t.firstAttemptAt[id] = now;
      this.#inflight++;
      out.push(this.#sealed(id));
    }
    return out;
  }

  ack(id: number): boolean {
    if (!this.#take(id)) return false;
    this.#table.state[id] = DELIVERED;
    this.#stats.onDelivered(id, this.#now());
    return true;
  }

  release(id: number, _error: string | null, inDoubt: boolean): boolean {
    if (!this.#take(id)) return false;
    const t = this.#table;
    if (inDoubt && Number.isNaN(t.inDoubtSince[id])) t.inDoubtSince[id] = this.#now();
    t.state[id] = QUEUED;
    if (Number.isNaN(t.inDoubtSince[id])) this.#fresh.push(id);
    else this.#doubted.push(id);
    return true;
  }

  unlease(id: number): boolean {
    return this.release(id, null, true);
  }

  park(id: number, _reason: string): boolean {
    if (!this.#take(id)) return false;
    this.#table.state[id] = PARKED;
    this.#stats.onParked(id, this.#now());
    return true;
  }

  /** Replace a leased chunk by its halves: queued, as old as the parent, never attempted. */
  split(parent: SealedChunk, halves: readonly SplitHalf[]): number[] {
    if (!this.#take(parent.id)) return [];
    const t = this.#table;
    t.state[parent.id] = SPLIT;
    const ids = halves.map((h, i) => {
      const id = t.add(this.agent, t.createdAt[parent.id] as number);
      this.#halves.set(id, { key: h.key, records: h.records, rawBytes: h.rawBytes });
      // The parent was counted sealed once: each half past the first is one more chunk to deliver.
      if (i > 0) this.#stats.onSealed(this.agent);
      this.#fresh.push(id);
      return id;
    });
    return ids;
  }

  #take(id: number): boolean {
    const t = this.#table;
    if (t.state[id] !== INFLIGHT || t.agent[id] !== this.agent) return false;
    this.#inflight--;
    return true;
  }

  #sealed(id: number): SealedChunk {
    const t = this.#table;
    const first = t.firstAttemptAt[id] as number;
    const doubt = t.inDoubtSince[id] as number;
    const half = this.#halves.get(id);
    return new SimChunk(id, half?.records ?? this.#recordsPerChunk, t.createdAt[id] as number, t.attempts[id] as number, Number.isNaN(first) ? null : first, Number.isNaN(doubt) ? null : doubt, half);
  }
}

/** A leased chunk as delivery sees it; the key (only used as a map key by the worker) is made on demand. */
class SimChunk implements SealedChunk {
  readonly tag = SIM_TAG;
  readonly payload = EMPTY;
  #key: string | undefined;
  readonly #half: { key: string; rawBytes: number } | undefined;

  constructor(
    readonly id: number,
    readonly records: number,
    readonly createdAt: number,
    readonly attempts: number,
    readonly firstAttemptAt: number | null,
    readonly inDoubtSince: number | null,
    half?: { key: string; rawBytes: number },
  ) {
    this.#half = half;
  }

  get key(): string {
    return (this.#key ??= this.#half?.key ?? this.id.toString(16).padStart(32, '0'));
  }

  get rawBytes(): number {
    return this.#half?.rawBytes ?? this.records * 100;
  }
}
