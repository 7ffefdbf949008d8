// The forward input through the encoder (ingest/encoder.ts): the entries of every frame mode are
// encoded into parts (records copied byte for byte where they are plain), compressed on the zlib
// thread pool and committed as parts. The records stored must equal those of the reference decoding
// (every record decoded into an object: test/helpers/forward-decode.ts), acks must follow the commit
// and keep frame order, and a frame whose entries are malformed is not acked (the ones before it are).
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Unpackr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventSink } from '../../src/core/sink.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { referenceRecords } from '../helpers/forward-decode.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createForwardInput } from '../../src/inputs/forward/index.js';
import { entry, eventTime, pack } from '../helpers/forward-wire.js';
import { openStore, records } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const T = 1_700_000_000;

async function setup() {
  const t = tempDir();
  const store = openStore(t.dir);
  const encoder = new PartEncoder({ limits: { bytes: 4096, records: 50 } }); // small parts: a frame is several
  const writer = new BufferWriter(store);
  const calls = { write: 0, writeParts: 0 };
  const sink: EventSink = {
    write: (...args) => (calls.write++, writer.write(...args)),
    writeParts: (...args) => (calls.writeParts++, writer.writeParts(...args)),
  };
  const input = createForwardInput(
    { type: 'forward', bind: '127.0.0.1', port: 0, selfHostname: 'tdfwd.test' },
    { sink, log: () => {}, encoder },
  );
  await input.start();
  cleanups.push(async () => {
    await input.stop();
    await encoder.close();
    await store.close();
    t.cleanup();
  });
  return { store, port: input.port, calls };
}

/** Sends bytes and collects every msgpack reply until the server closes or `count` replies arrived. */
function exchange(port: number, data: Buffer, count: number): Promise<{ replies: unknown[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(data));
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
    let pending = Buffer.alloc(0);
    const replies: unknown[] = [];
    const timer = setTimeout(() => finish(false), 5000);
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ replies, closed });
    };
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      try {
        replies.push(...(unpackr.unpackMultiple(pending) as unknown[]));
        pending = Buffer.alloc(0);
      } catch {
        return; // incomplete: wait for more
      }
      if (replies.length >= count) finish(false);
    });
    socket.on('close', () => finish(true));
  });
}



/** Every kind of entry the forward protocol (and Fluent Bit) sends, many of them. */
function entries(n: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    switch (i % 8) {
      case 0: out.push(entry(T + i, { i, msg: 'plain int time', nested: { a: [1, 2, { b: null }] } })); break;
      case 1: out.push(entry(eventTime(T + i, 999), { i, msg: 'EventTime' })); break;
      case 2: out.push(entry(T + i + 0.75, { i, msg: 'float time', f: 1.5 })); break;
      case 3: out.push(entry(null, { i, msg: 'nil time = now' })); break;
      case 4: out.push(Buffer.concat([Buffer.from([0x92, 0x92]), eventTime(T + i, 1), pack({ meta: 1 }), pack({ i, msg: 'fluent-bit v2' })])); break;
      case 5: out.push(entry(T + i, `not a map ${i}`)); break;
      case 6: out.push(entry(T + i, null)); break; // skipped
      default: out.push(entry(0, { i, msg: 'zero time = now', big: 2 ** 40, neg: -5, bin: Buffer.from([1, 2, 3]) })); break;
    }
  }
  return Buffer.concat(out);
}

/** The frames: plain PackedForward (bin), a Message frame between them, gzip (two members), and str. */
function frames(): Buffer {
  const blob = entries(300);
  const strHeader = Buffer.alloc(5);
  strHeader[0] = 0xdb;
  strHeader.writeUInt32BE(blob.length, 1);
  return Buffer.concat([
    pack(['app.packed', blob, { chunk: 'c1' }]),
    pack(['app.msg', T, { between: true }, { chunk: 'c2' }]),
    pack(['app.gz', Buffer.concat([gzipSync(entries(120)), gzipSync(entries(40))]), { chunk: 'c3', compressed: 'gzip' }]),
    Buffer.concat([Buffer.from([0x93]), pack('app.str'), strHeader, blob, pack({ chunk: 'c4' })]),
    pack(['app.nochunk', entries(16)]),
    pack(['app.last', entries(8), { chunk: 'c5' }]),
  ]);
}

/** Records whose time was "now" differ by when each path ran: the time is checked, then set aside. */
function normalized(rows: { tag: string; record: Record<string, unknown> }[], from: number, to: number) {
  return rows.map(({ tag, record }) => {
    const msg = record['msg'];
    if (msg === 'nil time = now' || msg === 'zero time = now') {
      expect(record['time']).toBeGreaterThanOrEqual(from);
      expect(record['time']).toBeLessThanOrEqual(to);
      return { tag, record: { ...record, time: 'now' } };
    }
    return { tag, record };
  });
}

describe('forward input with an encoder', () => {
  it('every mode (PackedForward plain, str and gzip; Forward; Message) stores the reference records, acked in order', async () => {
    const data = Buffer.concat([frames(), pack(['app.fw', Array.from({ length: 30 }, (_, i) => [T + i, { i, msg: 'forward mode' }]), { chunk: 'c6' }])]);
    const acks = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((c) => ({ ack: c }));
    const from = Math.floor(Date.now() / 1000);
    const { store, port, calls } = await setup();
    const r = await exchange(port, data, acks.length);
    const to = Math.ceil(Date.now() / 1000);
    expect(r.replies).toEqual(acks);
    expect(calls.write).toBe(0); // every frame went through the encoder
    expect(calls.writeParts).toBeGreaterThan(0);
    const stored = normalized(await records(store), from, to);
    const want = normalized(referenceRecords(data, from), from, to);
    // 300 + 1 + 160 + 300 + 16 + 8 + 30 entries, one in 8 of the generated ones with a nil record skipped.
    expect(want.length).toBe(Math.ceil((300 * 7) / 8) * 2 + 1 + 105 + 35 + 14 + 7 + 30);
    const byTag = (rows: typeof want) => [...rows].sort((x, y) => (x.tag < y.tag ? -1 : x.tag > y.tag ? 1 : 0));
    expect(byTag(stored)).toEqual(byTag(want));
    expect(stored.find((x) => x.record['msg'] === 'float time')?.record['time']).toBe(T + 2);
    expect(stored.find((x) => x.tag === 'app.packed' && x.record['_parse_error'] !== undefined)?.record).toEqual({
      message: 'not a map 5',
      _parse_error: 'the forward record is not a map',
      time: T + 5,
    });
  });

  it('records with their own time keep it as _time and get the event time, in every mode', async () => {
    const own = (i: number): Record<string, unknown> => ({ time: `2026-12-02T10:00:0${i % 10}Z`, i, host: 'web-1' });
    const packedEntries = Buffer.concat(Array.from({ length: 40 }, (_, i) => entry(i % 2 ? eventTime(T + i, 7) : T + i, own(i))));
    const data = Buffer.concat([
      pack(['app.packed', packedEntries, { chunk: 'p' }]),
      pack(['app.gz', gzipSync(packedEntries), { chunk: 'g', compressed: 'gzip' }]),
      pack(['app.fw', Array.from({ length: 5 }, (_, i) => [T + i, own(i)]), { chunk: 'f' }]),
      pack(['app.msg', T, { time: 1.5, i: 0, _time: 'its own _time is replaced by the moved time' }, { chunk: 'm' }]),
      pack(['app.same', Buffer.concat([entry(T, { time: T, i: 0 }), entry(T + 1, { time: null, i: 1 }), entry(T + 2, { time: { sub: 'object' }, i: 2, _time: 'x' })]), { chunk: 's' }]),
    ]);
    const acks = ['p', 'g', 'f', 'm', 's'].map((c) => ({ ack: c }));
    {
      const { store, port } = await setup();
      expect((await exchange(port, data, acks.length)).replies).toEqual(acks);
      const rows = await records(store);
      expect(rows).toHaveLength(40 + 40 + 5 + 1 + 3);
      for (const { tag, record } of rows.filter((r) => r.tag === 'app.packed' || r.tag === 'app.gz' || r.tag === 'app.fw')) {
        const i = record['i'] as number;
        expect(record, tag).toEqual({ time: T + i, i, host: 'web-1', _time: `2026-12-02T10:00:0${i % 10}Z` });
        expect(Object.keys(record)).toEqual(['time', 'i', 'host', '_time']); // time keeps its place, _time last
      }
      expect(rows.find((r) => r.tag === 'app.msg')?.record).toEqual({ time: T, i: 0, _time: 1.5 });
      expect(rows.filter((r) => r.tag === 'app.same').map((r) => r.record)).toEqual([
        { time: T, i: 0 },
        { time: T + 1, i: 1, _time: null },
        { time: T + 2, i: 2, _time: { sub: 'object' } },
      ]);
    }
  });

  it('a frame with malformed entries is not acked; the frames before it are committed and acked', async () => {
    const { store, port } = await setup();
    const good = pack(['app.ok', entries(16), { chunk: 'ok1' }]);
    const bad = pack(['app.bad', Buffer.concat([entry(T, { a: 1 }), Buffer.from([0x92, 0xc1, 0x80])]), { chunk: 'bad1' }]);
    const after = pack(['app.after', entries(8), { chunk: 'after1' }]);
    const r = await exchange(port, Buffer.concat([good, bad, after]), 3);
    expect(r.replies).toEqual([{ ack: 'ok1' }]);
    expect(r.closed).toBe(true);
    const rows = await records(store);
    expect(rows.every((x) => x.tag === 'app.ok')).toBe(true);
    expect(rows).toHaveLength(14);
  });
});
