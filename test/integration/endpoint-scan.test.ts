// The allocation-free msgpack scanner must agree with msgpackr (the decoder the store path uses) on
// every body: which are accepted, and how many records they hold.
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { checkTime, decodeMsgpack } from '../../src/endpoint/decode.js';
import { scanRecords } from '../../src/endpoint/msgpack-scan.js';

const packr = new Packr({ useRecords: false, variableMapSize: true });
const pack = (vs: unknown[]) => Buffer.concat(vs.map((v) => packr.pack(v)));

function viaDecoder(raw: Buffer) {
  const r = decodeMsgpack(raw, checkTime);
  return r.ok ? { ok: true, count: r.count } : { ok: false };
}
function viaScanner(raw: Buffer) {
  const r = scanRecords(raw);
  return r.ok ? { ok: true, count: r.count } : { ok: false };
}

const rich = [
  { time: 1700000000, s: 'x'.repeat(40), long: 'y'.repeat(300), huge: 'z'.repeat(70000) },
  { time: 0, neg: -1, neg8: -100, neg16: -30000, neg32: -2_000_000_000, u8: 200, u16: 60000, u32: 4_000_000_000, big: 2 ** 60 },
  { time: -5, nested: { a: [1, 2, { b: [null, true, false] }], c: {} }, arr: Array.from({ length: 20 }, (_, i) => i) },
  { time: 1700000001, bin: Buffer.alloc(300, 7), small: Buffer.from([1, 2]), f: 1.5, f32: Math.fround(0.25) },
  { nested: { time: 1 }, time: 17 },
  { time: 1.0e9 },
];

describe('scanRecords', () => {
  it('accepts what msgpackr accepts and counts the same', () => {
    const raw = pack(rich);
    expect(viaScanner(raw)).toEqual({ ok: true, count: rich.length });
    expect(viaDecoder(raw)).toEqual({ ok: true, count: rich.length });
    expect(viaScanner(Buffer.alloc(0))).toEqual({ ok: true, count: 0 });
  });

  it('rejects records without an integer time, and non-maps', () => {
    for (const bad of [[{ t: 1 }], [{ time: 1.5 }], [{ time: '1' }], [{ time: null }], [{ nested: { time: 1 } }], [1], ['x'], [[{ time: 1 }]]]) {
      const raw = pack([{ time: 1 }, ...bad]);
      expect(viaScanner(raw), JSON.stringify(bad)).toEqual({ ok: false });
      expect(viaDecoder(raw), JSON.stringify(bad)).toEqual({ ok: false });
    }
  });

  it('agrees with msgpackr on every truncation of a body', () => {
    const raw = pack(rich.slice(0, 4).map((r) => ({ ...r, huge: undefined })));
    for (let cut = 1; cut < raw.length; cut++) {
      const part = raw.subarray(0, cut);
      expect(viaScanner(part), `cut at ${cut}`).toEqual(viaDecoder(part));
    }
  });

  it('finds time written as str8, and rejects a reserved byte', () => {
    const str8Time = Buffer.from([0x81, 0xd9, 0x04, 0x74, 0x69, 0x6d, 0x65, 0x05]);
    expect(scanRecords(str8Time)).toEqual({ ok: true, count: 1 });
    const reserved = Buffer.from([0x82, 0xa4, 0x74, 0x69, 0x6d, 0x65, 0x05, 0xa1, 0x61, 0xc1]);
    expect(scanRecords(reserved).ok).toBe(false);
  });
});
