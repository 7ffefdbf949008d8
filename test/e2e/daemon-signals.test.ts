// The daemon's stop and flush signals as an operator sends them: SIGTERM drains within shutdown_timeout
// and keeps the rest (a second one exits at once), SIGUSR1 flushes now. SIGHUP: daemon-reload.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, exactlyOnce, post, seqCounts, startDaemon, status, storedRows, tdOutput, work, httpDaemonConfig } from './daemon-harness.js';

function records(from: number, n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ seq: from + i, ...extra })));
}

describe('tdfwd run: SIGTERM', () => {
  it('drains the buffer to a healthy endpoint before exiting 0', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      // nothing is sealed by age: only the stop can deliver these records
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '1h' }, {
        shutdown_timeout: '20s',
      }),
    );
    const port = d.inputPort('http', 0);
    for (let i = 0; i < 20; i++) expect((await post(port, '/td.term.ok', records(i * 100, 100))).status).toBe(200);
    expect(storedRows(store)).toHaveLength(0);
    expect((await status(join(dir, 'buf'))).pending_records).toBe(2000);
    const e = await d.stop();
    expect(e.code).toBe(0);
    expect(exactlyOnce(seqCounts(store), 2000)).toEqual([]);
    expect((await status(join(dir, 'buf'))).pending_records).toBe(0);
  });

  it('with the endpoint down, exits 0 within shutdown_timeout and keeps the data', async () => {
    const dir = work();
    const ep = await endpoint();
    ep.faults.down = true;
    const d = await startDaemon(
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '1h' }, {
        shutdown_timeout: '2s',
      }),
    );
    const port = d.inputPort('http', 0);
    expect((await post(port, '/td.term.down', records(0, 300))).status).toBe(200);
    const t0 = Date.now();
    const e = await d.stop();
    const took = Date.now() - t0;
    expect(e.code).toBe(0);
    // bounded by shutdown_timeout plus process teardown, far from the 30 s SIGKILL fallback
    expect(took).toBeLessThan(15_000);
    expect(d.logs().some((l) => l.msg.startsWith('shutdown_timeout reached'))).toBe(true);
    const st = await status(join(dir, 'buf'));
    expect(st.pending_records).toBe(300);
    expect(ep.stats().importedRecords).toBe(0);
  });
  it('a request hanging at shutdown_timeout is aborted; the chunk is re-sent with its key by the next start', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store, holdCapMs: 60_000 });
    ep.faults.acceptThenTimeout = 1; // imported, never answered
    const file = httpDaemonConfig(dir, tdOutput(ep.url, { timeout: '1h' }), { flush_interval: '1h' }, {
      shutdown_timeout: '2s',
    });
    const d = await startDaemon(file);
    expect((await post(d.inputPort('http', 0), '/td.term.hang', records(0, 40))).status).toBe(200);
    const e = await d.stop();
    expect(e.code).toBe(0);
    expect(ep.stats().heldImports).toBe(1);
    const st = await status(join(dir, 'buf'));
    expect(st.pending_records).toBe(40);
    expect(st.chunks.inflight ?? 0).toBe(0);

    ep.faults.acceptThenTimeout = 0;
    const next = await startDaemon(file);
    await waitFor(() => ep.stats().dedupHits === 1, 20_000);
    expect((await next.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), 40)).toEqual([]);
    expect(ep.stats().duplicateRecords).toBe(0);
    expect((await status(join(dir, 'buf'))).pending_records).toBe(0);
  });

  it('a second SIGTERM exits at once; the data stays and the next start is not refused', async () => {
    const dir = work();
    const ep = await endpoint();
    ep.faults.down = true;
    const file = httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '1h' }, {
      shutdown_timeout: '1h',
    });
    const d = await startDaemon(file);
    expect((await post(d.inputPort('http', 0), '/td.term.twice', records(0, 100))).status).toBe(200);
    d.signal('SIGTERM');
    await d.waitLog((l) => l.msg.startsWith('stopping (SIGTERM)'));
    d.signal('SIGTERM');
    const e = await d.exited;
    expect(e.code).toBe(1);
    expect(d.logs().some((l) => l.msg.startsWith('SIGTERM again'))).toBe(true);
    expect(existsSync(join(dir, 'buf', 'daemon.pid'))).toBe(false);
    expect((await status(join(dir, 'buf'))).pending_records).toBe(100);
    ep.faults.down = false;
    const next = await startDaemon(file);
    expect((await next.stop()).code).toBe(0);
    expect(ep.stats().importedRecords).toBe(100);
  });
});

describe('tdfwd run: SIGUSR1', () => {
  it('seals open chunks and delivers them without waiting for flush_interval', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '1h' }),
    );
    const port = d.inputPort('http', 0);
    expect((await post(port, '/td.usr1.events', records(0, 50))).status).toBe(200);
    expect((await status(join(dir, 'buf'))).chunks.open).toBe(1);
    d.signal('SIGUSR1');
    await waitFor(() => storedRows(store).length === 50, 20_000);
    expect(exactlyOnce(seqCounts(store), 50)).toEqual([]);
    // and again: a second flush delivers what came after the first
    expect((await post(port, '/td.usr1.events', records(50, 50))).status).toBe(200);
    d.signal('SIGUSR1');
    await waitFor(() => storedRows(store).length === 100, 20_000);
    expect(exactlyOnce(seqCounts(store), 100)).toEqual([]);
    expect(d.exit).toBeNull();
    expect((await d.stop()).code).toBe(0);
  });
});
