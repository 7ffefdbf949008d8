// The forward input against hand-built frames over a raw TCP socket, into a real SQLite buffer.
import { encodeRecords } from '../../src/codec/msgpack.js';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Unpackr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncodedPart, EventSink, PositionUpdate } from '../../src/core/sink.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createForwardInput } from '../../src/inputs/forward/index.js';
import { entry, eventTime, pack } from '../helpers/forward-wire.js';
import { openStore, records } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

async function setup(opts: { sharedKey?: string; limits?: Parameters<typeof openStore>[1]; sink?: (w: BufferWriter) => EventSink } = {}) {
  const t = tempDir();
  const store = openStore(t.dir, opts.limits);
  // An empty buffer takes any one write; a limit test needs a buffer that already holds something.
  if (opts.limits?.totalLimitSize !== undefined) store.append([{ tag: 'prefill.x', records: 1, data: encodeRecords([{ time: 1 }]) }]);
  const writer = new BufferWriter(store);
  const encoder = new PartEncoder({ limits: () => writer.partLimits });
  const logs: LogLine[] = [];
  const input = createForwardInput(
    { type: 'forward', bind: '127.0.0.1', port: 0, selfHostname: 'tdfwd.test', ...(opts.sharedKey ? { sharedKey: opts.sharedKey } : {}) },
    { sink: opts.sink ? opts.sink(writer) : writer, log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }), encoder },
  );
  await input.start();
  cleanups.push(async () => {
    await input.stop();
    await encoder.close();
    await store.close();
    t.cleanup();
  });
  return { store, input, logs };
}

/** A raw forward client: sends bytes, reads msgpack replies one by one, notices when the server closes. */
class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  #pending = Buffer.alloc(0);
  #messages: unknown[] = [];
  #waiters: ((v: unknown) => void)[] = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (d: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, d]);
      let values: unknown[] = [];
      try {
        values = this.#unpackr.unpackMultiple(this.#pending) as unknown[];
        this.#pending = Buffer.alloc(0);
      } catch (err) {
        const e = err as { incomplete?: boolean; lastPosition?: number; values?: unknown[] };
        if (!e.incomplete) throw err;
        values = e.values ?? [];
        this.#pending = this.#pending.subarray(e.lastPosition ?? 0);
      }
      for (const v of values) {
        const w = this.#waiters.shift();
        if (w) w(v);
        else this.#messages.push(v);
      }
    });
  }

  send(b: Buffer): void {
    this.socket.write(b);
  }

  next(timeoutMs = 3000): Promise<unknown> {
    if (this.#messages.length > 0) return Promise.resolve(this.#messages.shift());
    return new Promise((resolve, reject) => {
      const waiter = (v: unknown) => {
        clearTimeout(t);
        resolve(v);
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error('no reply from the server'));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  get received(): number {
    return this.#messages.length;
  }

  end(): void {
    this.socket.destroy();
  }
}

function client(port: number): RawClient {
  const c = new RawClient(port);
  cleanups.push(() => c.end());
  return c;
}



const T = 1_700_000_000;

describe('forward input', () => {
  it('Message mode: commits the record with an integer time and acks the chunk after the commit', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    c.send(pack(['app.web', T, { msg: 'hello', n: 1 }, { chunk: 'c1' }]));
    expect(await c.next()).toEqual({ ack: 'c1' });
    expect(store.stats().pendingRecords).toBe(1);
    expect(await records(store)).toEqual([{ tag: 'app.web', record: { msg: 'hello', n: 1, time: T } }]);
  });

  it('Message mode with EventTime and float time; without a chunk option no ack is sent', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    const tag = pack('app.et');
    const m1 = Buffer.concat([Buffer.from([0x93]), tag, eventTime(T + 5, 999_999_999), pack({ a: 1 })]);
    const m2 = Buffer.concat([Buffer.from([0x94]), tag, pack(T + 7.9), pack({ a: 2 }), pack({ chunk: 'last' })]);
    c.send(m1);
    c.send(m2);
    expect(await c.next()).toEqual({ ack: 'last' });
    expect(c.received).toBe(0);
    const rows = await records(store);
    expect(rows.map((r) => r.record)).toEqual([
      { a: 1, time: T + 5 },
      { a: 2, time: T + 7 },
    ]);
  });

  it('Forward mode: all entries of the frame land in one commit, then one ack', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    const entries = Array.from({ length: 50 }, (_, i) => [T + i, { i }]);
    c.send(pack(['app.fw', entries, { chunk: 'fw-1', size: 50 }]));
    expect(await c.next()).toEqual({ ack: 'fw-1' });
    const rows = await records(store);
    expect(rows).toHaveLength(50);
    expect(rows[49]).toEqual({ tag: 'app.fw', record: { i: 49, time: T + 49 } });
  });

  it('PackedForward mode (bin and str) with EventTime entries, split across many TCP writes', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    const blob = Buffer.concat(Array.from({ length: 1000 }, (_, i) => entry(i % 2 ? eventTime(T + i, 5) : T + i, { i, pad: 'x'.repeat(50) })));
    const frame = pack(['app.packed', blob, { chunk: 'p1', size: 1000 }]);
    for (let off = 0; off < frame.length; off += 1000) {
      c.send(frame.subarray(off, off + 1000));
      await new Promise((r) => setImmediate(r));
    }
    expect(await c.next()).toEqual({ ack: 'p1' });
    // The same entries as a msgpack str (what msgpack-ruby sends for a String chunk).
    const header = Buffer.alloc(5);
    header[0] = 0xdb;
    header.writeUInt32BE(blob.length, 1);
    c.send(Buffer.concat([Buffer.from([0x93]), pack('app.packed'), header, blob, pack({ chunk: 'p2' })]));
    expect(await c.next()).toEqual({ ack: 'p2' });
    const rows = await records(store);
    expect(rows).toHaveLength(2000);
    expect(rows.slice(0, 3).map((r) => r.record.time)).toEqual([T, T + 1, T + 2]);
    expect(rows.every((r) => Number.isInteger(r.record.time))).toBe(true);
  });

  it('frames of every size back to back, cut into reads at odd places, all land in order and are acked', async () => {
    // The connection keeps a partial frame in its reused assembly buffer (frame-assembly.ts): a read may
    // end a frame and start the next, a frame may span many reads, and one is larger than the buffer's
    // first size (it grows as the bytes come).
    const { store, input } = await setup();
    const c = client(input.port);
    const sizes = [1, 7, 300, 2, 9000, 40, 1, 3];
    let seq = 0;
    const frames = sizes.map((n, f) => {
      const blob = Buffer.concat(Array.from({ length: n }, () => entry(T + seq, { seq: seq++, pad: 'p'.repeat(f === 4 ? 200 : 20) })));
      return pack([`app.f${f}`, blob, { chunk: `c${f}`, size: n }]);
    });
    const wire = Buffer.concat(frames);
    expect(frames[4]!.length).toBeGreaterThan(1024 * 1024 + 64 * 1024);
    const cuts = [1, 2, 3, 5, 11, 64, 1000, 65_536, 3, 300_000, 17];
    for (let off = 0, k = 0; off < wire.length; k++) {
      const n = cuts[k % cuts.length] as number;
      c.send(wire.subarray(off, off + n));
      off += n;
      if (k % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    const acks: unknown[] = [];
    for (let f = 0; f < sizes.length; f++) acks.push(await c.next(10_000));
    expect(acks).toEqual(sizes.map((_, f) => ({ ack: `c${f}` })));
    const rows = await records(store);
    expect(rows.map((r) => r.record.seq)).toEqual(Array.from({ length: seq }, (_, i) => i));
    expect(rows.map((r) => r.tag)).toEqual(sizes.flatMap((n, f) => Array.from({ length: n }, () => `app.f${f}`)));
  });

  it('CompressedPackedForward: several concatenated gzip members', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    const part1 = Buffer.concat([entry(T, { k: 'a' }), entry(eventTime(T + 1, 0), { k: 'b' })]);
    const part2 = entry(T + 2, { k: 'c' });
    const gz = Buffer.concat([gzipSync(part1), gzipSync(part2)]);
    c.send(pack(['app.gz', gz, { chunk: 'z1', compressed: 'gzip' }]));
    expect(await c.next()).toEqual({ ack: 'z1' });
    expect((await records(store)).map((r) => r.record)).toEqual([
      { k: 'a', time: T },
      { k: 'b', time: T + 1 },
      { k: 'c', time: T + 2 },
    ]);
  });

  it('many frames in one burst are one batch; every chunk is acked in order', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    const frames = Array.from({ length: 20 }, (_, i) => pack(['app.burst', T, { i }, { chunk: `b${i}` }]));
    c.send(Buffer.concat(frames));
    const acks = [];
    for (let i = 0; i < 20; i++) acks.push(await c.next());
    expect(acks).toEqual(frames.map((_, i) => ({ ack: `b${i}` })));
    expect(store.stats().pendingRecords).toBe(20);
  });

  it('acks only once the sink has committed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let writes = 0;
    const { store, input } = await setup({
      sink: (w) => ({
        write: (events, positions, signal) => w.write(events, positions, signal),
        async writeParts(parts: readonly EncodedPart[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
          writes++;
          await gate;
          await w.writeParts(parts, positions, signal);
        },
      }),
    });
    const c = client(input.port);
    c.send(pack(['app.slow', T, { x: 1 }, { chunk: 'slow' }]));
    await expect(c.next(300)).rejects.toThrow('no reply');
    expect(writes).toBe(1);
    expect(store.stats().pendingRecords).toBe(0);
    release();
    expect(await c.next()).toEqual({ ack: 'slow' });
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('stops reading a client while its write is pending (backpressure), then catches up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { store, input } = await setup({
      sink: (w) => ({
        write: (events, positions, signal) => w.write(events, positions, signal),
        async writeParts(parts: readonly EncodedPart[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
          await gate;
          await w.writeParts(parts, positions, signal);
        },
      }),
    });
    const c = client(input.port);
    const blob = Buffer.concat(Array.from({ length: 2000 }, (_, i) => entry(T, { i, pad: 'p'.repeat(200) })));
    const frames = Array.from({ length: 40 }, (_, i) => pack(['app.bp', blob, { chunk: `bp${i}` }]));
    for (const f of frames) c.send(f);
    await new Promise((r) => setTimeout(r, 500));
    // The server is not reading: most of the ~18 MB is still queued on the client side.
    expect(c.socket.writableLength).toBeGreaterThan(4 * 1024 * 1024);
    expect(c.received).toBe(0);
    release();
    for (let i = 0; i < 40; i++) expect(await c.next(10_000)).toEqual({ ack: `bp${i}` });
    expect(store.stats().pendingRecords).toBe(80_000);
  });

  it('a rejected write (buffer full, throw_exception) is never acked and closes that connection', async () => {
    const { store, input, logs } = await setup({ limits: { totalLimitSize: 200, overflowAction: 'throw_exception' } });
    const c = client(input.port);
    const blob = Buffer.concat(Array.from({ length: 100 }, (_, i) => entry(T, { i, pad: 'y'.repeat(20) })));
    c.send(pack(['app.full', blob, { chunk: 'never' }]));
    await c.closed;
    expect(c.received).toBe(0);
    expect(store.stats().pendingRecords).toBe(1) // the prefill only;
    expect(logs.some((l) => l.level === 'error' && /without ack/.test(l.msg))).toBe(true);
  });

  it('malformed data closes that connection, logs the peer, and the server keeps serving others', async () => {
    const { store, input, logs } = await setup();
    const good = client(input.port);
    const bad = client(input.port);
    bad.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await bad.closed;
    const bad2 = client(input.port);
    bad2.send(pack(['app.x', 'not-a-time', { a: 1 }])); // a str second element = PackedForward of garbage
    await bad2.closed;
    const bad3 = client(input.port);
    bad3.send(Buffer.from([0xc1]));
    await bad3.closed;
    const bad4 = client(input.port); // declares a 100 MB PackedForward payload: refused before it is buffered
    const hdr = Buffer.alloc(5);
    hdr[0] = 0xc6;
    hdr.writeUInt32BE(100 * 1024 * 1024, 1);
    bad4.send(Buffer.concat([Buffer.from([0x93]), pack('app.huge'), hdr, Buffer.alloc(1000)]));
    await bad4.closed;
    const warnings = logs.filter((l) => l.level === 'warn' && /malformed/.test(l.msg));
    expect(warnings).toHaveLength(4);
    expect(String(warnings[3]?.fields?.['error'])).toMatch(/larger than/);
    expect(String(warnings[0]?.fields?.['peer'])).toMatch(/^127\.0\.0\.1:\d+$/);
    good.send(pack(['app.ok', T, { fine: true }, { chunk: 'ok' }]));
    expect(await good.next()).toEqual({ ack: 'ok' });
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('frames before a malformed one in the same burst are still committed and acked', async () => {
    const { store, input } = await setup();
    const c = client(input.port);
    c.send(Buffer.concat([pack(['app.mix', T, { ok: 1 }, { chunk: 'm1' }]), pack([42, 'oops'])]));
    expect(await c.next()).toEqual({ ack: 'm1' });
    await c.closed;
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('a connection without data (TCP heartbeat) is accepted and answered with nothing', async () => {
    const { input } = await setup();
    const c = client(input.port);
    await new Promise<void>((r) => c.socket.once('connect', () => r()));
    await expect(c.next(200)).rejects.toThrow('no reply');
  });

  it('answers a UDP heartbeat on the same port with one zero byte', async () => {
    const { input } = await setup();
    const udp = createSocket('udp4');
    cleanups.push(() => new Promise<void>((r) => udp.close(() => r())));
    const reply = new Promise<Buffer>((resolve) => udp.once('message', (m) => resolve(m)));
    udp.send(Buffer.alloc(0), input.port, '127.0.0.1');
    expect([...(await reply)]).toEqual([0]);
  });

  it('stop() gives up a write blocked on a full buffer (overflow_action block) without acking', async () => {
    const { store, input } = await setup({ limits: { totalLimitSize: 200, overflowAction: 'block' } });
    const c = client(input.port);
    const blob = Buffer.concat(Array.from({ length: 100 }, (_, i) => entry(T, { i, pad: 'y'.repeat(20) })));
    c.send(pack(['app.block', blob, { chunk: 'blocked' }]));
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received).toBe(0);
    const t0 = Date.now();
    await input.stop();
    expect(Date.now() - t0).toBeLessThan(3000);
    await c.closed;
    expect(c.received).toBe(0);
    expect(store.stats().pendingRecords).toBe(1) // the prefill only;
  });
});

describe('forward input with shared_key', () => {
  const sha512 = (...parts: (string | Buffer)[]) => {
    const h = createHash('sha512');
    for (const p of parts) h.update(p);
    return h.digest('hex');
  };

  async function handshake(port: number, key: string) {
    const c = client(port);
    const helo = (await c.next()) as [string, { nonce: Buffer; auth: unknown; keepalive: boolean }];
    expect(helo[0]).toBe('HELO');
    expect(helo[1].keepalive).toBe(true);
    const nonce = Buffer.from(helo[1].nonce);
    expect(nonce.length).toBe(16);
    const salt = 'salt-1234567890a';
    c.send(pack(['PING', 'client.local', salt, sha512(salt, 'client.local', nonce, key), '', '']));
    const pong = (await c.next()) as [string, boolean, string, string, string];
    return { c, pong, salt, nonce };
  }

  it('HELO/PING/PONG with the right key, then events are accepted', async () => {
    const { store, input } = await setup({ sharedKey: 's3cret' });
    const { c, pong, salt, nonce } = await handshake(input.port, 's3cret');
    expect(pong).toEqual(['PONG', true, '', 'tdfwd.test', sha512(salt, 'tdfwd.test', nonce, 's3cret')]);
    c.send(pack(['app.sec', T, { ok: 1 }, { chunk: 's1' }]));
    expect(await c.next()).toEqual({ ack: 's1' });
    expect(store.stats().pendingRecords).toBe(1);
  });

  it('a wrong key gets PONG false and the connection is closed', async () => {
    const { store, input, logs } = await setup({ sharedKey: 's3cret' });
    const { c, pong } = await handshake(input.port, 'wrong');
    expect(pong.slice(0, 2)).toEqual(['PONG', false]);
    expect(pong[2]).toMatch(/shared_key mismatch/);
    c.send(pack(['app.sec', T, { ok: 1 }, { chunk: 's1' }]));
    await c.closed;
    expect(store.stats().pendingRecords).toBe(0);
    expect(logs.some((l) => l.level === 'warn' && /shared_key/.test(l.msg))).toBe(true);
  });

  it('events before the PING are refused', async () => {
    const { store, input } = await setup({ sharedKey: 's3cret' });
    const c = client(input.port);
    expect(((await c.next()) as unknown[])[0]).toBe('HELO');
    c.send(pack(['app.sec', T, { ok: 1 }, { chunk: 's1' }]));
    await c.closed;
    expect(store.stats().pendingRecords).toBe(0);
  });
});
