// The forward encoder's fast path against its decoding path: a record copied byte for byte with
// `time` appended must decode to exactly what decoding it and setting `time` gives, and when the
// client encoded it as tdfwd's own msgpack would, be the same bytes. Records it cannot copy say so (-1).
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeOne, packOne } from '../../src/codec/msgpack.js';
import { copyRecordWithTime, ENTRY_COPY_OVERHEAD } from '../../src/codec/forward-entry-copy.js';
import { eventRecord } from '../../src/codec/forward-frame.js';

const canonical = new Packr({ useRecords: false, variableMapSize: true });
const T = 1_700_000_123;

function copy(bytes: Buffer, time = T): Buffer | null {
  const out = Buffer.alloc(5 + bytes.length + ENTRY_COPY_OVERHEAD + 5);
  out.fill(0xee);
  const end = copyRecordWithTime(bytes, 0, bytes.length, time, out, 5);
  if (end < 0) return null;
  expect(out.subarray(0, 5).every((b) => b === 0xee)).toBe(true); // nothing written before pos
  expect(end - 5).toBeLessThanOrEqual(bytes.length + ENTRY_COPY_OVERHEAD);
  return out.subarray(5, end);
}

/** The decoding path: decode, set time, encode. */
const slow = (bytes: Buffer, time = T): Buffer => packOne(eventRecord(time, decodeOne(bytes)));

describe('copyRecordWithTime', () => {
  const records: Record<string, unknown>[] = [
    {},
    { message: 'hello' },
    { host: '10.0.0.1', method: 'GET', path: '/api', code: 200, size: 1234, agent: 'Mozilla/5.0', seq: 7, request_id: 'req-00000001' },
    { nested: { a: [1, 2, { b: 'c' }], d: null, e: true, f: false }, neg: -5, big: 2 ** 40, float: 1.5, unicode: 'héllo ✓ 😀' },
    { bin: Buffer.from([0, 1, 2, 255]), long: 'x'.repeat(70_000), mid: 'y'.repeat(300) },
    Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`k${i}`, i])), // 15 keys + time = map16
    Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, `v${i}`])),
  ];

  it('copies tdfwd-encoded records to exactly the bytes of the decoding path', () => {
    for (const r of records) {
      const bytes = canonical.pack(r);
      const fast = copy(bytes);
      expect(fast, JSON.stringify(Object.keys(r))).not.toBeNull();
      expect(Buffer.compare(fast as Buffer, slow(bytes))).toBe(0);
    }
  });

  it('writes every time that fits 32 bits as msgpackr does', () => {
    const bytes = canonical.pack({ a: 1 });
    for (const t of [1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1]) {
      expect(Buffer.compare(copy(bytes, t) as Buffer, slow(bytes, t))).toBe(0);
    }
  });

  it('passes other encodings through unchanged: the record decodes the same', () => {
    // str8 for a short string and a float32: valid msgpack that msgpackr would write differently.
    const bytes = Buffer.from([0x82, 0xd9, 0x01, 0x61, 0xa1, 0x62, 0xa1, 0x66, 0xca, 0x3f, 0xc0, 0x00, 0x00]);
    const fast = copy(bytes) as Buffer;
    expect(fast).not.toBeNull();
    expect(decodeOne(fast)).toEqual(decodeOne(slow(bytes)));
    expect(decodeOne(fast)).toEqual({ a: 'b', f: 1.5, time: T });
  });

  it('a record with its own time: time in its place set to the event time, the own value moved to _time (last)', () => {
    const own: Record<string, unknown>[] = [
      { time: '2026-12-02T10:00:00Z', host: 'web-1' },
      { host: 'web-1', time: 5, msg: 'x' },
      { a: 1, time: 1.5 },
      { time: { nested: [1, 2], deep: { time: 'inner' } }, z: null },
      { time: null },
      { time: 'x'.repeat(300) },
      { time: T, _time: 'an own _time, kept: the own time is the event time' },
      { _time: 'no own time: _time is just a key' },
      Object.fromEntries([...Array.from({ length: 14 }, (_, i) => [`k${i}`, i]), ['time', 'fifteen keys, sixteen with _time']]),
      Object.fromEntries([...Array.from({ length: 15 }, (_, i) => [`k${i}`, i]), ['time', T]]),
    ];
    for (const r of own) {
      const bytes = canonical.pack(r);
      const fast = copy(bytes);
      expect(fast, JSON.stringify(r).slice(0, 80)).not.toBeNull();
      expect((fast as Buffer).toString('hex')).toBe(slow(bytes).toString('hex'));
    }
    expect(decodeOne(copy(canonical.pack({ time: 'iso', host: 'h' })) as Buffer)).toEqual({ time: T, host: 'h', _time: 'iso' });
    expect(Object.keys(decodeOne(copy(canonical.pack({ time: 'iso', host: 'h' })) as Buffer) as object)).toEqual(['time', 'host', '_time']);
  });

  it('an own time equal to the event time, however the client encoded it, is not moved', () => {
    const t = 100;
    const encodings = [
      [0x64], [0xcc, 100], [0xcd, 0, 100], [0xce, 0, 0, 0, 100], [0xcf, 0, 0, 0, 0, 0, 0, 0, 100],
      [0xd0, 100], [0xd1, 0, 100], [0xd2, 0, 0, 0, 100], [0xd3, 0, 0, 0, 0, 0, 0, 0, 100],
      [0xca, 0x42, 0xc8, 0, 0], [0xcb, 0x40, 0x59, 0, 0, 0, 0, 0, 0],
    ];
    for (const e of encodings) {
      const bytes = Buffer.from([0x82, 0xa1, 0x61, 0x01, 0xa4, 0x74, 0x69, 0x6d, 0x65, ...e]);
      expect(decodeOne(copy(bytes, t) as Buffer), e.join(' ')).toEqual(decodeOne(slow(bytes, t)));
      expect(decodeOne(copy(bytes, t) as Buffer)).toEqual({ a: 1, time: t });
    }
    const other = Buffer.from([0x81, 0xa4, 0x74, 0x69, 0x6d, 0x65, 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x9c]); // -100
    expect(decodeOne(copy(other, t) as Buffer)).toEqual({ time: t, _time: -100 });
    expect(decodeOne(copy(other, t) as Buffer)).toEqual(decodeOne(slow(other, t)));
  });

  it('leaves to the decoding path what it cannot copy faithfully', () => {
    const refused: [string, Buffer, number?][] = [
      ['an own time and an own _time (the decoding path overwrites _time in place)', canonical.pack({ _time: 'u', a: 1, time: 5 })],
      ['a repeated time key', Buffer.from([0x82, 0xa4, 0x74, 0x69, 0x6d, 0x65, 0x01, 0xa4, 0x74, 0x69, 0x6d, 0x65, 0x02])],
      ['a record that is not a map', canonical.pack('just a string')],
      ['nil', canonical.pack(null)],
      ['an integer key', Buffer.from([0x81, 0x01, 0x02])],
      ['an ext value', Buffer.from([0x81, 0xa1, 0x61, 0xd4, 0x01, 0x02])],
      ['an ext nested deep', Buffer.from([0x81, 0xa1, 0x61, 0x91, 0x81, 0xa1, 0x62, 0xd6, 0x00, 1, 2, 3, 4])],
      ['a negative time', canonical.pack({ a: 1 }), -1],
      ['a time past 32 bits', canonical.pack({ a: 1 }), 2 ** 32],
      ['nesting past the limit', canonical.pack({ a: JSON.parse('['.repeat(40) + ']'.repeat(40)) })],
      ['a value running past the end', Buffer.from([0x81, 0xa1, 0x61, 0xa5, 0x62])],
      ['a map with fewer pairs than its header says', Buffer.from([0x82, 0xa1, 0x61, 0x01])],
    ];
    for (const [why, bytes, time] of refused) expect(copy(bytes, time ?? T), why).toBeNull();
  });

  it('matches the decoding path on a few thousand random records', () => {
    let x = 12345;
    const rnd = (n: number): number => {
      x = (x ^ (x << 13)) >>> 0;
      x = (x ^ (x >>> 17)) >>> 0;
      x = (x ^ (x << 5)) >>> 0;
      return x % n;
    };
    const value = (depth: number): unknown => {
      switch (rnd(depth > 2 ? 6 : 8)) {
        case 0: return rnd(2) === 0 ? rnd(300) - 100 : rnd(2 ** 31) * (rnd(2) ? 3 : -1);
        case 1: return rnd(1000) / 7;
        case 2: return 'ab✓'.repeat(rnd(20));
        case 3: return null;
        case 4: return rnd(2) === 0;
        case 5: return 's'.repeat(rnd(300));
        case 6: return Array.from({ length: rnd(5) }, () => value(depth + 1));
        default: return Object.fromEntries(Array.from({ length: rnd(5) }, (_, i) => [`n${i}`, value(depth + 1)]));
      }
    };
    let copied = 0;
    for (let i = 0; i < 3000; i++) {
      const rec: Record<string, unknown> = Object.fromEntries(Array.from({ length: rnd(20) }, (_, k) => [`key${k}${'é'.repeat(rnd(2))}`, value(0)]));
      if (rnd(4) === 0) rec.time = rnd(4) === 0 ? T : value(0);
      const bytes = canonical.pack(rec);
      const fast = copy(bytes);
      if (fast === null) continue;
      copied++;
      expect(Buffer.compare(fast, slow(bytes))).toBe(0);
    }
    expect(copied).toBe(3000);
  });
});
