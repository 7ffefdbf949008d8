// The first complete path, as a user runs it: `tdfwd send` then `tdfwd flush` against the local
// endpoint, through failures, a wrong key, an unreachable endpoint and a kill -9.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { jsonLines, runTdfwd, spawnTdfwd, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function endpoint(opts: Parameters<typeof startEndpoint>[0] = {}): Promise<EndpointHandle & { paths: string[] }> {
  const paths: string[] = [];
  const ep = await startEndpoint({ port: 0, ...opts, log: (l) => paths.push(l) });
  cleanups.push(() => ep.close());
  return Object.assign(ep, { paths });
}

function work(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function storedSeqs(file: string): { seqs: number[]; rows: { database: string; table: string; unique_id: string; record: Record<string, unknown> }[] } {
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { rows, seqs: rows.map((r) => r.record.seq as number) };
}

function keysIn(paths: string[]): string[] {
  return paths.map((p) => /import_with_id\/[^/]+\/[^/]+\/([0-9a-f]{32})\//.exec(p)?.[1]).filter((k): k is string => Boolean(k));
}

async function pending(buffer: string): Promise<{ pending_records: number; chunks: Record<string, number> }> {
  const r = await runTdfwd(['--buffer', buffer, 'status', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

describe('send → flush to the Streaming Import API', () => {
  it('delivers 100k lines exactly once, with database/table from the tag and an integer time', async () => {
    const dir = work();
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store });
    const buffer = join(dir, 'buf');
    const sent = await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.web.access', '--format', 'json'], { input: jsonLines(100_000) });
    expect(sent.stderr).toContain('100000 records committed');
    expect(sent.code).toBe(0);
    const flushed = await runTdfwd(['--buffer', buffer, 'flush', '--timeout', '60s'], { env: { TD_API_SERVER: ep.url, TD_API_KEY: 'k1' } });
    expect(flushed.stderr).toContain('delivered 100000 records');
    expect(flushed.code).toBe(0);
    await ep.close();
    const { rows, seqs } = storedSeqs(store);
    expect(rows).toHaveLength(100_000);
    expect(new Set(seqs).size).toBe(100_000);
    expect(Math.min(...seqs)).toBe(0);
    expect(Math.max(...seqs)).toBe(99_999);
    for (const r of rows.slice(0, 50)) {
      expect(r.database).toBe('web');
      expect(r.table).toBe('access');
      expect(Number.isInteger(r.record.time)).toBe(true);
    }
    expect(ep.stats().duplicateRecords).toBe(0);
    expect((await pending(buffer)).pending_records).toBe(0);
  });

  it('exits 1 and loses nothing when the endpoint is unreachable', async () => {
    const dir = work();
    const buffer = join(dir, 'buf');
    const port = await freePort();
    await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.a.b'], { input: 'one\ntwo\nthree\n' });
    const r = await runTdfwd(['--buffer', buffer, 'flush', '--timeout', '2s'], { env: { TD_API_SERVER: `http://127.0.0.1:${port}`, TD_API_KEY: 'k' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    // Out of time, or stopped early because the next attempt (backoff) would come after --timeout.
    expect(r.stderr).toMatch(/gave up after --timeout 2s \(td.s endpoint is failing \(ECONNREFUSED|before --timeout 2s ran out.*td.s endpoint is failing \(ECONNREFUSED/);
    const st = await pending(buffer);
    expect(st.pending_records).toBe(3);
    expect(st.chunks.parked).toBe(0);
  });

  it('a wrong API key exits 1, keeps the data and parks nothing', async () => {
    const dir = work();
    const ep = await endpoint({ apikey: 'right-key' });
    const buffer = join(dir, 'buf');
    await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.a.b'], { input: 'x\ny\n' });
    const r = await runTdfwd(['--buffer', buffer, 'flush', '--timeout', '20s'], { env: { TD_API_SERVER: ep.url, TD_API_KEY: 'wrong-key' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/credentials refused \(HTTP 401/);
    expect(r.stderr).not.toContain('wrong-key');
    const st = await pending(buffer);
    expect(st.pending_records).toBe(2);
    expect(st.chunks.parked).toBe(0);
    expect(ep.stats().byStatus['401']).toBe(1); // paused after one refusal, not hammered
  });

  it('a missing API key is a usage error (exit 2) naming TD_API_KEY', async () => {
    const buffer = join(work(), 'buf');
    await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.a.b'], { input: 'x\n' });
    const r = await runTdfwd(['--buffer', buffer, 'flush']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TD_API_KEY/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('against an endpoint that fails half the requests and imports-then-hangs others, every line arrives once', async () => {
    const dir = work();
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, failRate: 0.5, acceptThenTimeout: 0.25 });
    const buffer = join(dir, 'buf');
    const cfg = join(dir, 'tdfwd.yaml');
    writeFileSync(
      cfg,
      `buffer:\n  path: ${buffer}\n  chunk_limit_records: 1000\noutputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: k\n    timeout: 500ms\n    retry: { wait: 20ms, max_wait: 200ms }\n`,
    );
    expect((await runTdfwd(['-c', cfg, 'send', '--tag', 'td.x.y', '--format', 'json'], { input: jsonLines(20_000) })).code).toBe(0);
    const r = await runTdfwd(['-c', cfg, 'flush', '--timeout', '90s'], { timeoutMs: 100_000 });
    expect(r.code).toBe(0);
    await ep.close();
    const s = ep.stats();
    expect(s.faults.failed).toBeGreaterThan(0);
    expect(s.heldImports).toBeGreaterThan(0);
    expect(s.dedupHits).toBeGreaterThan(0); // in-doubt chunks were re-sent with the same key
    const { seqs } = storedSeqs(store);
    expect(seqs).toHaveLength(20_000);
    expect(new Set(seqs).size).toBe(20_000);
    expect(s.duplicateRecords).toBe(0);
  }, 120_000);

  it('kill -9 during a flush, then flush again: nothing lost, every re-send carries the original key', async () => {
    const dir = work();
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, latencyMs: 30_000, autoTables: true });
    const buffer = join(dir, 'buf');
    const cfg = join(dir, 'tdfwd.yaml');
    writeFileSync(cfg, `buffer:\n  path: ${buffer}\n  chunk_limit_records: 1000\noutputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: k\n    concurrency: { max: 4, adaptive: false }\n`);
    expect((await runTdfwd(['-c', cfg, 'send', '--tag', 'td.x.y', '--format', 'json'], { input: jsonLines(5000) })).code).toBe(0);
    const child = spawnTdfwd(['-c', cfg, 'flush']);
    await waitFor(() => keysIn(ep.paths).length > 0 || ep.stats().requests >= 4, 15_000);
    await waitFor(() => ep.stats().imports >= 4, 15_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const keysBefore = new Set(Object.keys(Object.fromEntries(ep.importsById())));
    expect(keysBefore.size).toBe(4);
    ep.faults.latencyMs = 0;
    const again = await runTdfwd(['-c', cfg, 'flush', '--timeout', '30s']);
    expect(again.code).toBe(0);
    await ep.close();
    const s = ep.stats();
    const { seqs } = storedSeqs(store);
    expect(new Set(seqs).size).toBe(5000);
    expect(seqs).toHaveLength(5000);
    expect(s.dedupHits).toBeGreaterThanOrEqual(4); // the 4 in-doubt chunks came back under their keys
    for (const k of keysBefore) expect(ep.importsById().get(k)).toBe(1);
  }, 90_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
