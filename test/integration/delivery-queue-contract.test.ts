// The DeliveryQueue contract (src/delivery/queue.ts): one test body, run against the SQLite chunk
// store and against simulate's in-memory queue, so the scheduler sees the same semantics in the
// daemon and in `tdfwd simulate`: lease order and limit, attempts, ack / release / unlease / park only
// by the lease holder, in-doubt times, split halves, and reclaim leaving live leases alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { encodeRecords } from '../../src/codec/msgpack.js';
import { childChunkKey, type SealedChunk } from '../../src/core/chunk.js';
import type { DeliveryQueue } from '../../src/delivery/queue.js';
import { ChunkTable } from '../../src/simulate/chunk-table.js';
import { FleetStats } from '../../src/simulate/fleet-stats.js';
import { MemoryQueue, SIM_TAG } from '../../src/simulate/memory-queue.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const LEASE_MS = 60_000;
const T0 = 1_700_000_000_000;

/** A queue holding `n` sealed chunks of one tag, created 1 s apart (oldest first), and its clock. */
interface Subject {
  queue: DeliveryQueue & { unlease(id: number): boolean };
  tag: string;
  /** The ids of the seeded chunks, oldest first. */
  ids: number[];
  advance(ms: number): void;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function sqliteQueue(n: number): Promise<Subject> {
  const t = tempDir();
  let now = T0;
  const store: ChunkStore = openStore(t.dir, { chunkLimitRecords: 1 }, () => now);
  for (let i = 0; i < n; i++) {
    expect(store.append([{ tag: SIM_TAG, records: 1, data: encodeRecords([{ time: 1, i }]) }])).toEqual({ ok: true });
    now += 1000;
  }
  await store.drainSeals();
  const ids = store.listChunks('queued').map((c) => c.id);
  expect(ids).toHaveLength(n);
  const close = async (): Promise<void> => {
    await store.close();
    t.cleanup();
  };
  return { queue: store, tag: SIM_TAG, ids, advance: (ms) => (now += ms), close };
}

async function memoryQueue(n: number): Promise<Subject> {
  let now = T0;
  const table = new ChunkTable();
  const queue = new MemoryQueue(0, table, new FleetStats(table, 1, Number.POSITIVE_INFINITY), () => now, 1);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(queue.seal());
    now += 1000;
  }
  return { queue, tag: SIM_TAG, ids, advance: (ms) => (now += ms), close: async () => {} };
}

const halvesOf = (c: SealedChunk) =>
  ([0, 1] as const).map((i) => ({ key: childChunkKey(c.key, i), records: 1, rawBytes: 10, payload: Buffer.from([i]) }));

describe.each([
  ['the SQLite chunk store', sqliteQueue],
  ['the simulation queue', memoryQueue],
])('DeliveryQueue contract: %s', (_name, make) => {
  async function subject(n: number): Promise<Subject> {
    const s = await make(n);
    cleanups.push(s.close);
    return s;
  }

  it('leases at most `limit` chunks, oldest first, each once, counting an attempt', async () => {
    const { queue, tag, ids, advance } = await subject(3);
    expect(queue.queuedTags()).toEqual([tag]);
    expect(queue.lease(0, [tag], LEASE_MS)).toEqual([]);
    advance(5000);
    const first = queue.lease(2, [tag], LEASE_MS);
    expect(first.map((c) => c.id)).toEqual(ids.slice(0, 2));
    expect(first[0]).toMatchObject({ attempts: 1, firstAttemptAt: T0 + 8000, inDoubtSince: null, createdAt: T0 });
    expect(first[0]!.key).toMatch(/^[0-9a-f]{32}$/);
    expect(queue.lease(5, [tag], LEASE_MS).map((c) => c.id)).toEqual([ids[2]]);
    expect(queue.lease(5, [tag], LEASE_MS)).toEqual([]);
    expect(queue.queuedTags()).toEqual([]);
  });

  it('ack ends a chunk once; only a leased chunk can be acked, released or parked', async () => {
    const { queue, tag, ids } = await subject(2);
    expect(queue.ack(ids[0]!)).toBe(false); // queued, not leased
    expect(queue.release(ids[0]!, 'x', false)).toBe(false);
    expect(queue.park(ids[0]!, 'x')).toBe(false);
    const [c] = queue.lease(1, [tag], LEASE_MS);
    expect(queue.ack(c!.id)).toBe(true);
    expect(queue.ack(c!.id)).toBe(false);
    expect(queue.release(c!.id, 'x', false)).toBe(false);
    expect(queue.lease(5, [tag], LEASE_MS).map((x) => x.id)).toEqual([ids[1]]);
  });

  it('release re-queues with the same key and counts the next attempt; in doubt keeps its first time and goes first', async () => {
    const { queue, tag, ids, advance } = await subject(3);
    const [a, b] = queue.lease(2, [tag], LEASE_MS);
    advance(1000);
    expect(queue.release(b!.id, 'timeout', true)).toBe(true);
    expect(queue.release(a!.id, 'HTTP 500', false)).toBe(true);
    const order = queue.lease(3, [tag], LEASE_MS);
    expect(order.map((c) => c.id)).toEqual([ids[1], ids[0], ids[2]]);
    expect(order[0]).toMatchObject({ key: b!.key, attempts: 2, inDoubtSince: T0 + 4000 });
    expect(order[1]).toMatchObject({ key: a!.key, attempts: 2, inDoubtSince: null, firstAttemptAt: T0 + 3000 });
    advance(1000);
    expect(queue.release(order[0]!.id, 'timeout again', true)).toBe(true);
    expect(queue.lease(1, [tag], LEASE_MS)[0]).toMatchObject({ id: ids[1], inDoubtSince: T0 + 4000, attempts: 3 });
  });

  it('unlease puts an interrupted attempt back in doubt, without touching an earlier in-doubt time', async () => {
    const { queue, tag, ids, advance } = await subject(2);
    const [a] = queue.lease(1, [tag], LEASE_MS);
    advance(500);
    expect(queue.unlease(a!.id)).toBe(true);
    expect(queue.unlease(a!.id)).toBe(false);
    const [again] = queue.lease(1, [tag], LEASE_MS);
    expect(again).toMatchObject({ id: ids[0], key: a!.key, attempts: 2, inDoubtSince: T0 + 2500 });
  });

  it('a parked chunk is never leased again', async () => {
    const { queue, tag, ids } = await subject(2);
    const [a] = queue.lease(1, [tag], LEASE_MS);
    expect(queue.park(a!.id, 'HTTP 400: bad table')).toBe(true);
    expect(queue.park(a!.id, 'again')).toBe(false);
    expect(queue.ack(a!.id)).toBe(false);
    expect(queue.lease(5, [tag], LEASE_MS).map((c) => c.id)).toEqual([ids[1]]);
  });

  it('split replaces a leased chunk by queued halves with their keys and the parent age', async () => {
    const { queue, tag, ids } = await subject(2);
    const [parent] = queue.lease(1, [tag], LEASE_MS);
    const halves = halvesOf(parent!);
    const halfIds = queue.split(parent!, halves);
    expect(halfIds).toHaveLength(2);
    expect(queue.split(parent!, halves)).toEqual([]); // no longer leased
    expect(queue.ack(parent!.id)).toBe(false);
    const next = queue.lease(5, [tag], LEASE_MS);
    // As old as the parent: before the younger chunk.
    expect(next.map((c) => c.id)).toEqual([...halfIds, ids[1]]);
    expect(next.slice(0, 2).map((c) => c.key)).toEqual(halves.map((h) => h.key));
    expect(next[0]).toMatchObject({ records: 1, rawBytes: 10, attempts: 1, createdAt: T0, inDoubtSince: null });
  });

  it('reclaimLeases leaves this process its live leases', async () => {
    const { queue, tag } = await subject(1);
    const [a] = queue.lease(1, [tag], LEASE_MS);
    expect(queue.reclaimLeases()).toBe(0);
    expect(queue.lease(1, [tag], LEASE_MS)).toEqual([]);
    expect(queue.ack(a!.id)).toBe(true);
  });
});
