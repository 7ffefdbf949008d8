// The flush timer on a fake clock: first tick after a random fraction of the interval, then every
// interval ±10%, cut-offs never later than now, no overlapping seals, stop() stops it.
import { describe, expect, it } from 'vitest';
import { startSealTimer } from '../../src/delivery/seal-timer.js';
import { FakeClock, scriptedRandom, seededRandom } from '../helpers/fake-clock.js';

describe('startSealTimer', () => {
  it('first seals after a random fraction of the interval, then every interval ±10%', async () => {
    const clock = new FakeClock(0);
    const ticks: { at: number; cutoff: number }[] = [];
    const t = startSealTimer({
      clock,
      random: seededRandom(5),
      intervalMs: 10_000,
      seal: async (cutoff) => void ticks.push({ at: clock.now(), cutoff }),
    });
    await clock.advance(200_000);
    t.stop();
    expect(ticks[0]!.at).toBeLessThan(10_000);
    const gaps = ticks.slice(1).map((x, i) => x.at - ticks[i]!.at);
    expect(gaps.length).toBeGreaterThan(15);
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(9000);
      expect(g).toBeLessThanOrEqual(11_000);
    }
    expect(new Set(gaps).size).toBeGreaterThan(5); // jittered, not a fixed period
    for (const x of ticks) {
      expect(x.cutoff).toBeLessThanOrEqual(x.at);
      expect(x.cutoff).toBeGreaterThanOrEqual(x.at - 1000);
    }
  });

  it('agents started together spread their first seal over the interval', async () => {
    const firsts: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const clock = new FakeClock(0);
      let first: number | null = null;
      const t = startSealTimer({ clock, random: seededRandom(seed), intervalMs: 10_000, seal: async () => void (first ??= clock.now()) });
      await clock.advance(10_000);
      t.stop();
      if (first !== null) firsts.push(first);
    }
    expect(firsts).toHaveLength(20);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(5000);
  });

  it('seals chunks that would pass the interval before the next tick (cut-off = now + next - interval)', async () => {
    const clock = new FakeClock(0);
    const cutoffs: number[] = [];
    // first at 0.5 × 10s; next waits: 0 → 9000 (cut-off now - 1000), 1 → ~11000 (cut-off now)
    const t = startSealTimer({ clock, random: scriptedRandom(0.5, 0, 0.999999), intervalMs: 10_000, seal: async (c) => void cutoffs.push(c) });
    await clock.advance(5000);
    expect(cutoffs).toEqual([4000]);
    await clock.advance(9000);
    expect(cutoffs).toHaveLength(2);
    expect(cutoffs[1]).toBe(14_000);
    t.stop();
  });

  it('a failing seal is reported and the timer keeps going; a slow seal never overlaps the next', async () => {
    const clock = new FakeClock(0);
    const errors: unknown[] = [];
    let running = 0;
    let overlap = false;
    let calls = 0;
    const t = startSealTimer({
      clock,
      random: seededRandom(9),
      intervalMs: 1000,
      onError: (e) => errors.push(e),
      seal: async () => {
        calls++;
        running++;
        if (running > 1) overlap = true;
        await clock.sleep(1500);
        running--;
        if (calls === 1) throw new Error('disk full');
      },
    });
    await clock.advance(20_000);
    t.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBeGreaterThan(8);
    expect(overlap).toBe(false);
  });

  it('stop() cancels the pending tick', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const t = startSealTimer({ clock, random: seededRandom(2), intervalMs: 1000, seal: async () => void calls++ });
    t.stop();
    await clock.advance(10_000);
    expect(calls).toBe(0);
    expect(clock.pending).toBe(0);
  });
});
