// The tail input's durability and limits: a crash at any commit (even mid-rotation) neither loses nor
// repeats a line; a full buffer pauses reading (overflow_action block) and stop() still returns;
// hundreds of files are followed by one poll loop.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TailHarness as Harness, crashingSink, lines, range, records, sleep, waitFor } from '../helpers/tail-harness.js';
import { decodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('tail input: durability', () => {
  it('a file rewritten in place while the input was stopped (same inode, same size) is read again from its start', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 20, 'old'));
    let input = h.input({ readFromHead: true });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 20, 5000, '20 lines');
    await waitFor(() => h.store.getPosition(`tail:${p}`)?.offset === statSync(p).size, 3000, 'the position at the end');
    await input.stop();
    const inode = statSync(p).ino;
    const size = statSync(p).size;
    writeFileSync(p, lines(0, 20, 'new')); // truncates and rewrites: the same inode, the same size, other bytes
    expect(statSync(p).ino).toBe(inode);
    expect(statSync(p).size).toBe(size);
    input = h.input({ readFromHead: true });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 40, 5000, 'the rewritten file read again');
    expect((await h.messages()).slice(20)).toEqual(range(0, 20, 'new'));
    await input.stop();
  });

  it('a crash at any commit, during appends and rotations, resumes with every line exactly once', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    const glob = join(h.logs, 'app.log*');
    let n = 0;
    const appendSome = (k: number): void => {
      appendFileSync(p, lines(n, n + k));
      n += k;
    };
    let round = 0;
    for (const crashAfter of [3, 1, 6, 2, 4]) {
      round++;
      const input = h.input({ path: glob, rotateWait: 150, readFromHead: false }, { sink: crashingSink(h.writer, crashAfter) });
      expect(round === 1 || (await h.messages()).length < n).toBe(true); // the last instance did crash with lines unread
      await input.start();
      for (let i = 0; i < 8; i++) {
        appendSome(30);
        if (i === 4) renameSync(p, h.path(`app.log.${round}`)); // rotated names stay matched
        await sleep(40);
      }
      await input.stop(); // the "crashed" instance is gone; its last writes never committed
    }
    await h.input({ path: glob, rotateWait: 150, readFromHead: false }).start();
    await waitFor(async () => new Set(await h.messages()).size >= n, 10_000, `${n} lines`);
    await sleep(500);
    const got = await h.messages();
    expect(got.length).toBe(n);
    expect(new Set(got).size).toBe(n);
  });

  it('a full buffer (overflow_action block) pauses reading; delivery makes room and reading goes on; stop() returns', async () => {
    h = new Harness({ totalLimitSize: 64 * 1024, chunkLimitSize: 8 * 1024, overflowAction: 'block' });
    const p = h.path('app.log');
    const total = 3000;
    // random text: a compressible file would fit the buffer once its chunks are sealed (gzipped)
    const want = Array.from({ length: total }, (_, i) => `${i} ${randomBytes(40).toString('hex')}`);
    writeFileSync(p, want.map((l) => `${l}\n`).join(''));
    const input = h.input({}, { maxBatchBytes: 4096 });
    await input.start();
    await waitFor(() => input.linesRead > 0);
    await sleep(300);
    const pausedAt = h.store.getPosition(`tail:${p}`)!.offset;
    expect(pausedAt).toBeLessThan(statSync(p).size);
    // deliver: lease sealed chunks and ack them, as the delivery engine would
    const delivered: string[] = [];
    await waitFor(async () => {
      await h.store.sealOpen();
      await h.store.drainSeals();
      for (const c of h.store.lease(10, h.store.queuedTags(), 60_000)) {
        const raw = await gunzipPayload(c.payload);
        for (const r of decodeRecords(raw)) delivered.push(String((r as Record<string, unknown>).message));
        h.store.ack(c.id);
      }
      return delivered.length + (await h.messages()).length >= total && input.linesRead >= total;
    }, 20_000, 'all lines through a full buffer');
    expect([...delivered, ...(await h.messages())]).toEqual(want);
  });

  it('stop() while the buffer is full returns promptly and loses nothing', async () => {
    h = new Harness({ totalLimitSize: 32 * 1024, chunkLimitSize: 8 * 1024, overflowAction: 'block' });
    const p = h.path('app.log');
    const want = Array.from({ length: 2000 }, (_, i) => `${i} ${randomBytes(40).toString('hex')}`);
    writeFileSync(p, want.map((l) => `${l}\n`).join(''));
    const input = h.input({}, { maxBatchBytes: 4096 });
    await input.start();
    await sleep(300);
    const t0 = Date.now();
    await input.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    const msgs = await h.messages();
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.length).toBeLessThan(want.length); // it was blocked
    expect(msgs).toEqual(want.slice(0, msgs.length));
    const stored = h.store.getPosition(`tail:${p}`)!.offset;
    expect(stored).toBe(Buffer.byteLength(want.slice(0, msgs.length).map((l) => `${l}\n`).join('')));
  });

  it('hundreds of files are followed by one poll loop', async () => {
    h = new Harness();
    const files = 300;
    for (let i = 0; i < files; i++) writeFileSync(h.path(`f${i}.log`), `file ${i} first\n`);
    const input = h.input({ tag: 'many.*' });
    await input.start();
    // The counter first (reading 300 open chunks back at every poll would compete with the input).
    await waitFor(() => input.linesRead === files, 10_000, 'every first line read');
    expect((await h.messages()).length).toBe(files);
    expect(input.files).toBe(files);
    for (let i = 0; i < files; i++) appendFileSync(h.path(`f${i}.log`), `file ${i} second\n`);
    await waitFor(() => input.linesRead === 2 * files, 10_000, 'every second line read');
    expect((await h.messages()).length).toBe(2 * files);
    const tags = new Set((await records(h.store)).map((r) => r.tag));
    expect(tags.size).toBe(files);
  });
});
