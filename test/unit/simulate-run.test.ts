import { describe, expect, it } from 'vitest';
import { ChunkTable } from '../../src/simulate/chunk-table.js';
import { FleetStats } from '../../src/simulate/fleet-stats.js';
import { resolveSimulationOptions, runPolicy, simulate, summarize, policyOutputConfig, type PolicyName, type PolicyReport } from '../../src/simulate/index.js';
import { MemoryQueue, SIM_TAG } from '../../src/simulate/memory-queue.js';

const MIN = 60_000;

function withoutWall(r: PolicyReport): Omit<PolicyReport, 'wall_seconds'> {
  const { wall_seconds: _w, ...rest } = r;
  return rest;
}

describe('MemoryQueue', () => {
  it('leases in-doubt chunks first (by when they went in doubt), then the oldest, as the SQLite store does', () => {
    let now = 1000;
    const table = new ChunkTable();
    const stats = new FleetStats(table, 1, 1_000_000);
    const q = new MemoryQueue(0, table, stats, () => now, 10);
    const ids = [q.seal(), q.seal(), q.seal(), q.seal()];
    expect(q.queuedTags()).toEqual([SIM_TAG]);
    const [a, b, c] = q.lease(3, [SIM_TAG], 60_000);
    expect([a?.id, b?.id, c?.id]).toEqual(ids.slice(0, 3));
    expect(a).toMatchObject({ attempts: 1, firstAttemptAt: 1000, inDoubtSince: null, records: 10 });
    expect(a?.key).toMatch(/^[0-9a-f]{32}$/);
    now = 2000;
    expect(q.release(ids[2] as number, 'timeout', true)).toBe(true);
    now = 3000;
    expect(q.release(ids[1] as number, 'timeout', true)).toBe(true);
    expect(q.release(ids[0] as number, 'HTTP 500', false)).toBe(true);
    expect(q.release(ids[0] as number, 'again', false)).toBe(false);
    const order = q.lease(10, [SIM_TAG], 60_000);
    expect(order.map((ch) => ch.id)).toEqual([ids[2], ids[1], ids[0], ids[3]]);
    expect(order[0]).toMatchObject({ inDoubtSince: 2000, attempts: 2 });
    expect(q.ack(ids[2] as number)).toBe(true);
    expect(q.ack(ids[2] as number)).toBe(false);
    expect(q.park(ids[3] as number, 'rejected')).toBe(true);
    expect(stats).toMatchObject({ sealed: 4, delivered: 1, parked: 1 });
    expect(stats.maxDelayMs).toBe(2000);
  });
});

describe('policies', () => {
  it('tdfwd is exactly the product defaults; fluentd is one exponential retry state with 2 fixed flush threads', () => {
    const tdfwd = policyOutputConfig('tdfwd', { dedupWindowMs: 20 * MIN });
    expect(tdfwd.retry).toMatchObject({ type: 'exponential', wait: 1000, maxWait: 5 * MIN, jitter: 'full' });
    expect(tdfwd.concurrency).toMatchObject({ max: 8, adaptive: true });
    expect(tdfwd).toMatchObject({ timeout: 60_000, dedupWindow: 20 * MIN });
    const fluentd = policyOutputConfig('fluentd', { dedupWindowMs: 20 * MIN });
    expect(fluentd.retry).toMatchObject({ type: 'exponential', wait: 1000, jitter: 'none' });
    expect(fluentd.concurrency).toMatchObject({ max: 2, adaptive: false });
  });
});

describe('simulate (small fleets)', () => {
  const small = resolveSimulationOptions({ agents: 12, durationMs: 20 * MIN, warmupMs: 5 * MIN, flushIntervalMs: 10_000, seed: 5 });

  it('gives the same results for the same seed, and different ones for another seed', async () => {
    const one = summarize(await runPolicy('tdfwd', small));
    const two = summarize(await runPolicy('tdfwd', small));
    expect(withoutWall(two)).toEqual(withoutWall(one));
    const p1 = summarize(await runPolicy('periodic', small));
    const p2 = summarize(await runPolicy('periodic', small));
    expect(withoutWall(p2)).toEqual(withoutWall(p1));
    const other = summarize(await runPolicy('tdfwd', { ...small, seed: 6 }));
    expect(other.total_requests).not.toBe(one.total_requests);
  });

  it('drives the real engine: every chunk is delivered and the backlog drains after a short outage', async () => {
    const { reports } = await simulate({ ...small, scenario: 'outage', durationMs: 10 * MIN, policies: ['tdfwd', 'fluentd'] });
    for (const r of reports) {
      expect(r.chunks_undelivered).toBeLessThanOrEqual(12);
      expect(r.drain_seconds).not.toBeNull();
      expect(r.requests_refused).toBeGreaterThan(0);
      expect(r.duplicate_imports).toBe(0);
    }
    const tdfwd = reports[0] as PolicyReport;
    // one probe per backoff interval per agent while down, not one request per chunk
    expect(tdfwd.requests_refused).toBeLessThan(12 * 60);
  });

  it('20 agents, 30 min incident: tdfwd peaks lower after recovery and imports fewer duplicates than periodic', async () => {
    const o = resolveSimulationOptions({ agents: 20, durationMs: 30 * MIN, flushIntervalMs: 10_000, seed: 3 });
    const { reports } = await simulate({ ...o, policies: ['tdfwd', 'periodic'] });
    const [tdfwd, periodic] = reports as [PolicyReport, PolicyReport];
    expect(periodic.peak_rps_over_capacity).toBeGreaterThan(3);
    expect(tdfwd.peak_rps_over_capacity).toBeLessThan(periodic.peak_rps_over_capacity);
    expect(periodic.duplicate_imports).toBeGreaterThan(0);
    expect(tdfwd.duplicate_imports).toBeLessThan(periodic.duplicate_imports);
    expect(tdfwd.total_requests).toBeLessThan(periodic.total_requests);
    expect(tdfwd.drain_seconds).not.toBeNull();
  });

  it('a worker that ends without its result does not fail the run: that policy is simulated in this thread', async () => {
    const o = { ...small, scenario: 'outage' as const, durationMs: 10 * MIN, policies: ['tdfwd', 'fluentd'] as PolicyName[] };
    const lost: string[] = [];
    const viaWorkers = await simulate(o, {
      jobs: 2,
      worker: new URL('../fixtures/simulate/silent-worker.mjs', import.meta.url),
      onWorkerLost: (policy, reason) => lost.push(`${policy}: ${reason}`),
    });
    expect(lost.sort()).toEqual(['fluentd: it exited with code 0 before sending its result', 'tdfwd: it exited with code 0 before sending its result']);
    const inThread = await simulate(o, { jobs: 1 });
    expect(viaWorkers.reports.map(withoutWall)).toEqual(inThread.reports.map(withoutWall));
  });

  it('a run that fails inside its worker fails the simulation with the worker\'s error', async () => {
    const o = { ...small, scenario: 'outage' as const, durationMs: 10 * MIN, policies: ['tdfwd', 'fluentd'] as PolicyName[] };
    await expect(simulate(o, { jobs: 2, worker: new URL('../fixtures/simulate/garbled-worker.mjs', import.meta.url) })).rejects.toThrow(
      /simulation failed in its worker: boom in the worker/,
    );
  });
});
