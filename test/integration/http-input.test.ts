// The HTTP input with real requests (undici) into a real SQLite buffer.
import { encodeRecords } from '../../src/codec/msgpack.js';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Packr } from 'msgpackr';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createHttpInput } from '../../src/inputs/http/index.js';
import { openStore, records } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(opts: { maxBodySize?: number; limits?: Parameters<typeof openStore>[1]; blockTimeoutMs?: number } = {}) {
  const t = tempDir();
  const store = openStore(t.dir, opts.limits);
  // An empty buffer takes any one write; a limit test needs a buffer that already holds something.
  if (opts.limits?.totalLimitSize !== undefined) store.append([{ tag: 'prefill.x', records: 1, data: encodeRecords([{ time: 1 }]) }]);
  const logs: { level: string; msg: string }[] = [];
  const input = createHttpInput(
    { type: 'http', bind: '127.0.0.1', port: 0, maxBodySize: opts.maxBodySize ?? 1024 * 1024 },
    { sink: new BufferWriter(store), log: (level, msg) => logs.push({ level, msg }) },
    opts.blockTimeoutMs !== undefined ? { blockTimeoutMs: opts.blockTimeoutMs } : {},
  );
  await input.start();
  cleanups.push(async () => {
    await input.stop();
    await store.close();
    t.cleanup();
  });
  const base = `http://127.0.0.1:${input.port}`;
  return { store, input, logs, base };
}

async function post(url: string, body: string | Buffer | Readable, headers: Record<string, string> = {}) {
  const res = await request(url, { method: 'POST', body, headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const T = 1_700_000_000;

describe('http input', () => {
  it('a JSON object: 200 once committed, tag from the path, integer time now', async () => {
    const { store, base } = await setup();
    const before = Math.floor(Date.now() / 1000);
    const r = await post(`${base}/app.web`, JSON.stringify({ msg: 'hi' }), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    expect(store.stats().pendingRecords).toBe(1);
    const r2 = await post(`${base}/app/web`, '{"msg":"slashes"}', { 'content-type': 'application/json' });
    expect(r2.status).toBe(200);
    const rows = await records(store);
    expect(rows.map((x) => x.tag)).toEqual(['app.web', 'app.web']);
    expect(rows[0]?.record['msg']).toBe('hi');
    expect(Number.isInteger(rows[0]?.record['time'])).toBe(true);
    expect(rows[0]?.record['time'] as number).toBeGreaterThanOrEqual(before);
  });

  it('a JSON array uses each record time; ?time= overrides', async () => {
    const { store, base } = await setup();
    const r = await post(`${base}/app.batch`, JSON.stringify([{ n: 1, time: T + 1 }, { n: 2, time: T + 2.7 }, { n: 3, time: '2023-11-14T22:13:23Z' }]), {
      'content-type': 'application/json',
    });
    expect(r.status).toBe(200);
    expect(store.stats().pendingRecords).toBe(3);
    const r2 = await post(`${base}/app.batch?time=${T + 50}`, JSON.stringify({ n: 4, time: T }));
    expect(r2.status).toBe(200);
    expect((await records(store)).map((x) => x.record)).toEqual([
      { n: 1, time: T + 1 },
      { n: 2, time: T + 2 },
      { n: 3, time: 1_700_000_003 },
      { n: 4, time: T + 50 },
    ]);
  });

  it('NDJSON, with its content type or detected from several lines', async () => {
    const { store, base } = await setup();
    const nd = '{"n":1,"time":1700000001}\n{"n":2,"time":1700000002}\n\n';
    expect((await post(`${base}/app.nd`, nd, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
    expect((await post(`${base}/app.nd`, '{"n":3}\n{"n":4}\n')).status).toBe(200);
    expect(store.stats().pendingRecords).toBe(4);
    expect((await records(store)).map((x) => x.record['n'])).toEqual([1, 2, 3, 4]);
  });

  it('form fields json= and msgpack= (fluentd in_http default format)', async () => {
    const { store, base } = await setup();
    const form = 'json=' + encodeURIComponent(JSON.stringify({ action: 'login', user: 2 }));
    expect((await post(`${base}/app.form`, form, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    const mp = packr.pack([{ via: 'msgpack', n: 1 }, { via: 'msgpack', n: 2 }]);
    const encoded = [...mp].map((b) => '%' + b.toString(16).padStart(2, '0')).join('');
    expect((await post(`${base}/app.form?time=${T}`, `msgpack=${encoded}`, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(200);
    const rows = (await records(store)).map((x) => x.record);
    expect(rows[0]).toMatchObject({ action: 'login', user: 2 });
    expect(rows.slice(1)).toEqual([
      { via: 'msgpack', n: 1, time: T },
      { via: 'msgpack', n: 2, time: T },
    ]);
  });

  it('application/msgpack bodies, and gzip Content-Encoding', async () => {
    const { store, base } = await setup();
    const r = await post(`${base}/app.mp`, packr.pack({ n: 1, time: T }), { 'content-type': 'application/msgpack' });
    expect(r.status).toBe(200);
    const gz = gzipSync(Buffer.from(JSON.stringify([{ n: 2, time: T }, { n: 3, time: T }])));
    expect((await post(`${base}/app.mp`, gz, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await records(store)).map((x) => x.record)).toEqual([
      { n: 1, time: T },
      { n: 2, time: T },
      { n: 3, time: T },
    ]);
  });

  it('400 with a JSON error for bad JSON, a non-object record, or no tag; nothing is stored', async () => {
    const { store, base } = await setup();
    const bad = await post(`${base}/app.bad`, '{"oops": ', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(String(bad.json?.['error'])).toMatch(/not valid JSON/);
    const notObj = await post(`${base}/app.bad`, '[{"ok":1}, 42]', { 'content-type': 'application/json' });
    expect(notObj.status).toBe(400);
    expect(notObj.json?.['error']).toBe('record 2 is not a JSON object');
    const noTag = await post(`${base}/`, '{"a":1}', { 'content-type': 'application/json' });
    expect(noTag.status).toBe(400);
    expect(String(noTag.json?.['error'])).toMatch(/tag/);
    expect(store.stats().pendingRecords).toBe(0);
  });

  it('413 when the body is over max_body_size (declared or streamed), and the server keeps serving', async () => {
    const { store, base } = await setup({ maxBodySize: 1024 });
    const big = JSON.stringify({ pad: 'x'.repeat(4096) });
    const declared = await post(`${base}/app.big`, big, { 'content-type': 'application/json' });
    expect(declared.status).toBe(413);
    expect(String(declared.json?.['error'])).toMatch(/max_body_size/);
    // Chunked, no Content-Length: counted while streaming.
    const streamed = await post(`${base}/app.big`, Readable.from([Buffer.from('{"pad":"'), Buffer.alloc(4096, 0x78), Buffer.from('"}')]), {
      'content-type': 'application/json',
    });
    expect(streamed.status).toBe(413);
    // Far over the limit: the server stops reading and still gets its 413 across.
    const huge = await post(`${base}/app.big`, Readable.from(Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 0x78))), {
      'content-type': 'application/json',
    }).catch((err: Error) => ({ status: 0, error: err.message }));
    expect(huge.status).toBe(413);
    // A gzip body that inflates past the limit.
    const bomb = gzipSync(Buffer.from(big));
    expect((await post(`${base}/app.big`, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(`${base}/app.ok`, '{"small":true}', { 'content-type': 'application/json' })).status).toBe(200);
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('503 + Retry-After when the buffer is full and overflow_action is throw_exception', async () => {
    const { store, base } = await setup({ limits: { totalLimitSize: 64, overflowAction: 'throw_exception' } });
    const r = await post(`${base}/app.full`, JSON.stringify([{ pad: 'y'.repeat(100) }]), { 'content-type': 'application/json' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(store.stats().pendingRecords).toBe(1) // the prefill only;
  });

  it('503 + Retry-After when a block wait outlasts the timeout', async () => {
    const { store, base } = await setup({ limits: { totalLimitSize: 64, overflowAction: 'block' }, blockTimeoutMs: 300 });
    const t0 = Date.now();
    const r = await post(`${base}/app.full`, JSON.stringify({ pad: 'y'.repeat(100) }), { 'content-type': 'application/json' });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(store.stats().pendingRecords).toBe(1) // the prefill only;
  });

  it('stop() answers a request blocked on a full buffer with 503 at once', async () => {
    const { input, base } = await setup({ limits: { totalLimitSize: 64, overflowAction: 'block' }, blockTimeoutMs: 30_000 });
    const pending = post(`${base}/app.full`, JSON.stringify({ pad: 'y'.repeat(100) }), { 'content-type': 'application/json' });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await input.stop();
    const r = await pending;
    expect(r.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('405 for other methods', async () => {
    const { base } = await setup();
    const res = await request(`${base}/app.x`, { method: 'PUT', body: '{}' });
    await res.body.text();
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
  });
});
