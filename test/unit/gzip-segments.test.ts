// Sealed payloads assembled from separately compressed parts: the gzip must read back, with any gunzip,
// as exactly the concatenation of the parts' records (CRC and length checked by zlib itself).
import { crc32, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine } from '../../src/codec/crc32-combine.js';
import { deflateSegment, gzipStoredParts, partRecords } from '../../src/codec/gzip-segments.js';
import type { StoredPart } from '../../src/core/sink.js';

/** Deterministic bytes: log-like text with some noise, so deflate has work of both kinds. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    b[i] = i % 7 === 0 ? x & 0xff : 97 + (i % 23);
  }
  return b;
}

function pull(parts: StoredPart[]): () => StoredPart | null {
  let i = 0;
  return () => parts[i++] ?? null;
}

describe('crc32Combine', () => {
  it('gives the CRC of A‖B from the CRCs of A and B, for lengths from 0 to several MiB', () => {
    for (const [la, lb] of [[0, 0], [0, 5], [5, 0], [1, 1], [100, 3], [65_536, 1], [3, 1_000_003], [4 << 20, 777]]) {
      const a = bytes(la as number, 1);
      const b = bytes(lb as number, 2);
      expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
    }
  });
});

describe('gzipStoredParts', () => {
  it('wraps deflate segments and raw parts, in order, into one gzip member', async () => {
    const raws = [bytes(10, 1), bytes(300_000, 2), bytes(1, 3), bytes(70_000, 4), bytes(2_100_000, 5)];
    // Alternate: segments made where they were encoded, raw parts compressed at seal.
    const parts: StoredPart[] = await Promise.all(raws.map((r, i) => (i % 2 === 0 ? deflateSegment(r) : { data: r })));
    const payload = await gzipStoredParts(pull(parts));
    const out = gunzipSync(payload); // zlib checks the trailer's CRC-32 and length
    expect(out.equals(Buffer.concat(raws))).toBe(true);
    expect(payload.length).toBeLessThan(out.length);
  });

  it('seals a chunk without parts as an empty gzip', async () => {
    expect(gunzipSync(await gzipStoredParts(pull([]))).length).toBe(0);
  });

  it('partRecords reads a segment back to its records and a raw part as it is', async () => {
    const r = bytes(123_456, 9);
    const seg = await deflateSegment(r);
    expect(seg.deflated).toEqual({ rawBytes: r.length, crc: crc32(r) });
    expect(partRecords(seg).equals(r)).toBe(true);
    expect(partRecords({ data: r })).toBe(r);
  });
});

describe('deflateSegment on reused streams', () => {
  it('each segment stands alone: the same bytes again, from a stream used before, inflate on their own', async () => {
    const r = bytes(400_000, 11);
    const first = await deflateSegment(r);
    // Sequential: the second comes from the first's stream, after its reset. Without the reset it would
    // refer back into the first segment's bytes (it is the same text) and not inflate alone.
    for (let i = 0; i < 3; i++) {
      const again = await deflateSegment(r);
      expect(partRecords(again).equals(r)).toBe(true);
      expect(again.data.equals(first.data)).toBe(true);
    }
  });

  it('many at once, of every size, each inflate to their own bytes and seal into one valid gzip', async () => {
    const raws = Array.from({ length: 24 }, (_, i) => bytes([0, 1, 100, 65_535, 65_536, 300_000, 1_100_000][i % 7] as number, 100 + i));
    for (let round = 0; round < 2; round++) {
      const segs = await Promise.all(raws.map((r) => deflateSegment(r)));
      segs.forEach((seg, i) => expect(partRecords(seg).equals(raws[i] as Buffer)).toBe(true));
      expect(gunzipSync(await gzipStoredParts(pull(segs))).equals(Buffer.concat(raws))).toBe(true);
    }
  });
});
