import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/simulate/virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in due order, ties first-in first-out, never synchronously', async () => {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    clock.setTimer(30, () => seen.push('c@30'));
    clock.setTimer(10, () => seen.push('a@10'));
    clock.setTimer(10, () => seen.push('b@10'));
    clock.setTimer(0, () => seen.push('z@0'));
    expect(seen).toEqual([]);
    await clock.runUntil(1030);
    expect(seen).toEqual(['z@0', 'a@10', 'b@10', 'c@30']);
    expect(clock.now()).toBe(1030);
  });

  it('does not fire cancelled timers and counts pending ones', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const h = clock.setTimer(5, () => seen.push(5));
    clock.setTimer(6, () => seen.push(6));
    expect(clock.pending).toBe(2);
    h.cancel();
    h.cancel();
    expect(clock.pending).toBe(1);
    await clock.advance(10);
    expect(seen).toEqual([6]);
    expect(clock.pending).toBe(0);
    expect(clock.nextDue()).toBeNull();
  });

  it('lets promise continuations settle before advancing, so chains see the time they were resumed at', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    const chain = async (name: string, waits: number[]): Promise<void> => {
      for (const w of waits) {
        await clock.sleep(w);
        // several awaits deep: still settled before the clock moves on
        await Promise.resolve();
        await null;
        log.push(`${name}@${clock.now()}`);
      }
    };
    void chain('a', [10, 10, 10]);
    void chain('b', [15, 15]);
    await clock.runUntil(100);
    // both due at 30: b's timer was set first (at 15, a's at 20), so b resumes first
    expect(log).toEqual(['a@10', 'b@15', 'a@20', 'b@30', 'a@30']);
  });

  it('fires a timer set while settling at the current time after the ones already due', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    clock.setTimer(5, () => {
      log.push('first');
      void Promise.resolve().then(() => clock.setTimer(0, () => log.push(`zero-delay@${clock.now()}`)));
    });
    clock.setTimer(5, () => log.push('second'));
    clock.setTimer(6, () => log.push('later'));
    await clock.runUntil(10);
    expect(log).toEqual(['first', 'second', 'zero-delay@5', 'later']);
  });

  it('rounds due times up to its resolution and stops early when asked', async () => {
    const clock = new VirtualClock(0, 100);
    const at: number[] = [];
    clock.setTimer(1, () => at.push(clock.now()));
    clock.setTimer(100, () => at.push(clock.now()));
    clock.setTimer(150, () => at.push(clock.now()));
    clock.setTimer(500, () => at.push(clock.now()));
    await clock.runUntil(10_000, () => at.length >= 3);
    expect(at).toEqual([100, 100, 200]);
    expect(clock.now()).toBe(200);
  });

  it('sleep resolves early when its signal aborts', async () => {
    const clock = new VirtualClock(0);
    const ac = new AbortController();
    let done = false;
    void clock.sleep(1000, ac.signal).then(() => (done = true));
    await clock.advance(10);
    expect(done).toBe(false);
    ac.abort();
    await clock.advance(1);
    expect(done).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('settleTurns: code that hops through macrotask turns after a timer resumes before the next one fires', async () => {
    // after the timer at 10: two setImmediate hops, then a note of the time it resumed at
    const resumedAt = async (settleTurns: number): Promise<number> => {
      const clock = new VirtualClock(0, 1, settleTurns);
      let at = -1;
      clock.setTimer(10, () => {
        void (async () => {
          await new Promise<void>((r) => setImmediate(r));
          await new Promise<void>((r) => setImmediate(r));
          at = clock.now();
        })();
      });
      clock.setTimer(20, () => {});
      await clock.runUntil(20);
      return at;
    };
    expect(await resumedAt(1)).toBe(20); // simulate's one turn: time moved on under it
    expect(await resumedAt(3)).toBe(10); // FakeClock's three turns: resumed at its own time
    expect(() => new VirtualClock(0, 1, 0)).toThrow(RangeError);
  });
});
