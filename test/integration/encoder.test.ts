// The encoder (ingest/encoder.ts): jobs of both kinds answered in the order given even when an
// earlier job's compression takes longer, parts within the limits and compressed into deflate segments
// that inflate to the records, the same truncation and parse-error counts as the line-by-line path,
// the block read before the call returns (its memory may be reused at once), texts and multiline
// events, the BlockFilter hook on every part, a failing job rejected without holding up the others,
// and close() refusing later jobs while answering those given before.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { PartEncoder, type EncoderOptions } from '../../src/ingest/encoder.js';
import { oddRecordsDropped } from '../helpers/odd-filter.js';
import { decodeRecords } from '../../src/codec/msgpack.js';
import { partRecords } from '../../src/codec/gzip-segments.js';
import type { BlockFilter } from '../../src/core/record-filter.js';
import type { EncodedPart } from '../../src/core/sink.js';

let enc: PartEncoder | null = null;
const encoder = (limits: EncoderOptions['limits'], filter?: EncoderOptions['filter']): PartEncoder =>
  new PartEncoder({ limits, ...(filter ? { filter } : {}) });
afterEach(async () => {
  await enc?.close();
  enc = null;
});

const recordsOf = (r: { parts: EncodedPart[] }): Record<string, unknown>[] =>
  r.parts.flatMap((p) => decodeRecords(partRecords(p)) as Record<string, unknown>[]);

/** A block with its own ArrayBuffer, as the tail input reads them. */
function ownBlock(text: string): Buffer {
  const b = Buffer.allocUnsafeSlow(Math.max(Buffer.byteLength(text), Buffer.poolSize + 1));
  const n = b.write(text);
  return b.subarray(0, n);
}

/**
 * Occupies every thread of libuv's pool (an open() of a FIFO blocks until a writer comes); the returned
 * function lets them go. Work given to the pool meanwhile (the encoder's compressions) waits.
 */
async function holdThreadPool(): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'tdfwd-pool-'));
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `f${i}`));
  for (const f of fifos) execFileSync('mkfifo', [f]);
  const opens = fifos.map((f) => open(f, 'r'));
  await new Promise((r) => setTimeout(r, 50)); // the opens have reached the threads
  return async () => {
    const writers = fifos.map((f) => openSync(f, 'w')); // each pairs with its blocked reader
    for (const fh of await Promise.all(opens)) await fh.close();
    for (const fd of writers) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  };
}

const jsonLines = (n: number, f: (i: number) => object): string => Array.from({ length: n }, (_, i) => JSON.stringify(f(i))).join('\n') + '\n';

describe('PartEncoder', () => {
  it('answers jobs in order, with parts cut at the limits and compressed', async () => {
    enc = encoder({ bytes: 2048, records: 30 });
    const blocks = Array.from({ length: 12 }, (_, j) => ownBlock(jsonLines(100, (i) => ({ j, i, pad: 'x'.repeat(j * 10) }))));
    const jobs = blocks.map((block, j) => enc!.encodeLines({ tag: `t.${j}`, format: 'json', maxLineBytes: 1 << 20, block, nowSec: 1 }));
    const results = await Promise.all(jobs);
    results.forEach((r, j) => {
      expect(r.lines).toBe(100);
      expect(r.parts.every((p) => p.tag === `t.${j}` && p.records <= 30)).toBe(true);
      expect(r.parts.every((p) => p.deflated !== undefined && p.deflated.rawBytes <= 2048 + 200)).toBe(true);
      expect(recordsOf(r).map((x) => x.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      // deflate segments of their records, smaller than the records
      expect(r.parts.every((p) => p.deflated !== undefined && p.deflated.rawBytes > p.data.length)).toBe(true);
    });
  });

  it.each(['without', 'with'] as const)('reuses part memory only once compressed (%s a filter rewriting every block): many large jobs in flight at once all come back intact', async (withFilter) => {
    // Parts of ~100–400 KB are copied into reused slabs (ingest/part-slabs.ts) and compressed on the
    // zlib threads; a slab given back before its compression settled would be overwritten by a later
    // job's part while still being read, and that job's records would not read back. A filter's
    // rewritten block is copied out into a slab too (the `copy` the encoder hands it).
    const rewriteAll: BlockFilter = { active: true, applyBlock: (_tag, entries, records, copy) => ({ entries: copy ? copy(entries) : Buffer.from(entries), records }) };
    enc = encoder({ bytes: 256 * 1024, records: 100_000 }, withFilter === 'with' ? rewriteAll : undefined);
    for (let round = 0; round < 3; round++) {
      const blocks = Array.from({ length: 16 }, (_, j) =>
        ownBlock(jsonLines(2000 + j * 300, (i) => ({ round, j, i, pad: String.fromCharCode(97 + ((i * 7 + j) % 26)).repeat(60 + (i % 90)) }))),
      );
      // libuv's threads are held while the jobs are given, so every compression is still to run when
      // the next job copies its parts: a slab given back early is then certain to be overwritten.
      const release = await holdThreadPool();
      const jobs: Promise<{ parts: EncodedPart[] }>[] = [];
      for (const [j, block] of blocks.entries()) {
        jobs.push(enc.encodeLines({ tag: `t.${j}`, format: 'json', maxLineBytes: 1 << 20, block, nowSec: 1 }));
        await Promise.resolve(); // as an input awaits between reads: what is settled by now has run
      }
      await release();
      const results = await Promise.all(jobs);
      results.forEach((r, j) => {
        const recs = recordsOf(r);
        expect(recs).toHaveLength(2000 + j * 300);
        recs.forEach((x, i) => {
          if (x.round !== round || x.j !== j || x.i !== i || x.pad !== String.fromCharCode(97 + ((i * 7 + j) % 26)).repeat(60 + (i % 90))) {
            throw new Error(`round ${round} job ${j} record ${i}: ${JSON.stringify(x).slice(0, 120)}`);
          }
        });
      });
    }
  });

  it('cuts parts at the limits current for each job (a reload may change the chunk limits)', async () => {
    const limits = { bytes: 1 << 20, records: 100 };
    enc = encoder(() => limits);
    const block = () => ownBlock(jsonLines(300, (i) => ({ i })));
    const before = await enc.encodeLines({ tag: 't', format: 'json', maxLineBytes: 1 << 20, block: block(), nowSec: 1 });
    expect(before.parts.map((p) => p.records)).toEqual([100, 100, 100]);
    limits.records = 40;
    const after = await enc.encodeLines({ tag: 't', format: 'json', maxLineBytes: 1 << 20, block: block(), nowSec: 1 });
    expect(after.parts.map((p) => p.records)).toEqual([40, 40, 40, 40, 40, 40, 40, 20]);
    expect(recordsOf(after).map((x) => x.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('a long job given first is answered first, across both job kinds', async () => {
    enc = encoder({ bytes: 1 << 20, records: 1_000_000 });
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
    enc = encoder({ bytes: 1 << 20, records: 1000 });
    const block = Buffer.from(`{"a":1}\n${'y'.repeat(5000)}\r\nnot json\n\n{"a":2}\r\n`);
    const r = await enc.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1000, texts: ['{"a":0}'], block, nowSec: 7 });
    expect(r.lines).toBe(5);
    expect(r.truncatedLines).toBe(1);
    expect(r.parseErrors).toBe(2);
    expect(recordsOf(r).map((x) => x.a ?? String(x.message).length)).toEqual([0, 1, 1000, 8, 2]);
  });

  it('malformed entries reject their job with a message; the jobs before and after are answered', async () => {
    enc = encoder({ bytes: 1 << 20, records: 1000 });
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
    enc = encoder({ bytes: 1 << 20, records: 100_000 });
    const big = jsonLines(50_000, (i) => ({ i }));
    const jobs = Array.from({ length: 4 }, () => enc!.encodeLines({ tag: 'x', format: 'json', maxLineBytes: 1 << 20, block: ownBlock(big), nowSec: 1 }));
    await enc.close();
    for (const r of await Promise.all(jobs)) expect(r.lines).toBe(50_000);
    await expect(enc.encodeLines({ tag: 'x', format: 'none', maxLineBytes: 10, block: Buffer.from('a\n'), nowSec: 1 })).rejects.toThrow(/closed/);
  });

  it('reads the block before the call returns: the caller may overwrite it at once', async () => {
    enc = encoder({ bytes: 1 << 20, records: 1000 });
    const buf = Buffer.from(jsonLines(200, (i) => ({ i })));
    const job = enc.encodeLines({ tag: 't', format: 'json', maxLineBytes: 1 << 20, block: buf, nowSec: 1 });
    buf.fill(0x7a); // as the tail input's next read does, before the compression has finished
    expect(recordsOf(await job).map((x) => x.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('texts go before the block; multiline texts match a regexp across their newlines', async () => {
    enc = encoder({ bytes: 1 << 20, records: 1000 });
    const texts = ['E first\n  at a()\n  at b()', 'E second'];
    const r = await enc.encodeLines({ tag: 't', format: 'regexp:^E (?<what>.*)$', multiline: true, maxLineBytes: 1 << 20, texts, nowSec: 3 });
    expect(r.lines).toBe(2);
    expect(r.parseErrors).toBe(0);
    expect(recordsOf(r)).toEqual([
      { what: 'first\n  at a()\n  at b()', time: 3 },
      { what: 'second', time: 3 },
    ]);
    const single = await enc.encodeLines({ tag: 't', format: 'regexp:^E (?<what>.*)$', maxLineBytes: 1 << 20, texts, nowSec: 3 });
    expect(single.parseErrors).toBe(1); // without multiline, . stops at the newline
  });

  it('the filter hook rewrites every part of both job kinds before compression; an emptied part is dropped', async () => {
    const filter = oddRecordsDropped();
    enc = encoder({ bytes: 1 << 20, records: 10 }, filter);
    const lines = await enc.encodeLines({ tag: 'l', format: 'json', maxLineBytes: 1 << 20, block: Buffer.from(jsonLines(25, (i) => ({ i }))), nowSec: 1 });
    expect(lines.lines).toBe(25); // counted before the filter
    expect(lines.parts.map((p) => p.records)).toEqual([5, 5, 3]);
    expect(recordsOf(lines).map((x) => x.i)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
    const packr = new Packr({ useRecords: false });
    const entries = Buffer.concat(Array.from({ length: 4 }, (_, i) => packr.pack([5, { i }])));
    const fw = await enc.encodeEntries({ tag: 'f', entries, nowSec: 1 });
    expect(fw.records).toBe(4);
    expect(recordsOf(fw)).toEqual([{ i: 0, time: 5 }, { i: 2, time: 5 }]);
    expect(Object.fromEntries(filter.calls)).toEqual({ l: 3, f: 1 });
    const one = await enc.encodeLines({ tag: 'l', format: 'none', maxLineBytes: 1 << 20, texts: ['a'], block: Buffer.from('b\n'), nowSec: 1 });
    expect(one.parts.map((p) => p.records)).toEqual([1]);
    const dropAll = encoder({ bytes: 1 << 20, records: 2 }, { active: true, applyBlock: () => ({ entries: Buffer.alloc(0), records: 0 }) });
    const none = await dropAll.encodeLines({ tag: 'l', format: 'none', maxLineBytes: 1 << 20, texts: ['x'], block: Buffer.from('y\nz\n'), nowSec: 1 });
    expect(none.lines).toBe(3);
    expect(none.parts).toEqual([]);
    filter.active = false; // inactive: not called
    const before = filter.calls.get('l');
    await enc.encodeLines({ tag: 'l', format: 'none', maxLineBytes: 1 << 20, block: Buffer.from('p\nq\n'), nowSec: 1 });
    expect(filter.calls.get('l')).toBe(before);
    await dropAll.close();
  });

  it('a filter given as a function is asked at every job (a reload brings other filters)', async () => {
    let current: ReturnType<typeof oddRecordsDropped> | null = null;
    enc = encoder({ bytes: 1 << 20, records: 1000 }, () => current);
    const job = () => enc!.encodeLines({ tag: 't', format: 'none', maxLineBytes: 1 << 20, block: Buffer.from('a\nb\nc\n'), nowSec: 1 });
    expect((await job()).parts[0]?.records).toBe(3);
    current = oddRecordsDropped();
    expect((await job()).parts[0]?.records).toBe(2);
  });

  it('a filter that throws rejects its job with a message; the next job is answered', async () => {
    const bad = { active: true, applyBlock: (): never => { throw new Error('boom'); } };
    let filter: typeof bad | null = bad;
    enc = encoder({ bytes: 1 << 20, records: 1000 }, () => filter);
    await expect(enc.encodeLines({ tag: 't', format: 'none', maxLineBytes: 1 << 20, block: Buffer.from('a\n'), nowSec: 1 })).rejects.toThrow(/encoding lines failed: boom/);
    filter = null;
    expect((await enc.encodeLines({ tag: 't', format: 'none', maxLineBytes: 1 << 20, block: Buffer.from('a\n'), nowSec: 1 })).lines).toBe(1);
  });
});
