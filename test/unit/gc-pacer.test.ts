// The GC pacer: a full collection once external memory (ArrayBuffers) has grown by the threshold,
// instead of waiting for V8's own ~64 MB external-memory trigger; never more often than the gap.
import { getHeapStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { GcPolicy, startGcPacer, type GcPacer } from '../../src/core/gc-pacer.js';
import { waitFor } from '../helpers/cli.js';

const MiB = 1024 * 1024;

/** A fake process: external memory set by the test, a gc() that frees what the test marked dead. */
function fakeProcess() {
  const p = { live: 0, dead: 0, t: 0, gcs: 0 };
  const policy = new GcPolicy({
    external: () => p.live + p.dead,
    gc: () => {
      p.gcs++;
      p.dead = 0;
    },
    now: () => p.t,
    growthBytes: 16 * MiB,
    minGapMs: 100,
  });
  return { p, policy };
}

describe('gc policy', () => {
  it('collects once external memory has grown by the threshold, and not before', () => {
    const { p, policy } = fakeProcess();
    p.dead = 15 * MiB;
    expect(policy.check()).toBe(false);
    p.dead = 17 * MiB;
    expect(policy.check()).toBe(true);
    expect(p.dead).toBe(0);
    expect(p.gcs).toBe(1);
  });

  it('measures growth from what the last collection left live', () => {
    const { p, policy } = fakeProcess();
    p.live = 30 * MiB;
    p.t = 1000;
    expect(policy.check()).toBe(true); // +30 MB
    p.t = 2000;
    p.dead = 10 * MiB; // 40 MB external, only 10 above the 30 left live
    expect(policy.check()).toBe(false);
    p.dead = 16 * MiB;
    expect(policy.check()).toBe(true);
  });

  it('waits the minimum gap between collections', () => {
    const { p, policy } = fakeProcess();
    p.dead = 20 * MiB;
    p.t = 1000;
    expect(policy.check()).toBe(true);
    p.dead = 20 * MiB;
    p.t = 1050;
    expect(policy.check()).toBe(false);
    p.t = 1100;
    expect(policy.check()).toBe(true);
    expect(p.gcs).toBe(2);
  });

  it('follows external memory down between collections (freed by V8 itself)', () => {
    const { p, policy } = fakeProcess();
    p.live = 40 * MiB;
    p.t = 1000;
    policy.check(); // collects, base 40
    p.live = 5 * MiB; // buffers released and freed by V8's own GC
    p.t = 5000;
    expect(policy.check()).toBe(false);
    p.dead = 16 * MiB; // 21 MB: 16 above the new low
    expect(policy.check()).toBe(true);
  });
});

describe('gc pacer (real V8)', () => {
  let pacer: GcPacer | null = null;
  afterEach(() => pacer?.stop());

  it('runs a full collection on its own once buffers have been allocated', async () => {
    pacer = startGcPacer();
    expect(startGcPacer()).toBe(pacer);
    const before = pacer.collections;
    const held: Buffer[] = [];
    for (let i = 0; i < 24; i++) held.push(Buffer.alloc(MiB, 1));
    expect(getHeapStatistics().external_memory).toBeGreaterThan(24 * MiB);
    await waitFor(() => pacer!.collections > before, 5_000, 10);
    expect(held).toHaveLength(24);
  });
});
