// Delivery against the local endpoint with each fault: 500s, accept-then-hang and accept-then-reset (in
// doubt, re-sent with the same key), 413 (split until it fits), 400 (parked, re-queued with the same key), 401 (paused,
// not parked). Requests are counted and every record is delivered exactly once.
import { describe, expect, it } from 'vitest';
import { childChunkKey } from '../../src/core/chunk.js';
import { agent, closedAfterEach, importedExactlyOnce, sleep } from './delivery-harness.js';

const { endpoint, track } = closedAfterEach();

describe('delivery against each fault', () => {
  it('500 on half the requests: retried per endpoint, everything delivered once', async () => {
    const ep = await endpoint({ failRate: 0.5 });
    const a = await track(agent(ep, { chunks: 40, output: { retry: { wait: 20, maxWait: 200 } } }));
    expect((await a.engine.drain(60_000)).complete).toBe(true);
    const s = ep.stats();
    expect(s.faults.failed).toBeGreaterThan(0);
    expect(s.requests).toBe(s.faults.failed + 40 + (s.byStatus['404'] ?? 0));
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  });

  it('accept-then-hang: the timed-out chunk is in doubt and re-sent first with the same key; no duplicate import', async () => {
    const ep = await endpoint({ acceptThenTimeout: 0.3 });
    const sentKeys: string[] = [];
    const a = await track(
      agent(ep, {
        chunks: 30,
        output: { timeout: 300, retry: { wait: 20, maxWait: 200 } },
        observer: { attempt: (_o, c) => void sentKeys.push(c.key) },
      }),
    );
    expect((await a.engine.drain(60_000)).complete).toBe(true);
    const s = ep.stats();
    expect(s.heldImports).toBeGreaterThan(0);
    expect(s.dedupHits).toBeGreaterThan(0); // the re-sends carried the key the endpoint had imported
    expect(s.duplicateImports).toBe(0);
    expect(new Set(sentKeys).size).toBe(30);
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  });

  it('accept-then-reset: a connection reset after the import is in doubt, re-sent with the same key; no duplicate import', async () => {
    const ep = await endpoint({ acceptThenReset: 0.3 });
    const outcomes: string[] = [];
    const a = await track(
      agent(ep, {
        chunks: 30,
        output: { retry: { wait: 20, maxWait: 200 } },
        observer: { outcome: (_o, _c, outcome) => void outcomes.push(outcome.kind) },
      }),
    );
    expect((await a.engine.drain(60_000)).complete).toBe(true);
    const s = ep.stats();
    expect(s.resetImports).toBeGreaterThan(0);
    expect(outcomes.filter((k) => k === 'in_doubt').length).toBe(s.resetImports); // every reset was judged in doubt
    expect(s.dedupHits).toBeGreaterThan(0); // and re-sent with the key the endpoint had imported
    expect(s.duplicateImports).toBe(0);
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  });

  it('a chunk in doubt that then gets a 413 is split and reported as a duplicate risk: its halves carry new keys', async () => {
    const ep = await endpoint({ acceptThenTimeout: 1 }); // the first attempt is imported, then never answered
    const risks: string[] = [];
    const a = await track(
      agent(ep, {
        chunks: 1,
        perChunk: 10,
        output: { timeout: 300, retry: { wait: 20, maxWait: 200 } },
        observer: {
          outcome: (_o, _c, outcome) => {
            if (outcome.kind === 'in_doubt') {
              ep.faults.acceptThenTimeout = 0;
              ep.faults.forceStatus = { status: 413 }; // the re-send is refused as too large (a proxy's limit, say)
            } else if (outcome.kind === 'split') ep.faults.forceStatus = null;
          },
          duplicateRisk: (_o, c, _ms, cause) => void risks.push(`${c.key}:${cause}`),
        },
      }),
    );
    expect((await a.engine.drain(60_000)).complete).toBe(true);
    expect(risks).toEqual([`${a.keys[0]}:split`]);
    // the risk is real: the parent's import and the halves' imports hold the same 10 records
    expect(ep.stats().importedRecords).toBe(20);
  });

  it('413 for bodies over maxBodyBytes: split into halves keyed from the parent until they fit, all records once', async () => {
    const ep = await endpoint({ maxBodyBytes: 6 * 1024 });
    const a = await track(agent(ep, { chunks: 2, perChunk: 32, recordBytes: 1024 }));
    expect((await a.engine.drain(30_000)).complete).toBe(true);
    const s = ep.stats();
    expect(s.byStatus['413']).toBeGreaterThanOrEqual(2);
    expect(s.importedRecords).toBe(64);
    expect(s.duplicateRecords).toBe(0);
    expect(a.store.stats().chunks.parked).toBe(0);
    // every imported key descends from one of the two parents
    const descendants = new Set<string>();
    const walk = (k: string, depth: number): void => {
      if (depth > 6) return;
      for (const i of [0, 1] as const) {
        const c = childChunkKey(k, i);
        descendants.add(c);
        walk(c, depth + 1);
      }
    };
    for (const k of a.keys) walk(k, 0);
    const imported = [...ep.importsById().keys()];
    expect(imported.length).toBeGreaterThanOrEqual(4);
    for (const k of imported) expect(descendants.has(k)).toBe(true);
    expect([...ep.importsById().values()].every((n) => n === 1)).toBe(true);
  });

  it('400 parks the chunk with its reason; re-queued (same key) it is delivered once the fault is lifted', async () => {
    const ep = await endpoint();
    ep.faults.forceStatus = { status: 400, headers: {} };
    const a = await track(agent(ep, { chunks: 3 }));
    const r = await a.engine.drain(10_000);
    expect(r.complete).toBe(true); // nothing deliverable left: all parked
    const parked = a.store.listChunks('parked');
    expect(parked.map((p) => p.key).sort()).toEqual([...a.keys].sort());
    expect(parked[0]!.park_reason).toMatch(/HTTP 400/);
    expect(ep.stats().requests).toBe(3); // one request each, never retried
    ep.faults.forceStatus = null;
    expect(a.store.unparkAll()).toBe(3);
    a.engine.wake();
    expect((await a.engine.drain(10_000)).complete).toBe(true);
    expect(importedExactlyOnce(ep, a.keys)).toEqual({ missing: 0, duplicated: 0, extra: 0 });
  });

  it('401 pauses the output after one request, parks nothing and keeps the data', async () => {
    const ep = await endpoint({ apikey: 'right' });
    const a = await track(agent(ep, { chunks: 20, output: { apikey: 'wrong' } }));
    a.engine.start();
    await sleep(1500);
    expect(a.engine.status()[0]!.state).toBe('paused');
    expect(ep.stats().byStatus['401']).toBe(1);
    const st = a.store.stats();
    expect(st.chunks.parked).toBe(0);
    expect(st.chunks.queued).toBe(20);
  });
});
