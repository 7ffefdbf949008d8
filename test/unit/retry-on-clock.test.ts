// retryOnClock: p-retry's loop with the waits on an injected (here virtual) clock.
import { describe, expect, it } from 'vitest';
import { retryOnClock } from '../../src/core/retry-on-clock.js';
import { FakeClock } from '../helpers/fake-clock.js';

class Transient extends Error {}

describe('retryOnClock', () => {
  it('retries a failing step on virtual time, waiting delayMs(n) after the nth failure', async () => {
    const clock = new FakeClock(0);
    const tries: number[] = [];
    const failures: number[] = [];
    const p = retryOnClock(
      () => {
        tries.push(clock.now());
        if (tries.length < 4) throw new Transient(`try ${tries.length}`);
        return 'written';
      },
      { clock, retryable: (e) => e instanceof Transient, delayMs: (n) => n * 100, onFailure: (_e, n) => failures.push(n) },
    );
    await clock.advance(10_000);
    await expect(p).resolves.toBe('written');
    expect(tries).toEqual([0, 100, 300, 600]);
    expect(failures).toEqual([1, 2, 3]);
  });

  it('throws a failure that is not retryable at once, without waiting', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const p = retryOnClock(
      () => {
        n++;
        throw new Error('corrupt');
      },
      { clock, retryable: (e) => e instanceof Transient, delayMs: () => 1000 },
    );
    await expect(p).rejects.toThrow('corrupt');
    expect(n).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('an abort ends the wait in progress and the next failure is thrown; an aborted retry still tries once', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    let n = 0;
    const p = retryOnClock(
      () => {
        n++;
        throw new Transient('full');
      },
      { clock, signal: ac.signal, retryable: () => true, delayMs: () => 60_000 },
    );
    await clock.advance(1);
    ac.abort();
    await expect(p).rejects.toThrow('full');
    expect(n).toBe(2); // the first try, then one more when the wait ended early
    const late = await retryOnClock(() => 'acked', { clock, signal: ac.signal, retryable: () => true, delayMs: () => 1 });
    expect(late).toBe('acked');
  });
});
