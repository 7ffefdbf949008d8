// Retry waits: exponential with full / equal / no jitter (the cap applied before the jitter), and
// periodic ±randomize.
import { describe, expect, it } from 'vitest';
import { backoffWait, jittered, type BackoffPolicy } from '../../src/delivery/backoff.js';
import { scriptedRandom, seededRandom } from '../helpers/fake-clock.js';

const exp = (jitter: BackoffPolicy['jitter']): BackoffPolicy => ({ type: 'exponential', wait: 1000, maxWait: 5000, jitter, randomize: 0.5 });

describe('exponential backoff', () => {
  it('doubles from wait up to max_wait without jitter', () => {
    const r = seededRandom(1);
    expect([1, 2, 3, 4, 5, 10, 100].map((n) => backoffWait(exp('none'), n, r))).toEqual([1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it('treats 0 failures as the first', () => {
    expect(backoffWait(exp('none'), 0, seededRandom())).toBe(1000);
  });

  it('full jitter draws uniformly in [0, capped): the cap is applied before the jitter', () => {
    expect(backoffWait(exp('full'), 1, scriptedRandom(0.5))).toBe(500);
    expect(backoffWait(exp('full'), 3, scriptedRandom(0.25))).toBe(1000);
    // at the cap, the jitter still spreads the waits over [0, max_wait)
    expect(backoffWait(exp('full'), 20, scriptedRandom(0.5))).toBe(2500);
    const r = seededRandom(7);
    const waits = Array.from({ length: 2000 }, () => backoffWait(exp('full'), 30, r));
    expect(Math.max(...waits)).toBeLessThan(5000);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
    expect(mean).toBeGreaterThan(2300);
    expect(mean).toBeLessThan(2700);
  });

  it('equal jitter draws in [capped/2, capped)', () => {
    expect(backoffWait(exp('equal'), 2, scriptedRandom(0))).toBe(1000);
    expect(backoffWait(exp('equal'), 2, scriptedRandom(0.5))).toBe(1500);
    expect(backoffWait(exp('equal'), 9, scriptedRandom(0.999999))).toBeLessThan(5000);
    expect(backoffWait(exp('equal'), 9, scriptedRandom(0))).toBe(2500);
  });

  it('does not overflow for huge failure counts', () => {
    expect(backoffWait(exp('none'), 10_000, seededRandom())).toBe(5000);
  });
});

describe('periodic backoff', () => {
  const periodic: BackoffPolicy = { type: 'periodic', wait: 1000, maxWait: 5000, jitter: 'full', randomize: 0.5 };

  it('waits wait ±randomize, whatever the number of failures', () => {
    expect(backoffWait(periodic, 1, scriptedRandom(0))).toBe(500);
    expect(backoffWait(periodic, 50, scriptedRandom(0.5))).toBe(1000);
    expect(backoffWait(periodic, 3, scriptedRandom(0.75))).toBe(1250);
    const r = seededRandom(3);
    for (let i = 0; i < 500; i++) {
      const w = backoffWait(periodic, i + 1, r);
      expect(w).toBeGreaterThanOrEqual(500);
      expect(w).toBeLessThan(1500);
    }
  });

  it('randomize 0 is a fixed interval', () => {
    expect(backoffWait({ ...periodic, randomize: 0 }, 4, seededRandom())).toBe(1000);
  });
});

describe('jittered', () => {
  it('spreads a duration by ±fraction', () => {
    expect(jittered(10_000, 0.1, scriptedRandom(0))).toBe(9000);
    expect(jittered(10_000, 0.1, scriptedRandom(0.5))).toBe(10_000);
    expect(jittered(10_000, 0.1, scriptedRandom(0.999999))).toBeCloseTo(11_000, -1);
  });
});
