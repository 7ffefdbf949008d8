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

describe('ConcurrencyLimiter: the no-queue round trip guard', () => {
  const opts = { max: 16, adaptive: true, decreaseRatio: 0.5 };

  it('does not grow while every window waits in a queue more than 2x the lowest round trip', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50); // an idle endpoint: 50 ms
    expect(l.limit).toBe(2);
    expect(l.rttMinMs).toBe(50);
    // The endpoint's queue fills slowly (a fleet sharing it): the running average follows, so each
    // window is "not above the baseline", yet each is far above the no-queue round trip.
    let rtt = 50;
    for (let i = 0; i < 40; i++) {
      rtt = Math.min(rtt * 1.15, 5000);
      t = windowOf(l, t, rtt);
    }
    expect(rtt).toBeGreaterThan(100);
    expect(l.limit).toBeLessThanOrEqual(2);
    expect(l.rttMinMs).toBe(50);
  });

  it('grows again once the queue is gone (within 2x of the minimum)', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50);
    for (let i = 0; i < 5; i++) t = windowOf(l, t, 150); // queued: above 100 ms
    const held = l.limit;
    for (let i = 0; i < 10; i++) t = windowOf(l, t, 60);
    expect(l.limit).toBeGreaterThanOrEqual(held + 3);
  });

  it('the minimum ages: after ~10 minutes of sending at a genuinely higher round trip it grows again', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50);
    // bigger chunks: every request now takes 400 ms, steadily (no latency rise after the first step)
    const limits: number[] = [];
    for (let i = 0; i < 12 * 60 * 2.5; i++) {
      t = windowOf(l, t, 400, { starts: l.limit });
      limits.push(l.limit);
    }
    const atFiveMinutes = limits[Math.floor((5 * 60_000) / 400)]!;
    expect(atFiveMinutes).toBeLessThanOrEqual(2);
    expect(l.rttMinMs).toBe(400);
    expect(l.limit).toBe(16);
  });

  it('an outage does not age it: nothing measured, nothing forgotten', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50);
    t += 3_600_000; // an hour of connection refused: failures carry no RTT
    for (let i = 0; i < 5; i++) {
      l.onStart(1, t);
      l.onResponse(null, false, t + 1);
      t += 60_000;
    }
    l.reset();
    expect(l.rttMinMs).toBe(50);
    windowOf(l, t, 2000); // back into a long queue
    expect(l.limit).toBe(1);
  });

  it('backpressure re-arms an aged minimum from the long-term floor', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50);
    for (let i = 0; i < 12 * 60; i++) t = windowOf(l, t, 1000, { starts: 1 }); // 12 min at 1 s, limit not reached
    expect(l.rttMinMs).toBe(1000); // aged into the queue's round trip
    t = windowOf(l, t, 1000, { backpressure: true });
    expect(l.rttMinMs).toBe(50);
    const held = l.limit;
    for (let i = 0; i < 60; i++) t = windowOf(l, t, 1000);
    expect(l.limit).toBe(held);
  });

  it('a rise in latency (a queue building) also re-arms it', () => {
    const l = new ConcurrencyLimiter(opts);
    let t = windowOf(l, 0, 50);
    for (let i = 0; i < 12 * 60; i++) t = windowOf(l, t, 1000, { starts: 1 });
    expect(l.rttMinMs).toBe(1000);
    t = windowOf(l, t, 8000);
    expect(l.rttMinMs).toBe(50);
  });

  it('failures measure no round trip: a 1 ms refused connection does not become the minimum', () => {
    const l = new ConcurrencyLimiter(opts);
    l.onStart(1, 0);
    l.onResponse(null, false, 1);
    l.onStart(1, 10);
    l.onResponse(null, false, 11);
    expect(l.rttMinMs).toBeNull();
    windowOf(l, 20, 80);
    expect(l.rttMinMs).toBe(80);
    expect(l.limit).toBe(2);
  });

  it('with a Random, each limiter remembers the minimum for its own span (0.5x to 1.5x)', () => {
    const forget = (r: number): number => {
      const l = new ConcurrencyLimiter({ ...opts, random: () => r });
      let t = windowOf(l, 0, 50);
      while (l.rttMinMs === 50) t = windowOf(l, t, 1000, { starts: 1 });
      return t;
    };
    const early = forget(0);
    const late = forget(0.999);
    expect(early).toBeGreaterThanOrEqual(4 * 60_000);
    expect(early).toBeLessThanOrEqual(6 * 60_000);
    expect(late).toBeGreaterThanOrEqual(14 * 60_000);
    expect(late).toBeLessThanOrEqual(16 * 60_000);
  });
});
