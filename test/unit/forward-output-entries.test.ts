// A chunk's records → PackedForward entries, read back by the forward input's own decoder; and the
// weighted / standby choice of a server.
import { describe, expect, it } from 'vitest';
import { referenceRecords } from '../helpers/forward-decode.js';
import { encodeRecords, packOne } from '../../src/codec/msgpack.js';

/** The records the forward input reads from a PackedForward frame of these entries. */
const readBack = (entries: Buffer): unknown[] => referenceRecords(packOne(['t', entries]), 0).map((r) => r.record);
import { chooseServer } from '../../src/outputs/forward/choose.js';
import { packEntries, recordTime } from '../../src/outputs/forward/entries.js';
import { seededRandom } from '../helpers/fake-clock.js';

describe('packEntries', () => {
  it('re-frames each record as [time, record]; the forward input reads back the same records and times', () => {
    const records = [
      { time: 1_700_000_000, message: 'a' },
      { level: 'warn', time: 1_700_000_001, nested: { time: 5 } },
      { time: 4_300_000_000, big: true }, // past uint32
    ];
    const { bytes, count } = packEntries(encodeRecords(records), 99, records.length);
    expect(count).toBe(3);
    expect(readBack(bytes)).toEqual(records);
  });

  it('a record without a numeric time gets the fallback time (its own value kept as _time by the input)', () => {
    const records = [{ message: 'no time' }, { time: 'yesterday', message: 'string time' }];
    expect(readBack(packEntries(encodeRecords(records), 1_650_000_000).bytes)).toEqual([
      { message: 'no time', time: 1_650_000_000 },
      { time: 1_650_000_000, _time: 'yesterday', message: 'string time' },
    ]);
  });

  it('finds time in a map16 record after many keys, and grows its buffer past the size hint', () => {
    const rec: Record<string, unknown> = {};
    for (let i = 0; i < 20; i++) rec[`k${i}`] = 'x'.repeat(i);
    rec.time = 1_700_000_123;
    const raw = packOne(rec);
    expect(raw[0]).toBe(0xde);
    expect(recordTime(raw, 0, raw.length)).toBe(1_700_000_123);
    const many = encodeRecords(Array.from({ length: 500 }, () => rec));
    const { count } = packEntries(many, 0, 1);
    expect(count).toBe(500);
  });

  it('bytes that end inside a value are an error, not a short frame', () => {
    const raw = encodeRecords([{ time: 1, message: 'abc' }]);
    expect(() => packEntries(raw.subarray(0, raw.length - 2), 0)).toThrow(/end in the middle of a value/);
  });
});

describe('chooseServer', () => {
  const s = (weight: number, standby = false) => ({ cfg: { weight, standby } });

  it('picks by weight among non-standby servers', () => {
    const a = s(75);
    const b = s(25);
    const c = s(100, true);
    const random = seededRandom(7);
    const counts = new Map<unknown, number>();
    for (let i = 0; i < 4000; i++) {
      const pick = chooseServer([a, b, c], random);
      counts.set(pick, (counts.get(pick) ?? 0) + 1);
    }
    expect(counts.get(c)).toBeUndefined();
    expect((counts.get(a) ?? 0) / 4000).toBeGreaterThan(0.7);
    expect((counts.get(a) ?? 0) / 4000).toBeLessThan(0.8);
  });

  it('standby servers only when no non-standby server is offered; none offered: null', () => {
    const st = s(10, true);
    expect(chooseServer([st], Math.random)).toBe(st);
    expect(chooseServer([], Math.random)).toBeNull();
  });
});
