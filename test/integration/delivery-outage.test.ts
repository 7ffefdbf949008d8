// Delivery through an outage against the local endpoint: a dead endpoint costs one probe per backoff
// interval, not one request per chunk; 503 + Retry-After pauses the whole output; a fleet at the
// endpoint's capacity gets few 429s. Everything is delivered exactly once.
// The outage tests run the real engine on a virtual clock against the real endpoint over loopback
// HTTP (runVirtual: time moves only while no request is in flight), so their 10 s and 5 s are
// virtual seconds. The capacity test stays on the wall clock: the endpoint's capacity model (a token
// bucket per second) and its latency use real time.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/simulate/virtual-clock.js';
import { agent, closedAfterEach, importedExactlyOnce, runVirtual, type Agent } from './delivery-harness.js';
import type { DrainResult } from '../../src/delivery/engine.js';

const { endpoint, track } = closedAfterEach();

/** Drain on the virtual clock: drive it until the drain returns (at most its timeout plus a check). */
async function drainVirtual(clock: VirtualClock, a: Agent, timeoutMs: number): Promise<DrainResult> {
  let result: DrainResult | null = null;
  const drained = a.engine.drain(timeoutMs).then((r) => (result = r));
  await runVirtual(clock, a.engine, timeoutMs + 1000, () => result !== null, 30_000);
  return drained;
}

describe('delivery through an outage', () => {
  it('200 chunks against an endpoint down for 10 s: a few probes, not 200 per interval; then all delivered once', async () => {
    const ep = await endpoint();
    ep.faults.down = true;
    const clock = new VirtualClock(Date.now());
    const a = await track(agent(ep, { chunks: 200, clock }));
    a.engine.start();
    await runVirtual(clock, a.engine, 10_000);
    const during = ep.stats().requests;
    console.log(`[outage] requests during the 10 virtual s of outage with a 200-chunk backlog: ${during}`);
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(15);
    ep.faults.down = false;
    const r = await drainVirtual(clock, a, 30_000);
    expect(r.complete).toBe(true);
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
    expect(ep.stats().duplicateImports).toBe(0);
    expect(a.store.stats().chunks.parked).toBe(0);
  }, 30_000);

  it('503 with Retry-After: 2 pauses the whole output; then all delivered once', async () => {
    const ep = await endpoint();
    ep.faults.forceStatus = { status: 503, headers: { 'retry-after': '2' } };
    const clock = new VirtualClock(Date.now());
    const a = await track(agent(ep, { chunks: 50, clock }));
    a.engine.start();
    await runVirtual(clock, a.engine, 5000);
    const during = ep.stats().requests;
    console.log(`[503] requests during 5 virtual s of 503 + Retry-After: 2: ${during}`);
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(4);
    ep.faults.forceStatus = null;
    expect((await drainVirtual(clock, a, 30_000)).complete).toBe(true);
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  }, 30_000);

  it('three agents at an endpoint capacity of 40 req/s: under 25% of requests get 429, all delivered once', async () => {
    const ep = await endpoint({ capacityRps: 40, latencyMs: 20 });
    const agents = await Promise.all(['a', 'b', 'c'].map((name) => track(agent(ep, { chunks: 120, perChunk: 5, name }))));
    const results = await Promise.all(agents.map((a) => a.engine.drain(60_000)));
    expect(results.every((r) => r.complete)).toBe(true);
    const s = ep.stats();
    const share = (s.byStatus['429'] ?? 0) / s.requests;
    console.log(`[capacity] ${s.requests} requests, ${s.byStatus['429'] ?? 0} answered 429 (${(share * 100).toFixed(1)}%)`);
    expect(share).toBeLessThan(0.25);
    expect(importedExactlyOnce(ep, agents.flatMap((a) => a.keys))).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  }, 90_000);
});
