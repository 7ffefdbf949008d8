import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/buffer/migrations.js';
import { deflateSegment } from '../../src/codec/gzip-segments.js';
import { decodeRecords, encodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';
import { BufferFullError } from '../../src/core/errors.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
const ev = (tag: string, i: number) => ({ tag, record: { time: 1700000000 + i, n: i, message: `line ${i}` } });

describe('ChunkStore', () => {
  it('creates buffer.db owner-only and survives reopen with the same chunk keys', async () => {
    const d = dir();
    const s = openStore(d);
    const w = new BufferWriter(s);
    await w.write([ev('td.db.t', 1), ev('td.db.t', 2), ev('td.db.u', 3)]);
    const keys = s.listChunks(null).map((c) => c.key).sort();
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    await s.close();
    expect(statSync(join(d, 'buffer.db')).mode & 0o777).toBe(0o600);
    const s2 = openStore(d);
    expect(s2.listChunks(null).map((c) => c.key).sort()).toEqual(keys);
    expect(s2.stats().pendingRecords).toBe(3);
    await s2.close();
  });

  it('seals by size and by record count, and the payload decodes to the records in order', async () => {
    const s = openStore(dir(), { chunkLimitRecords: 10 });
    const w = new BufferWriter(s);
    const events = Array.from({ length: 25 }, (_, i) => ev('td.a.b', i));
    for (const e of events) await w.write([e]);
    await s.drainSeals();
    const st = s.stats();
    expect(st.chunks.queued).toBe(2);
    expect(st.chunks.open).toBe(1);
    await s.sealOpen();
    s.reclaimLeases();
    const leased = s.lease(10, ['td.a.b'], 60_000);
    expect(leased.map((c) => c.records)).toEqual([10, 10, 5]);
    const all = [];
    for (const c of leased) all.push(...decodeRecords(await gunzipPayload(c.payload)));
    expect(all.map((r: any) => r.n)).toEqual(events.map((e) => e.record.n));
    await s.close();
  });

  it('part limits follow the chunk limits when a reload changes them', async () => {
    const s = openStore(dir(), { chunkLimitRecords: 400, chunkLimitSize: 4 * 1024 * 1024 });
    const w = new BufferWriter(s);
    expect(w.partLimits).toEqual({ bytes: 1024 * 1024, records: 100 });
    s.setLimits({ chunkLimitRecords: 40, chunkLimitSize: 64 * 1024 }); // what the daemon's reload does
    expect(w.partLimits).toEqual({ bytes: 16 * 1024, records: 10 });
    await w.write(Array.from({ length: 45 }, (_, i) => ev('td.a.b', i)));
    await s.drainSeals();
    // parts of 10: a chunk sealed at 40 records, 5 still open (one part of 45 would have made one chunk of 45)
    expect(s.stats().chunks).toMatchObject({ queued: 1, open: 1 });
    await s.close();
  });

  it('leases each chunk to one owner; ack deletes, release keeps the key and marks in doubt', async () => {
    const d = dir();
    const a = openStore(d);
    const b = openStore(d);
    await new BufferWriter(a).write([ev('t.x', 1)]);
    await a.sealOpen();
    const la = a.lease(5, ['t.x'], 60_000);
    const lb = b.lease(5, ['t.x'], 60_000);
    expect(la).toHaveLength(1);
    expect(lb).toHaveLength(0);
    const key = la[0]!.key;
    expect(b.ack(la[0]!.id)).toBe(false); // not b's lease
    expect(a.release(la[0]!.id, 'timeout', true)).toBe(true);
    const again = b.lease(5, ['t.x'], 60_000);
    expect(again[0]!.key).toBe(key);
    expect(again[0]!.attempts).toBe(2);
    expect(again[0]!.inDoubtSince).not.toBeNull();
    expect(b.ack(again[0]!.id)).toBe(true);
    expect(b.stats().pendingRecords).toBe(0);
    await a.close();
    await b.close();
  });

  it('reclaims an expired lease as in doubt', async () => {
    let now = 1_000_000;
    const d = dir();
    const a = openStore(d, {}, () => now);
    const b = openStore(d, {}, () => now);
    await new BufferWriter(a).write([ev('t.x', 1)]);
    await a.sealOpen();
    expect(a.lease(1, ['t.x'], 1000)).toHaveLength(1);
    expect(b.reclaimLeases()).toBe(0);
    now += 2000;
    expect(b.reclaimLeases()).toBe(1);
    const [c] = b.lease(1, ['t.x'], 1000);
    expect(c!.inDoubtSince).toBe(1_000_000);
    await a.close();
    await b.close();
  });

  it('parks with a reason, unparks with the same key', async () => {
    const s = openStore(dir());
    await new BufferWriter(s).write([ev('t.x', 1)]);
    await s.sealOpen();
    const [c] = s.lease(1, ['t.x'], 60_000);
    expect(s.park(c!.id, 'HTTP 400: bad table')).toBe(true);
    expect(s.stats().chunks.parked).toBe(1);
    expect(s.stats().parkedRecords).toBe(1);
    expect(s.listChunks('parked')[0]!.park_reason).toBe('HTTP 400: bad table');
    expect(s.unparkAll()).toBe(1);
    expect(s.lease(1, ['t.x'], 60_000)[0]!.key).toBe(c!.key);
    await s.close();
  });

  it('applies the overflow actions at total_limit_size', async () => {
    // Incompressible: a sealed chunk stays about as large as its parts, whenever the seal runs.
    const big = (i: number) => ({ tag: 't.x', record: { time: 1, n: i, pad: randomBytes(750).toString('base64') } });
    const s1 = openStore(dir(), { totalLimitSize: 5000, overflowAction: 'throw_exception' });
    const w1 = new BufferWriter(s1);
    await w1.write([big(1), big(2), big(3), big(4)]);
    await expect(w1.write([big(5), big(6)])).rejects.toBeInstanceOf(BufferFullError);
    expect(s1.stats().pendingRecords).toBe(4);
    await s1.close();

    const s2 = openStore(dir(), { totalLimitSize: 5000, overflowAction: 'block' });
    // An empty buffer takes any one write (refusing it could only deadlock); a non-empty one blocks.
    expect(s2.append([{ tag: 't.x', records: 6, data: Buffer.alloc(6000) }])).toEqual({ ok: true });
    expect(s2.append([{ tag: 't.x', records: 1, data: Buffer.alloc(10) }])).toEqual({
      ok: false,
      full: 'buffer',
      message: 'the buffer is full (6000 of total_limit_size 5000 bytes); waiting for delivery to make room',
    });
    expect(s2.stats().pendingRecords).toBe(6); // the refused append committed nothing
    const ac = new AbortController();
    const pending = new BufferWriter(s2).write([big(1), big(2), big(3), big(4), big(5), big(6)], [], ac.signal);
    setTimeout(() => ac.abort(), 200);
    await expect(pending).rejects.toThrow(/full/);
    await s2.close();

    const s3 = openStore(dir(), { totalLimitSize: 5000, overflowAction: 'drop_oldest_chunk', chunkLimitRecords: 2 });
    const w3 = new BufferWriter(s3);
    for (let i = 0; i < 8; i++) await w3.write([big(i)]);
    await s3.drainSeals();
    expect(s3.counters().dropped_chunks).toBeGreaterThan(0);
    expect(s3.stats().storedBytes).toBeLessThanOrEqual(5000);
    await s3.close();
  });

  it('commits positions with the records in one transaction', async () => {
    const s = openStore(dir());
    await new BufferWriter(s).write([ev('t.x', 1)], [{ source: 'tail:/x.log', inode: '42', offset: 100 }]);
    expect(s.getPosition('tail:/x.log')).toEqual({ source: 'tail:/x.log', inode: '42', offset: 100, headLen: null, headCrc: null });
    // with the file's fingerprint (tail), kept with the offset
    await new BufferWriter(s).write([ev('t.x', 2)], [{ source: 'tail:/x.log', inode: '42', offset: 200, head: { len: 200, crc: 12345 } }]);
    expect(s.getPosition('tail:/x.log')).toEqual({ source: 'tail:/x.log', inode: '42', offset: 200, headLen: 200, headCrc: 12345 });
    await s.close();
  });

  it('stores deflated parts as they come, counts their raw size against the chunk limit, and seals them with raw parts', async () => {
    const s = openStore(dir(), { chunkLimitSize: 64 * 1024 });
    const w = new BufferWriter(s);
    const recs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ n: from + i, message: `line ${from + i} ${'x'.repeat(100)}`, time: 1 }));
    const seg = async (from: number, n: number) => {
      const raw = encodeRecords(recs(from, n));
      return { tag: 't.z', records: n, ...(await deflateSegment(raw)) };
    };
    await w.writeParts([await seg(0, 100)]);
    await w.write(recs(100, 10).map((record) => ({ tag: 't.z', record }))); // a raw part in the same chunk
    const open = s.listChunks('open')[0]!;
    expect(open.raw_bytes).toBe(encodeRecords(recs(0, 110)).length);
    expect(open.stored_bytes).toBeLessThan(open.raw_bytes / 2); // the segment is stored compressed
    expect(decodeRecords(s.chunkData(open.id)!.data).map((r: any) => r.n)).toEqual(recs(0, 110).map((r) => r.n));
    // ~13 KiB of records per segment against a 64 KiB chunk: the chunk seals on raw bytes, not stored ones.
    for (let i = 1; i <= 5; i++) await w.writeParts([await seg(i * 1000, 100)]);
    await s.sealOpen();
    s.reclaimLeases();
    const leased = s.lease(10, ['t.z'], 60_000);
    expect(leased.length).toBeGreaterThanOrEqual(2);
    const all: any[] = [];
    for (const c of leased) all.push(...decodeRecords(await gunzipPayload(c.payload)));
    const want = [...recs(0, 110), ...[1, 2, 3, 4, 5].flatMap((i) => recs(i * 1000, 100))].map((r) => r.n);
    expect(all.map((r) => r.n)).toEqual(want);
    await s.close();
  });

  it('opens a buffer written before parts could be compressed (schema 2) and seals its parts', async () => {
    const d = dir();
    mkdirSync(d, { recursive: true });
    const old = new Database(join(d, 'buffer.db'));
    old.exec(MIGRATIONS[0] as string);
    old.exec(MIGRATIONS[1] as string);
    old.pragma('user_version = 2');
    const raw = encodeRecords([{ a: 1, time: 1 }, { a: 2, time: 2 }]);
    const id = Number(old.prepare(`INSERT INTO chunks (key, tag, state, records, raw_bytes, stored_bytes, created_at) VALUES (?, 't.old', 'open', 2, ?, ?, 1)`).run('a'.repeat(32), raw.length, raw.length).lastInsertRowid);
    old.prepare(`INSERT INTO chunk_parts (chunk_id, data) VALUES (?, ?)`).run(id, raw);
    old.close();
    const s = openStore(d);
    await new BufferWriter(s).writeParts([{ tag: 't.old', records: 1, ...(await deflateSegment(encodeRecords([{ a: 3, time: 3 }]))) }]);
    await s.sealOpen();
    s.reclaimLeases();
    const [c] = s.lease(1, ['t.old'], 60_000);
    expect(c!.key).toBe('a'.repeat(32));
    expect(decodeRecords(await gunzipPayload(c!.payload))).toEqual([{ a: 1, time: 1 }, { a: 2, time: 2 }, { a: 3, time: 3 }]);
    await s.close();
  });
});
