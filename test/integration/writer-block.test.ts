// The writer's `block` overflow wait on a real buffer and a virtual clock: a write into a full buffer
// waits (one onBlocked call, waits doubling from 50 ms to 1 s), goes through once delivery has made
// room, and gives up with "gave up waiting" when its signal aborts.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { BufferFullError } from '../../src/core/errors.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A buffer already over its 5000-byte limit with one sealed chunk of 6 incompressible records. */
async function fullStore(): Promise<ChunkStore> {
  const t = tempDir();
  const store = openStore(t.dir, { totalLimitSize: 5000, overflowAction: 'block', chunkLimitRecords: 6 });
  cleanups.push(t.cleanup, () => store.close());
  await new BufferWriter(store).write(Array.from({ length: 6 }, (_, i) => big(i)));
  await store.drainSeals();
  return store;
}

const big = (n: number) => ({ tag: 't.x', record: { time: 1, n, pad: randomBytes(750).toString('base64') } });

describe('BufferWriter block wait', () => {
  it('waits on a full buffer and goes through once delivery has made room', async () => {
    const store = await fullStore();
    const clock = new FakeClock(0);
    const blocked: string[] = [];
    const tries: number[] = [];
    const writer = new BufferWriter(store, { clock, onBlocked: (m, cause) => blocked.push(`${cause}: ${m}`) });
    const original = store.append.bind(store);
    store.append = (...args: Parameters<ChunkStore['append']>) => {
      tries.push(clock.now());
      return original(...args);
    };
    let done = false;
    const pending = writer.write([big(100)]).then(() => (done = true));
    await clock.advance(3000);
    expect(done).toBe(false);
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatch(/^buffer: /);
    expect(tries.slice(0, 6)).toEqual([0, 50, 150, 350, 750, 1550]); // 50 ms doubling, capped at 1 s
    expect(tries[6]).toBe(2550);

    const [chunk] = store.lease(1, ['t.x'], 60_000);
    expect(chunk).toBeDefined();
    store.ack(chunk!.id); // delivered: room again
    await clock.advance(1000);
    await pending;
    expect(done).toBe(true);
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('gives up with BufferFullError when its signal aborts, and the buffer is unchanged', async () => {
    const store = await fullStore();
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const pending = new BufferWriter(store, { clock }).write([big(100)], [], ac.signal);
    await clock.advance(500);
    ac.abort();
    await expect(pending).rejects.toThrow(BufferFullError);
    await expect(pending).rejects.toThrow(/gave up waiting/);
    expect(store.stats().pendingRecords).toBe(6);
  });
});
