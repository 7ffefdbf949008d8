// The forward input against the real fluent-logger client (requireAckResponse), in every event mode
// it speaks, with and without the shared_key handshake.
import fluentLogger from 'fluent-logger';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { decodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createForwardInput } from '../../src/inputs/forward/index.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

// The package's typings declare EventTime as an instance and omit the sender's EventEmitter methods.
const EventTime = fluentLogger.EventTime as unknown as new (epoch: number, nano: number) => object;
const quiet = { info: () => {}, error: () => {} };

async function setup(sharedKey?: string) {
  const t = tempDir();
  const store = openStore(t.dir);
  const writer = new BufferWriter(store);
  const encoder = new PartEncoder({ limits: () => writer.partLimits });
  const input = createForwardInput(
    { type: 'forward', bind: '127.0.0.1', port: 0, selfHostname: 'tdfwd.test', ...(sharedKey ? { sharedKey } : {}) },
    { sink: writer, log: () => {}, encoder },
  );
  await input.start();
  cleanups.push(async () => {
    await input.stop();
    await encoder.close();
    await store.close();
    t.cleanup();
  });
  return { store, port: input.port };
}

type Sender = ReturnType<typeof fluentLogger.createFluentSender<Record<string, unknown>>>;

function sender(port: number, opts: Record<string, unknown> = {}): Sender {
  const s = fluentLogger.createFluentSender<Record<string, unknown>>('app', {
    host: '127.0.0.1',
    port,
    timeout: 3.0,
    requireAckResponse: true,
    ackResponseTimeout: 5000,
    internalLogger: quiet,
    enableReconnect: false,
    ...opts,
  } as Parameters<typeof fluentLogger.createFluentSender>[1]);
  cleanups.push(() => new Promise<void>((r) => s.end('', undefined as never, () => r())));
  return s;
}

function emit(s: Sender, label: string, record: Record<string, unknown>, time?: number | Date | object) {
  return new Promise<void>((resolve, reject) => {
    const cb = (err?: Error) => (err ? reject(err) : resolve());
    if (time === undefined) s.emit(label, record, cb);
    else s.emit(label, record, time as number, cb);
  });
}

async function stored(store: ChunkStore): Promise<{ tag: string; record: Record<string, unknown> }[]> {
  await store.sealOpen();
  const out: { tag: string; record: Record<string, unknown> }[] = [];
  for (const c of store.lease(1000, store.queuedTags(), 60_000)) {
    for (const r of decodeRecords(await gunzipPayload(c.payload))) out.push({ tag: c.tag, record: r as Record<string, unknown> });
  }
  return out.sort((a, b) => Number(a.record['n']) - Number(b.record['n']));
}

describe('forward input with fluent-logger', () => {
  it('Message mode: each emit is acked after its record is in the buffer, with an integer time', async () => {
    const { store, port } = await setup();
    const s = sender(port);
    const before = Math.floor(Date.now() / 1000);
    await emit(s, 'web', { n: 1, msg: 'first' });
    expect(store.stats().pendingRecords).toBe(1);
    await emit(s, 'web', { n: 2, msg: 'second' }, 1_700_000_123);
    await emit(s, 'api', { n: 3 }, new EventTime(1_700_000_456, 789));
    const rows = await stored(store);
    expect(rows.map((r) => r.tag)).toEqual(['app.web', 'app.web', 'app.api']);
    expect(rows[0]?.record['time']).toBeGreaterThanOrEqual(before);
    expect(Number.isInteger(rows[0]?.record['time'])).toBe(true);
    expect(rows[1]?.record).toEqual({ n: 2, msg: 'second', time: 1_700_000_123 });
    expect(rows[2]?.record).toEqual({ n: 3, time: 1_700_000_456 });
  });

  for (const eventMode of ['PackedForward', 'CompressedPackedForward']) {
    it(`${eventMode}: a batch of emits is acked once committed`, async () => {
      const { store, port } = await setup();
      const s = sender(port, { eventMode, flushInterval: 20 });
      await Promise.all(Array.from({ length: 200 }, (_, n) => emit(s, 'batch', { n, body: 'z'.repeat(40) }, new EventTime(1_700_000_000 + n, 1))));
      const rows = await stored(store);
      expect(rows).toHaveLength(200);
      expect(rows[199]).toEqual({ tag: 'app.batch', record: { n: 199, body: 'z'.repeat(40), time: 1_700_000_199 } });
    });
  }

  it('a record with its own time keeps it as _time; time is the event time (Message and PackedForward)', async () => {
    const { store, port } = await setup();
    await emit(sender(port), 'own', { n: 1, time: '2026-12-02T10:00:00Z' }, 1_700_000_001);
    const packed = sender(port, { eventMode: 'PackedForward', flushInterval: 20 });
    await Promise.all([2, 3].map((n) => emit(packed, 'own', { n, time: n === 2 ? 42 : 'x' }, new EventTime(1_700_000_000 + n, 5))));
    expect((await stored(store)).map((r) => r.record)).toEqual([
      { n: 1, time: 1_700_000_001, _time: '2026-12-02T10:00:00Z' },
      { n: 2, time: 1_700_000_002, _time: 42 },
      { n: 3, time: 1_700_000_003, _time: 'x' },
    ]);
  });

  it('shared_key: the handshake succeeds with the right key and events flow', async () => {
    const { store, port } = await setup('secure_communication_is_awesome');
    const s = sender(port, { security: { clientHostname: 'client.localdomain', sharedKey: 'secure_communication_is_awesome' } });
    await emit(s, 'sec', { n: 1 });
    expect((await stored(store)).map((r) => r.record['n'])).toEqual([1]);
  });

  it('shared_key: a client with the wrong key is refused and nothing is stored', async () => {
    const { store, port } = await setup('secure_communication_is_awesome');
    const s = sender(port, { security: { clientHostname: 'client.localdomain', sharedKey: 'nope' } });
    const failed = new Promise<Error>((resolve) => (s as unknown as { on(ev: string, fn: (err: Error) => void): void }).on('error', (err) => resolve(err)));
    s.emit('sec', { n: 1 });
    const err = await failed;
    expect(err.message).toMatch(/Authentication failed: shared_key mismatch/);
    expect(store.stats().pendingRecords).toBe(0);
  });
});
