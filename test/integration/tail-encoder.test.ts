// The tail input with an encoder cutting small parts (the encoder parses, encodes and compresses the
// lines in blocks, a block becoming several parts): the same guarantees as with the default. Rotation while a writer appends, a restart, a crash at any
// commit: every line exactly once, in order. Long lines (also longer than one read) are truncated
// and counted; lines that do not parse are kept and counted; a partial last line waits.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TailHarness, appWriter, crashingSink, lines, range, records as taggedRecords, sleep, waitFor } from '../helpers/tail-harness.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import type { ChunkStore } from '../../src/buffer/store.js';

/** The tail harness with an encoder of small parts: so a block becomes several parts committed in one transaction. */
class Harness extends TailHarness {
  constructor() {
    super({}, { tmpPrefix: 'tdfwd-tail-enc-', encoder: new PartEncoder({ limits: { bytes: 4096, records: 50 } }), maxBatchBytes: 64 * 1024 });
  }
}

const records = async (store: ChunkStore): Promise<Record<string, unknown>[]> => (await taggedRecords(store)).map((r) => r.record);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('tail input with an encoder of small parts', () => {
  it('rotation twice while a writer appends, then a restart: every line exactly once, in order', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    let input = h.input({ rotateWait: 200 });
    await input.start();
    const app = appWriter(p);
    await h.renameRotateTwice(p);
    await input.stop(); // lines keep coming while stopped
    expect(input.rotations).toBe(2);
    const stoppedAt = h.position(p)?.offset ?? 0;
    await waitFor(() => statSync(p).size > stoppedAt, 3000, 'lines written while stopped');
    input = h.input({ rotateWait: 200 });
    await input.start();
    await waitFor(() => (h.position(p)?.offset ?? 0) > stoppedAt, 3000, 'the restarted input reading on');
    const n = await app.stop();
    await waitFor(async () => (await h.messages()).length >= n, 10_000, `${n} lines`);
    await waitFor(() => h.caughtUp(p), 3000, 'the file read to its end');
    expect(await h.messages()).toEqual(range(0, n));
    expect(h.store.getPosition(`tail:${p}`)).toMatchObject({ inode: String(statSync(p).ino), offset: statSync(p).size });
  });

  it('a crash at any commit, during appends and rotations, resumes with every line exactly once', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    const glob = join(h.logs, 'app.log*');
    let n = 0;
    let round = 0;
    for (const crashAfter of [3, 1, 6, 2]) {
      round++;
      const input = h.input({ path: glob, rotateWait: 150, readFromHead: false }, { sink: crashingSink(h.writer, crashAfter), maxBatchBytes: 2048 });
      await input.start();
      for (let i = 0; i < 8; i++) {
        appendFileSync(p, lines(n, n + 60));
        n += 60;
        if (i === 4) renameSync(p, h.path(`app.log.${round}`)); // rotated names stay matched
        await sleep(40);
      }
      await input.stop();
      expect((await h.messages()).length).toBeLessThan(n); // this instance did crash with lines unread
    }
    await h.input({ path: glob, rotateWait: 150, readFromHead: false }).start();
    await waitFor(async () => new Set(await h.messages()).size >= n, 10_000, `${n} lines`);
    await sleep(500);
    const got = await h.messages();
    expect(got.length).toBe(n);
    expect(new Set(got).size).toBe(n);
  });

  it('long lines (even longer than one read) are truncated and counted; the position ends at the file end', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, `short\n${'x'.repeat(5000)}\nafter\n${'y'.repeat(300 * 1024)}\r\nend\n`);
    const input = h.input({ maxLineSize: 1000 }, { maxBatchBytes: 16 * 1024 });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 5, 10_000);
    expect((await h.messages()).map((m) => m.length)).toEqual([5, 1000, 5, 1000, 3]);
    expect(input.truncatedLines).toBe(2);
    await waitFor(() => input.linesRead === 5, 3000, 'linesRead to follow the durable commit');
    expect(input.linesRead).toBe(5);
    await waitFor(() => h.store.getPosition(`tail:${p}`)?.offset === statSync(p).size);
  });

  it('json: lines that do not parse are kept and counted; a partial last line waits for its newline', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, '{"a":1}\nnot json\n\n{"a":2}\n{"a":');
    const input = h.input({ format: 'json' });
    await input.start();
    await waitFor(async () => (await records(h.store)).length === 3);
    expect(input.parseErrors).toBe(1);
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe(Buffer.byteLength('{"a":1}\nnot json\n\n{"a":2}\n'));
    appendFileSync(p, '3}\n');
    await waitFor(async () => (await records(h.store)).length === 4);
    const got = await records(h.store);
    expect(got.map((r) => r.a ?? r.message)).toEqual([1, 'not json', 2, 3]);
    // the count follows the durable commit, which ends after the records are visible
    await waitFor(() => input.linesRead === 4, 3000, 'linesRead to count the 4 committed lines');
    expect(input.linesRead).toBe(4);
  });
});
