import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../src/codec/msgpack.js';
import {
  createTable,
  importBody,
  newUniqueId,
  putImport,
  sampleRecords,
  startEndpoint,
  type EndpointHandle,
  type EndpointOptions,
} from '../helpers/endpoint.js';
import { tempDir } from '../helpers/tmp.js';

const open: EndpointHandle[] = [];
const cleanups: Array<() => void> = [];

async function endpoint(opts: EndpointOptions = {}): Promise<EndpointHandle> {
  const ep = await startEndpoint({ port: 0, ...opts });
  open.push(ep);
  return ep;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((ep) => ep.close()));
  for (const c of cleanups.splice(0)) c();
});

describe('td import', () => {
  it('imports a chunk and counts it', async () => {
    const lines: string[] = [];
    const ep = await endpoint({ autoTables: true, log: (l) => lines.push(l) });
    const id = newUniqueId();
    const res = await putImport(ep.url, { db: 'web', table: 'access', uniqueId: id, records: sampleRecords(5) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ unique_id: id, database: 'web', table: 'access' });
    expect(typeof body.elapsed_time).toBe('number');
    const s = ep.stats();
    expect(s).toMatchObject({ requests: 1, imports: 1, importedRecords: 5, uniqueIds: 1, dedupHits: 0, duplicateImports: 0 });
    expect(s.byStatus).toEqual({ '200': 1 });
    expect(s.recordsByTable).toEqual({ 'web.access': 5 });
    expect(s.tables).toEqual(['web.access']);
    expect(ep.importsById().get(id)).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^PUT /v3/table/import_with_id/web/access/${id}/msgpack.gz 200 5 [\\d.]+ms$`));
    // the same stats over HTTP, for spawned endpoints
    const over = (await (await fetch(`${ep.url}/_tdfwd/stats`)).json()) as Record<string, unknown>;
    expect(over.importedRecords).toBe(5);
  });

  it('answers a re-send within the dedup window 200 without importing again', async () => {
    const ep = await endpoint({ autoTables: true });
    const id = newUniqueId();
    const body = importBody(sampleRecords(4));
    for (let i = 0; i < 3; i++) {
      const res = await putImport(ep.url, { db: 'db1', table: 't1', uniqueId: id, body });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(ep.stats()).toMatchObject({ imports: 1, importedRecords: 4, dedupHits: 2, duplicateImports: 0, maxImportsPerId: 1 });
    expect(ep.importsById().get(id)).toBe(1);
  });

  it('de-duplicates concurrent sends of the same key', async () => {
    const ep = await endpoint({ autoTables: true });
    const id = newUniqueId();
    const body = importBody(sampleRecords(50));
    const all = await Promise.all(Array.from({ length: 5 }, () => putImport(ep.url, { db: 'db1', table: 't1', uniqueId: id, body })));
    expect(all.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(ep.stats()).toMatchObject({ imports: 1, dedupHits: 4 });
  });

  it('imports again once the window has passed, and counts a real duplicate', async () => {
    const ep = await endpoint({ autoTables: true, dedupWindowMs: 50 });
    const id = newUniqueId();
    const body = importBody(sampleRecords(2));
    expect((await putImport(ep.url, { db: 'db1', table: 't1', uniqueId: id, body })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    expect((await putImport(ep.url, { db: 'db1', table: 't1', uniqueId: id, body })).status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 2, importedRecords: 4, duplicateImports: 1, duplicateRecords: 2, dedupHits: 0, maxImportsPerId: 2 });
    expect(ep.importsById().get(id)).toBe(2);
  });

  it('answers 404 for an unknown table until the database and table are created', async () => {
    const ep = await endpoint();
    const r1 = await putImport(ep.url, { db: 'app', table: 'events' });
    expect(r1.status).toBe(404);
    expect(((await r1.json()) as { error: string }).error).toBe('Table not found');

    const t0 = await fetch(`${ep.url}/v3/table/create/app/events/log`, { method: 'POST', headers: { authorization: 'TD1 k' } });
    expect(t0.status).toBe(404); // no database yet
    expect(await createTable(ep.url, 'app', 'events')).toEqual([200, 200]);
    expect(await createTable(ep.url, 'app', 'events')).toEqual([409, 409]);

    const r2 = await putImport(ep.url, { db: 'app', table: 'events', records: sampleRecords(7) });
    expect(r2.status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, importedRecords: 7, tables: ['app.events'] });
    expect(ep.stats().byStatus).toMatchObject({ '200': 3, '404': 2, '409': 2 });
  });

  it('checks the API key', async () => {
    const ep = await endpoint({ apikey: 'secret', autoTables: true });
    expect((await putImport(ep.url, { db: 'a', table: 'b', apikey: 'wrong' })).status).toBe(401);
    const noAuth = await fetch(`${ep.url}/v3/table/import_with_id/a/b/${newUniqueId()}/msgpack.gz`, { method: 'PUT', body: importBody(sampleRecords(1)) });
    expect(noAuth.status).toBe(401);
    expect((await putImport(ep.url, { db: 'a', table: 'b', apikey: 'secret' })).status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, byStatus: { '200': 1, '401': 2 } });

    const open = await endpoint({ autoTables: true }); // no key configured: any non-empty TD1 key
    expect((await putImport(open.url, { db: 'a', table: 'b', apikey: 'anything' })).status).toBe(200);
    expect((await putImport(open.url, { db: 'a', table: 'b', apikey: '' })).status).toBe(401);
  });

  it('rejects a bad unique_id, a bad body, a record without time, a mismatched Idempotency-Key', async () => {
    const ep = await endpoint({ autoTables: true });
    const cases: Array<[string, Response]> = [
      ['uppercase id', await putImport(ep.url, { db: 'a', table: 'b', uniqueId: 'ABCDEF0123456789ABCDEF0123456789' })],
      ['short id', await putImport(ep.url, { db: 'a', table: 'b', uniqueId: 'abc' })],
      ['not gzip', await putImport(ep.url, { db: 'a', table: 'b', body: Buffer.from('hello') })],
      ['not msgpack maps', await putImport(ep.url, { db: 'a', table: 'b', body: gzipSync(encodeRecords([1, 2])) })],
      ['truncated msgpack', await putImport(ep.url, { db: 'a', table: 'b', body: gzipSync(encodeRecords(sampleRecords(2)).subarray(0, 20)) })],
      ['no time', await putImport(ep.url, { db: 'a', table: 'b', records: [{ time: 1 }, { message: 'x' }] })],
      ['float time', await putImport(ep.url, { db: 'a', table: 'b', records: [{ time: 1.5 }] })],
      ['idempotency', await putImport(ep.url, { db: 'a', table: 'b', headers: { 'idempotency-key': newUniqueId() } })],
      ['bad db name', await putImport(ep.url, { db: 'Bad-Name', table: 'b' })],
    ];
    for (const [what, res] of cases) {
      expect(res.status, what).toBe(400);
      const body = (await res.json()) as { error: string; text: string };
      expect(body.text.length, what).toBeGreaterThan(10);
    }
    const noTime = await putImport(ep.url, { db: 'a', table: 'b', records: [{ message: 'x' }] });
    expect(((await noTime.json()) as { text: string }).text).toMatch(/record 0 has no integer "time"/);
    expect(ep.stats()).toMatchObject({ imports: 0, importedRecords: 0 });
  });

  it('answers 413 for a body over the limit and stays usable', async () => {
    const ep = await endpoint({ autoTables: true, maxBodyBytes: 2048 });
    const big = Buffer.from(Array.from({ length: 8192 }, (_, i) => i % 251));
    const res = await putImport(ep.url, { db: 'a', table: 'b', body: big });
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    // streamed without Content-Length: the limit is enforced while reading
    const chunks = [big.subarray(0, 1500), big.subarray(1500)];
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    const id = newUniqueId();
    const streamed = await fetch(`${ep.url}/v3/table/import_with_id/a/b/${id}/msgpack.gz`, {
      method: 'PUT',
      headers: { authorization: 'TD1 k' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await putImport(ep.url, { db: 'a', table: 'b' })).status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, byStatus: { '200': 1, '413': 2 } });
  });

  it('writes every imported record to the store file as one NDJSON line', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const storeFile = join(dir, 'store.ndjson');
    const ep = await endpoint({ autoTables: true, storeFile });
    const id = newUniqueId();
    await putImport(ep.url, { db: 'web', table: 'access', uniqueId: id, records: [{ time: 1, path: '/a' }, { time: 2, path: '/b', bin: 'é"\n' }] });
    await putImport(ep.url, { db: 'web', table: 'access', uniqueId: id, records: [{ time: 1, path: '/a' }] }); // dedup: not stored
    // the store path decodes fully: it validates exactly like the scanning path
    const bad = await putImport(ep.url, { db: 'web', table: 'access', records: [{ time: 3 }, { path: '/no-time' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { text: string }).text).toMatch(/record 1 has no integer "time"/);
    const lines = readFileSync(storeFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { database: 'web', table: 'access', unique_id: id, record: { time: 1, path: '/a' } },
      { database: 'web', table: 'access', unique_id: id, record: { time: 2, path: '/b', bin: 'é"\n' } },
    ]);
  });
});

describe('fault injection', () => {
  it('answers 429 with Retry-After over capacity', async () => {
    const ep = await endpoint({ autoTables: true, capacityRps: 2 });
    const statuses: number[] = [];
    const retryAfter: Array<string | null> = [];
    for (let i = 0; i < 5; i++) {
      const res = await putImport(ep.url, { db: 'a', table: 'b' });
      statuses.push(res.status);
      if (res.status === 429) retryAfter.push(res.headers.get('retry-after'));
      await res.arrayBuffer();
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(retryAfter.every((v) => v === '1')).toBe(true);
    expect(ep.stats().faults.capacity).toBe(statuses.filter((s) => s === 429).length);
    // stats and create calls are never limited
    expect((await fetch(`${ep.url}/_tdfwd/stats`)).status).toBe(200);
  });

  it('failRate 1 answers 500 and imports nothing', async () => {
    const ep = await endpoint({ autoTables: true, failRate: 1 });
    for (let i = 0; i < 3; i++) expect((await putImport(ep.url, { db: 'a', table: 'b' })).status).toBe(500);
    expect(ep.stats()).toMatchObject({ imports: 0, byStatus: { '500': 3 }, faults: { failed: 3 } });
    ep.faults.failRate = 0; // switched off at runtime
    expect((await putImport(ep.url, { db: 'a', table: 'b' })).status).toBe(200);
  });

  it('forceStatus and down apply before importing, switchable at runtime', async () => {
    const ep = await endpoint({ autoTables: true });
    ep.faults.forceStatus = { status: 503, headers: { 'retry-after': '7' } };
    const r = await putImport(ep.url, { db: 'a', table: 'b' });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('7');
    ep.faults.forceStatus = null;
    ep.faults.down = true;
    await expect(putImport(ep.url, { db: 'a', table: 'b' })).rejects.toThrow();
    ep.faults.down = false;
    expect((await putImport(ep.url, { db: 'a', table: 'b' })).status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, dropped: 1, faults: { forced: 1, down: 1 } });
  });

  it('acceptThenTimeout imports and never answers; a re-send within the window is a dedup hit', async () => {
    const ep = await endpoint({ autoTables: true, acceptThenTimeout: 1 });
    const id = newUniqueId();
    const body = importBody(sampleRecords(3));
    await expect(putImport(ep.url, { db: 'a', table: 'b', uniqueId: id, body, signal: AbortSignal.timeout(300) })).rejects.toThrow(/abort|timeout/i);
    expect(ep.stats()).toMatchObject({ imports: 1, importedRecords: 3, heldImports: 1 });
    const again = await putImport(ep.url, { db: 'a', table: 'b', uniqueId: id, body });
    expect(again.status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, dedupHits: 1 });
  });

  it('destroys a held socket after the hold cap, and close() does not wait for held sockets', async () => {
    const ep = await endpoint({ autoTables: true, acceptThenTimeout: 1, holdCapMs: 100 });
    await expect(putImport(ep.url, { db: 'a', table: 'b' })).rejects.toThrow();
    for (let i = 0; i < 100 && ep.stats().heldNow > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ep.stats()).toMatchObject({ imports: 1, heldImports: 1, heldNow: 0 });

    const ep2 = await endpoint({ autoTables: true, acceptThenTimeout: 1 }); // default cap: 10 min
    const pending = putImport(ep2.url, { db: 'a', table: 'b' }).then(
      () => 'answered',
      () => 'failed',
    );
    for (let i = 0; i < 100 && ep2.stats().heldNow === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(ep2.stats().heldNow).toBe(1);
    const t0 = performance.now();
    await ep2.close();
    expect(await pending).toBe('failed');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('latency delays the answer', async () => {
    const ep = await endpoint({ autoTables: true, latencyMs: 150 });
    const t0 = performance.now();
    expect((await putImport(ep.url, { db: 'a', table: 'b' })).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('generic ingest', () => {
  it('takes gzip NDJSON and de-duplicates by Idempotency-Key', async () => {
    const ep = await endpoint();
    const ndjson = '{"a":1}\n{"a":2}\n\n{"a":3}\n';
    const send = () =>
      fetch(`${ep.url}/ingest/app/web`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'idempotency-key': 'chunk-1' },
        body: gzipSync(ndjson),
      });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    expect(ep.stats()).toMatchObject({ imports: 1, importedRecords: 3, dedupHits: 1, recordsByTable: { 'ingest.app.web': 3 } });
    expect(ep.stats().tables).toContain('ingest.app.web');
  });

  it('takes msgpack and a JSON array, and rejects bad JSON', async () => {
    const ep = await endpoint();
    const mp = await fetch(`${ep.url}/ingest/mp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/msgpack' },
      body: encodeRecords([{ x: 1 }, { x: 2 }]),
    });
    expect(mp.status).toBe(200);
    const js = await fetch(`${ep.url}/ingest/js`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ y: 1 }, { y: 2 }, { y: 3 }]),
    });
    expect(js.status).toBe(200);
    const bad = await fetch(`${ep.url}/ingest/js`, { method: 'POST', body: '{"y":\n' });
    expect(bad.status).toBe(400);
    expect(ep.stats().recordsByTable).toEqual({ 'ingest.mp': 2, 'ingest.js': 3 });
  });
});
