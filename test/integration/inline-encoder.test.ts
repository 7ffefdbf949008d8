// The daemon's line encoder (ingest/inline-encoder.ts): jobs of both kinds answered in the order given
// even when an earlier job's compression takes longer, parts within the limits and compressed into
// deflate segments that inflate to the records, the same truncation and parse-error counts as the
// line-by-line path, the block's memory handed back, a failing job rejected without holding up the
// others, and close() refusing later jobs while answering those given before.
import { afterEach, describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { InlineEncoder } from '../../src/ingest/inline-encoder.js';
import { decodeRecords } from '../../src/codec/msgpack.js';
import { partRecords } from '../../src/codec/gzip-segments.js';
import type { EncodedPart } from '../../src/core/sink.js';

let enc: InlineEncoder | null = null;
afterEach(async () => {
  await enc?.close();
  enc = null;
});

const recordsOf = (r: { parts: EncodedPart[] }): Record<string, unknown>[] =>
  r.parts.flatMap((p) => decodeRecords(partRecords(p)) as Record<string, unknown>[]);

/** A block with its own ArrayBuffer (as the tail input reads them), so its memory comes back. */
function ownBlock(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Math.max(Buffer.byteLength(text), Buffer.poolSize + 1));
  const n = b.write(text);
  return b.subarray(0, n);
}

const jsonLines = (n: number, f: (i: number) => object): string => Array.from({ length: n }, (_, i) => JSON.stringify(f(i))).join('\n') + '\n';

describe('InlineEncoder', () => {
  it('answers jobs in order, with parts cut at the limits and compressed', async () => {
    enc = new InlineEncoder({ bytes: 2048, records: 30 });
    const blocks = Array.from({ length: 12 }, (_, j) => ownBlock(jsonLines(100, (i) => ({ j, i, pad: 'x'.repeat(j * 10) }))));
    const jobs = blocks.map((block, j) => enc!.encodeLines({ tag: `t.${j}`, format: 'json', maxLineBytes: 1 << 20, block, nowSec: 1 }));
    const results = await Promise.all(jobs);
    results.forEach((r, j) => {
      expect(r.lines).toBe(100);
      expect(r.parts.every((p) => p.tag === `t.${j}` && p.records <= 30)).toBe(true);
      expect(r.parts.every((p) => p.deflated !== undefined && p.deflated.rawBytes <= 2048 + 200)).toBe(true);
      expect(recordsOf(r).map((x) => x.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      expect(r.spare?.buffer).toBe(blocks[j]?.buffer); // the block's memory came back
      // deflate segments of their records, smaller than the records
      expect(r.parts.every((p) => p.deflated !== undefined && p.deflated.rawBytes > p.data.length)).toBe(true);
    });
  });

  it('cuts parts at the limits current for each job (a reload may change the chunk limits)', async () => {
    const limits = { bytes: 1 << 20, records: 100 };
    enc = new InlineEncoder(() => limits);
    const block = () => ownBlock(jsonLines(300, (i) => ({ i })));
    const before = await enc.encodeLines({ tag: 't', format: 'json', maxLineBytes: 1 << 20, block: block(), nowSec: 1 });
    expect(before.parts.map((p) => p.records)).toEqual([100, 100, 100]);
    limits.records = 40;
    const after = await enc.encodeLines({ tag: 't', format: 'json', maxLineBytes: 1 << 20, block: block(), nowSec: 1 });
    expect(after.parts.map((p) => p.records)).toEqual([40, 40, 40, 40, 40, 40, 40, 20]);
    expect(recordsOf(after).map((x) => x.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('a long job given first is answered first, across both job kinds', async () => {
    enc = new InlineEncoder({ bytes: 1 << 20, records: 1_000_000 });
    const order: string[] = [];
    const big = ownBlock(jsonLines(60_000, (i) => ({ i, msg: `line ${i} ${'z'.repeat(i % 97)}` })));
    const entries = Buffer.concat([new Packr({ useRecords: false }).pack([5, { k: 'v' }])]);
    const a = enc.encodeLines({ tag: 'a', format: 'json', maxLineBytes: 1 << 20, block: big, nowSec: 1 }).then((r) => (order.push('lines'), r));
    const b = enc.encodeEntries({ tag: 'b', entries, nowSec: 9 }).then((r) => (order.push('entries'), r));
    const [ra, rb] = await Promise.all([a, b]);
    expect(order).toEqual(['lines', 'entries']);
    expect(ra.lines).toBe(60_000);
    expect(ra.parts.length).toBeGreaterThan(1); // cut at 1 MiB, each compressed on its own
    expect(recordsOf(ra).at(-1)).toMatchObject({ i: 59_999 });
    expect(rb.records).toBe(1);
    expect(recordsOf(rb)).toEqual([{ k: 'v', time: 5 }]);
  });

  it('counts truncated lines and parse errors as the tail input does; a lead line goes first', async () => {
    enc = new InlineEncoder({ bytes: 1 << 20, records: 1000 });
    const block = Buffer.from(`{"a":1}\n${'y'.repeat(5000)}\r\nnot json\n\n{"a":2}\r\n`); // pooled: its memory does not come back
    const r = await enc.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1000, lead: '{"a":0}', block, nowSec: 7 });
    expect(r.lines).toBe(5);
    expect(r.truncatedLines).toBe(1);
    expect(r.parseErrors).toBe(2);
    expect(r.spare).toBeUndefined();
    expect(recordsOf(r).map((x) => x.a ?? String(x.message).length)).toEqual([0, 1, 1000, 8, 2]);
  });

  it('malformed entries reject their job with a message; the jobs before and after are answered', async () => {
    enc = new InlineEncoder({ bytes: 1 << 20, records: 1000 });
    const packr = new Packr({ useRecords: false });
    const good = (k: number) => enc!.encodeEntries({ tag: 't', entries: packr.pack([1, { k }]), nowSec: 1 });
    const before = good(1);
    const bad = enc.encodeEntries({ tag: 't', entries: packr.pack([1]), nowSec: 1 });
    const after = good(2);
    expect(recordsOf(await before)).toEqual([{ k: 1, time: 1 }]);
    await expect(bad).rejects.toThrow(/encoding forward entries failed: an event entry must be an array/);
    expect(recordsOf(await after)).toEqual([{ k: 2, time: 1 }]);
  });

  it('close() answers the jobs given before it and refuses later ones', async () => {
    enc = new InlineEncoder({ bytes: 1 << 20, records: 100_000 });
    const big = jsonLines(50_000, (i) => ({ i }));
    const jobs = Array.from({ length: 4 }, () => enc!.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1 << 20, block: ownBlock(big), nowSec: 1 }));
    await enc.close();
    for (const r of await Promise.all(jobs)) expect(r.lines).toBe(50_000);
    await expect(enc.encodeLines({ tag: 'x', format: 'none', maxLineBytes: 10, block: Buffer.from('a\n'), nowSec: 1 })).rejects.toThrow(/closed/);
  });
});
