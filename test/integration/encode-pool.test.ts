// The daemon's line encoder on its real worker thread (run from dist/: `npm test` builds first):
// answers in order, parts within the limits, the same truncation and parse-error counts as the
// in-thread splitter, parts compressed, memory handed back, and close() rejecting what was not answered.
import { afterEach, describe, expect, it } from 'vitest';
import { EncodePool } from '../../src/ingest/encode-pool.js';
import { decodeRecords } from '../../src/codec/msgpack.js';
import { partRecords } from '../../src/codec/gzip-segments.js';
import type { EncodeResult } from '../../src/core/line-encoder.js';

let pool: EncodePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

const recordsOf = (r: EncodeResult): Record<string, unknown>[] => r.parts.flatMap((p) => decodeRecords(partRecords(p)) as Record<string, unknown>[]);

/** A block with its own ArrayBuffer (as the tail input reads them), so it is handed over, not copied. */
function ownBlock(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Math.max(Buffer.byteLength(text), Buffer.poolSize + 1));
  const n = b.write(text);
  return b.subarray(0, n);
}

describe('EncodePool', () => {
  it('answers jobs in order, with parts cut at the limits', async () => {
    pool = new EncodePool({ partBytes: 2048, partRecords: 30 });
    const jobs = Array.from({ length: 12 }, (_, j) => {
      const text = Array.from({ length: 100 }, (_, i) => JSON.stringify({ j, i, pad: 'x'.repeat(j * 10) })).join('\n') + '\n';
      return pool!.encodeLines({ tag: `t.${j}`, format: 'json', maxLineBytes: 1 << 20, block: ownBlock(text), nowSec: 1 });
    });
    const results = await Promise.all(jobs);
    results.forEach((r, j) => {
      expect(r.lines).toBe(100);
      expect(r.parts.every((p) => p.tag === `t.${j}` && p.records <= 30)).toBe(true);
      expect(r.parts.every((p) => p.data.length < 2048 + 200)).toBe(true);
      expect(recordsOf(r).map((x) => x.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(r.spare).toBeDefined(); // the block's memory came back
      // Parts leave the worker compressed: deflate segments of their records.
      expect(r.parts.every((p) => p.deflated !== undefined && p.deflated.rawBytes > p.data.length)).toBe(true);
    });
    expect(pool.pending).toBe(0);
  });

  it('counts truncated lines and parse errors as the tail input does; a lead line goes first', async () => {
    pool = new EncodePool({ partBytes: 1 << 20, partRecords: 1000 });
    const block = Buffer.from(`{"a":1}\n${'y'.repeat(5000)}\r\nnot json\n\n{"a":2}\r\n`); // pooled: copied, not handed over
    const r = await pool.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1000, lead: '{"a":0}', block, nowSec: 7 });
    expect(r.lines).toBe(5);
    expect(r.truncatedLines).toBe(1);
    expect(r.parseErrors).toBe(2);
    expect(r.spare).toBeUndefined();
    expect(block.length).toBeGreaterThan(0); // the caller's buffer was not detached
    const got = recordsOf(r);
    expect(got.map((x) => x.a ?? String(x.message).length)).toEqual([0, 1, 1000, 8, 2]);
  });

  it('close() rejects the jobs not answered; later jobs are refused', async () => {
    pool = new EncodePool({ partBytes: 1 << 20, partRecords: 100_000 });
    const big = ownBlock(Array.from({ length: 50_000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    const jobs = Array.from({ length: 6 }, () => pool!.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1 << 20, block: Buffer.from(big), nowSec: 1 }));
    const settled = Promise.allSettled(jobs);
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.some((o) => o.status === 'rejected')).toBe(true);
    await expect(pool.encodeLines({ tag: 'x', format: 'none', maxLineBytes: 10, block: Buffer.from('a\n'), nowSec: 1 })).rejects.toThrow(/closed/);
  });
});
