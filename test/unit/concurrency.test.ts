// AIMD concurrency: starts at 1, +1 per RTT window that reached the limit with latency not above the
// baseline, ×decrease_ratio on backpressure or rising latency, bounded by max, reset to 1.
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/delivery/concurrency.js';

/** One RTT window: `starts` requests start (inflight counts them), then all answer after rtt ms. */
function windowOf(l: ConcurrencyLimiter, t: number, rtt: number, opts: { starts?: number; backpressure?: boolean } = {}): number {
  const n = opts.starts ?? l.limit;
  for (let i = 1; i <= n; i++) l.onStart(i, t);
  for (let i = 0; i < n; i++) l.onResponse(rtt, Boolean(opts.backpressure) && i === 0, t + rtt);
  return t + rtt;
}

describe('ConcurrencyLimiter', () => {
  it('starts at 1 when adaptive, at max when not', () => {
    expect(new ConcurrencyLimiter({ max: 8, adaptive: true, decreaseRatio: 0.5 }).limit).toBe(1);
    const fixed = new ConcurrencyLimiter({ max: 8, adaptive: false, decreaseRatio: 0.5 });
    expect(fixed.limit).toBe(8);
    fixed.onResponse(10, true, 100);
    expect(fixed.limit).toBe(8);
  });

  it('grows by one per RTT window in which it reached the limit at steady latency, up to max', () => {
    const l = new ConcurrencyLimiter({ max: 5, adaptive: true, decreaseRatio: 0.5 });
    let t = 1000;
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      t = windowOf(l, t, 100);
      seen.push(l.limit);
    }
    expect(seen).toEqual([2, 3, 4, 5, 5, 5, 5]);
  });

  it('does not grow when the limit was not reached', () => {
    const l = new ConcurrencyLimiter({ max: 8, adaptive: true, decreaseRatio: 0.5 });
    let t = windowOf(l, 0, 100);
    expect(l.limit).toBe(2);
    for (let i = 0; i < 5; i++) t = windowOf(l, t, 100, { starts: 1 });
    expect(l.limit).toBe(2);
  });

  it('does not grow while latency is above the baseline, shrinks when it rises past mean + k·dev', () => {
    const l = new ConcurrencyLimiter({ max: 16, adaptive: true, decreaseRatio: 0.5 });
    let t = 0;
    for (let i = 0; i < 5; i++) t = windowOf(l, t, 100);
    expect(l.limit).toBe(6);
    t = windowOf(l, t, 110); // a little slower: hold
    expect(l.limit).toBe(6);
    t = windowOf(l, t, 400); // far above the baseline: shrink
    expect(l.limit).toBe(3);
  });

  it('multiplies by decrease_ratio on backpressure, once per window', () => {
    const l = new ConcurrencyLimiter({ max: 16, adaptive: true, decreaseRatio: 0.5 });
    let t = 0;
    for (let i = 0; i < 7; i++) t = windowOf(l, t, 100);
    expect(l.limit).toBe(8);
    for (let i = 1; i <= 8; i++) l.onStart(i, t);
    for (let i = 0; i < 8; i++) l.onResponse(100, true, t + 1); // a burst of 429s from one overload
    expect(l.limit).toBe(4);
    t = windowOf(l, t + 1, 100, { starts: 1 }); // that window closes
    expect(l.limit).toBe(4);
    t = windowOf(l, t, 100, { backpressure: true });
    expect(l.limit).toBe(2);
    t = windowOf(l, t, 100, { backpressure: true });
    expect(l.limit).toBe(1);
    t = windowOf(l, t, 100, { backpressure: true });
    expect(l.limit).toBe(1); // never below 1
  });

  it('respects a different decrease ratio', () => {
    const l = new ConcurrencyLimiter({ max: 16, adaptive: true, decreaseRatio: 0.75 });
    let t = 0;
    for (let i = 0; i < 7; i++) t = windowOf(l, t, 100);
    expect(l.limit).toBe(8);
    windowOf(l, t, 100, { backpressure: true });
    expect(l.limit).toBe(6);
  });

  it('reset() brings it back to 1 after an outage', () => {
    const l = new ConcurrencyLimiter({ max: 8, adaptive: true, decreaseRatio: 0.5 });
    let t = 0;
    for (let i = 0; i < 4; i++) t = windowOf(l, t, 50);
    expect(l.limit).toBe(5);
    l.reset();
    expect(l.limit).toBe(1);
    expect(l.rttMeanMs).toBe(50);
    windowOf(l, t, 50);
    expect(l.limit).toBe(2);
  });
});
