// Fan-out (`routing: copy`) through real parts: a config parsed by the real loader, the SQLite store,
// the delivery engine and two real http outputs against two HTTP servers on port 0. Each output gets
// its own copy of every chunk with its own key, state and retries; the shared payload is freed with
// the last copy.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { copyChunkKey } from '../../src/buffer/fan-out.js';
import { encodeRecords } from '../../src/codec/msgpack.js';
import { parseConfigText } from '../../src/config/load.js';
import { systemClock, systemRandom } from '../../src/core/clock.js';
import { DeliveryEngine } from '../../src/delivery/engine.js';
import { createOutput } from '../../src/outputs/index.js';
import { openStore } from '../helpers/store.js';
import { waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const TAG = 'td.db.events';
const CHUNKS = 3;
const PER_CHUNK = 10;

/** An HTTP endpoint that answers `status()` and records every request's key, answer and records. */
interface Collector {
  url: string;
  status: number;
  requests: { key: string; status: number; seqs: number[] }[];
  /** Keys answered 2xx, in order. */
  imported(): string[];
  close(): Promise<void>;
}

async function collector(status: number): Promise<Collector> {
  const requests: Collector['requests'] = [];
  const c = { status } as Collector;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const body: Buffer[] = [];
    req.on('data', (d: Buffer) => body.push(d));
    req.on('end', () => {
      const lines = gunzipSync(Buffer.concat(body)).toString('utf8').trim().split('\n');
      const answer = c.status;
      requests.push({ key: String(req.headers['idempotency-key']), status: answer, seqs: lines.map((l) => (JSON.parse(l) as { seq: number }).seq) });
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  c.requests = requests;
  c.imported = () => requests.filter((r) => r.status < 300).map((r) => r.key);
  c.close = () => new Promise<void>((r) => server.close(() => r()));
  return c;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** A buffer with CHUNKS sealed chunks of TAG, and an engine with outputs a and b (both match TAG). */
async function setup(a: Collector, b: Collector, routing: 'copy' | null) {
  const t = tempDir('tdfwd-fanout-');
  const yaml = `
${routing ? `routing: ${routing}` : ''}
outputs:
  - { type: http, name: a, match: "td.**", url: "${a.url}", retry: { wait: 50ms, max_wait: 200ms } }
  - { type: http, name: b, match: "td.**", url: "${b.url}", retry: { wait: 50ms, max_wait: 200ms } }
`;
  const config = parseConfigText(yaml, { env: {}, source: 'fan-out.yaml', bufferFlag: t.dir });
  const store: ChunkStore = openStore(t.dir, { chunkLimitRecords: PER_CHUNK });
  for (let c = 0; c < CHUNKS; c++) {
    const records = Array.from({ length: PER_CHUNK }, (_, i) => ({ time: 1_700_000_000, seq: c * PER_CHUNK + i }));
    expect(store.append([{ tag: TAG, data: encodeRecords(records), records: records.length }])).toEqual({ ok: true });
  }
  await store.sealOpen();
  const keys = store.listChunks('queued').map((r) => r.key);
  const engine = new DeliveryEngine({
    queue: store,
    outputs: config.outputs.map(createOutput),
    clock: systemClock,
    random: systemRandom,
    pollMs: 50,
    routing: config.routing,
  });
  const db = new Database(join(t.dir, 'buffer.db'), { readonly: true });
  cleanups.push(async () => {
    db.close();
    await engine.stop(0);
    await store.close();
    t.cleanup();
  });
  const sharedPayloads = (): number => (db.prepare('SELECT count(*) AS n FROM shared_payloads').get() as { n: number }).n;
  return { store, engine, keys, sharedPayloads, config };
}

const allSeqs = Array.from({ length: CHUNKS * PER_CHUNK }, (_, i) => i);
const seqsOf = (c: Collector): number[] => c.requests.filter((r) => r.status < 300).flatMap((r) => r.seqs).sort((x, y) => x - y);

describe('routing: copy', () => {
  it('delivers a copy to each output: the healthy one at once, the failing one after it recovers, each exactly once; the payload is freed after both', async () => {
    const a = await collector(200);
    const b = await collector(503);
    cleanups.push(a.close, b.close);
    const { store, engine, keys, sharedPayloads, config } = await setup(a, b, 'copy');
    expect(config.routing).toBe('copy');
    engine.start();

    await waitFor(() => a.imported().length === CHUNKS && b.requests.length >= 2, 15_000);
    // a has every record once, under the chunks' own keys; b is still failing and holds its copies.
    expect(new Set(a.imported())).toEqual(new Set(keys));
    expect(a.requests).toHaveLength(CHUNKS);
    expect(seqsOf(a)).toEqual(allSeqs);
    expect(b.imported()).toEqual([]);
    const left = store.listChunks(null);
    expect(left.map((c) => c.output)).toEqual(['b', 'b', 'b']);
    expect(new Set(left.map((c) => c.key))).toEqual(new Set(keys.map((k) => copyChunkKey(k, 'b'))));
    expect(left.every((c) => c.attempts >= 1 || c.state === 'queued')).toBe(true);
    expect(sharedPayloads()).toBe(CHUNKS); // kept for b's copies
    const copies = store.stats().copies?.b;
    expect(copies && copies.queued + copies.inflight).toBe(CHUNKS);
    expect(Object.keys(store.stats().copies ?? {})).toEqual(['b']);

    b.status = 200;
    await waitFor(() => b.imported().length === CHUNKS && store.listChunks(null).length === 0, 15_000);
    expect(new Set(b.imported())).toEqual(new Set(keys.map((k) => copyChunkKey(k, 'b'))));
    expect(seqsOf(b)).toEqual(allSeqs);
    // Every failed attempt of b re-sent the same key; a was never asked again.
    expect(new Set(b.requests.map((r) => r.key)).size).toBe(CHUNKS);
    expect(a.requests).toHaveLength(CHUNKS);
    expect(sharedPayloads()).toBe(0);
    expect(store.stats().storedBytes).toBe(0);
  });

  it('counts what a drain will deliver: each chunk once per output before the fan-out, each copy once after (flush\'s progress bar)', async () => {
    const a = await collector(200);
    const b = await collector(503);
    cleanups.push(a.close, b.close);
    const { store, engine } = await setup(a, b, 'copy');
    // Not fanned out yet: every chunk goes to both outputs.
    expect(engine.deliveriesOf(store.pendingByRoute())).toEqual({ chunks: 2 * CHUNKS, records: 2 * CHUNKS * PER_CHUNK });
    engine.start();
    await waitFor(() => a.imported().length === CHUNKS && b.requests.length >= 1, 15_000);
    // a has its copies; b's wait: exactly what the records still to deliver are.
    expect(engine.deliveriesOf(store.pendingByRoute())).toEqual({ chunks: CHUNKS, records: CHUNKS * PER_CHUNK });
    b.status = 200;
    await waitFor(() => store.listChunks(null).length === 0, 15_000);
    expect(engine.deliveriesOf(store.pendingByRoute())).toEqual({ chunks: 0, records: 0 });
    expect(a.imported().length + b.imported().length).toBe(2 * CHUNKS);
  });

  it('counts each chunk once under first_match', async () => {
    const a = await collector(200);
    const b = await collector(200);
    cleanups.push(a.close, b.close);
    const { store, engine } = await setup(a, b, null);
    expect(engine.deliveriesOf(store.pendingByRoute())).toEqual({ chunks: CHUNKS, records: CHUNKS * PER_CHUNK });
  });

  it('a park on one output leaves the other alone; the parked copy keeps the payload until it is dropped', async () => {
    const a = await collector(200);
    const b = await collector(400);
    cleanups.push(a.close, b.close);
    const { store, engine, sharedPayloads } = await setup(a, b, 'copy');
    engine.start();

    await waitFor(() => a.imported().length === CHUNKS && store.listChunks('parked').length === CHUNKS, 15_000);
    expect(seqsOf(a)).toEqual(allSeqs);
    expect(b.requests).toHaveLength(CHUNKS); // one attempt each: a 400 parks
    const parked = store.listChunks('parked');
    expect(parked.map((c) => c.output)).toEqual(['b', 'b', 'b']);
    expect(parked[0]!.park_reason).toMatch(/400/);
    expect(store.listChunks(null)).toHaveLength(CHUNKS); // a's copies are gone, b's parked
    expect(sharedPayloads()).toBe(CHUNKS);
    expect(store.chunkData(parked[0]!.id)?.sealed).toBe(true); // still exportable

    for (const c of parked) expect(store.dropChunk(c.id)).toBe(true);
    expect(sharedPayloads()).toBe(0);
    expect(store.stats().storedBytes).toBe(0);
  });

  it('a parked copy retried later is delivered to its output only, with its key', async () => {
    const a = await collector(200);
    const b = await collector(400);
    cleanups.push(a.close, b.close);
    const { store, engine } = await setup(a, b, 'copy');
    engine.start();
    await waitFor(() => a.imported().length === CHUNKS && store.listChunks('parked').length === CHUNKS, 15_000);
    const parkedKeys = store.listChunks('parked').map((c) => c.key);
    b.status = 200;
    expect(store.unparkAll()).toBe(CHUNKS);
    engine.wake();
    await waitFor(() => b.imported().length === CHUNKS && store.listChunks(null).length === 0, 15_000);
    expect(new Set(b.imported())).toEqual(new Set(parkedKeys));
    expect(a.requests).toHaveLength(CHUNKS);
  });
});

describe('copies for an output no longer configured', () => {
  it('stay buffered and are reported as unrouted by a drain, which delivers the rest', async () => {
    const a = await collector(200);
    const b = await collector(200);
    cleanups.push(a.close, b.close);
    const { store, engine } = await setup(a, b, 'copy');
    expect(store.fanOut(TAG, ['a', 'gone'])).toBe(CHUNKS); // as a config with an output "gone" did
    const result = await engine.drain(10_000);
    expect(result.complete).toBe(true);
    expect(result.unrouted).toEqual([`${TAG} (copies for output gone, which is not configured)`]);
    expect(a.imported()).toHaveLength(CHUNKS);
    expect(b.requests).toEqual([]); // b gets no copy: the chunks were already given to their outputs
    expect(store.listChunks(null).map((c) => c.output)).toEqual(['gone', 'gone', 'gone']);
  });
});

describe('ChunkStore.fanOut', () => {
  it('makes one row per output sharing one payload, counted once against total_limit_size; a split copy stays its output\'s', async () => {
    const t = tempDir('tdfwd-fanout-');
    const store = openStore(t.dir, { chunkLimitRecords: PER_CHUNK });
    cleanups.push(async () => {
      await store.close();
      t.cleanup();
    });
    const records = Array.from({ length: PER_CHUNK }, (_, i) => ({ time: 1, seq: i }));
    store.append([{ tag: TAG, data: encodeRecords(records), records: records.length }]);
    store.append([{ tag: 'other.tag', data: encodeRecords(records), records: records.length }]);
    await store.sealOpen();
    const before = store.stats().storedBytes;
    const [chunk] = store.listChunks('queued').filter((c) => c.tag === TAG);

    expect(store.fanOut(TAG, ['a', 'b', 'c'])).toBe(1);
    expect(store.fanOut(TAG, ['a', 'b', 'c'])).toBe(0); // already given to its outputs
    const rows = store.listChunks(null).filter((c) => c.tag === TAG);
    expect(rows.map((c) => [c.key, c.output, c.parent_key])).toEqual([
      [chunk!.key, 'a', null],
      [copyChunkKey(chunk!.key, 'b'), 'b', chunk!.key],
      [copyChunkKey(chunk!.key, 'c'), 'c', chunk!.key],
    ]);
    expect(store.stats().storedBytes).toBe(before); // the payload is stored once
    expect(store.queuedTags()).toEqual(['other.tag']);
    expect(store.queuedCopies()).toEqual([
      { output: 'a', tag: TAG },
      { output: 'b', tag: TAG },
      { output: 'c', tag: TAG },
    ]);

    // Leases take only the copies of the output asked for; tags route the rest.
    expect(store.lease(10, [], 60_000, { output: 'b', tags: ['other.tag'] })).toEqual([]);
    const [b] = store.lease(10, [], 60_000, { output: 'b', tags: [TAG] });
    expect(b).toMatchObject({ key: copyChunkKey(chunk!.key, 'b'), records: PER_CHUNK, attempts: 1 });
    expect(store.lease(10, [TAG], 60_000)).toEqual([]); // no row of TAG is routed by tag any more
    const halves = ([0, 1] as const).map((i) => ({ key: `${i}`.repeat(32), records: PER_CHUNK / 2, rawBytes: 1, payload: Buffer.from([i]) }));
    expect(store.split(b!, halves)).toHaveLength(2);
    expect(store.listChunks(null).filter((c) => c.parent_key === b!.key).map((c) => c.output)).toEqual(['b', 'b']);

    const [a] = store.lease(10, [], 60_000, { output: 'a', tags: [TAG] });
    expect(store.ack(a!.id)).toBe(true);
    expect(store.chunkData(store.chunkByKey(copyChunkKey(chunk!.key, 'c'))!.id)?.sealed).toBe(true);
    const [c] = store.lease(10, [], 60_000, { output: 'c', tags: [TAG] });
    expect(store.ack(c!.id)).toBe(true); // the last row sharing the payload: freed
    expect(store.stats().storedBytes).toBe(before - chunk!.stored_bytes + 2);
  });
});

describe('routing: first_match (the default)', () => {
  it('sends each chunk to the first matching output only', async () => {
    const a = await collector(200);
    const b = await collector(200);
    cleanups.push(a.close, b.close);
    const { store, engine, keys, config } = await setup(a, b, null);
    expect(config.routing).toBe('first_match');
    engine.start();
    await waitFor(() => store.listChunks(null).length === 0, 15_000);
    expect(new Set(a.imported())).toEqual(new Set(keys));
    expect(b.requests).toEqual([]);
  });
});
