// The tail input's durability and limits: a crash at any commit (even mid-rotation) neither loses nor
// repeats a line; a full buffer pauses reading (overflow_action block) and stop() still returns;
// hundreds of files are followed by one poll loop.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tempDir } from '../helpers/tmp.js';
import { openStore } from '../helpers/store.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createTailInput, type TailInput } from '../../src/inputs/tail/index.js';
import type { TailInputConfig } from '../../src/config/types.js';
import type { ChunkStore } from '../../src/buffer/store.js';
import type { EventSink } from '../../src/core/sink.js';
import { decodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';

// (the harness is repeated from tail.test.ts: each test file stands alone)
async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function records(store: ChunkStore): Promise<{ tag: string; record: Record<string, unknown> }[]> {
  await store.drainSeals();
  const out: { tag: string; record: Record<string, unknown> }[] = [];
  const chunks = store.listChunks(null, 100_000).sort((a, b) => a.id - b.id);
  for (const c of chunks) {
    const d = store.chunkData(c.id);
    if (!d) continue;
    const raw = d.sealed ? await gunzipPayload(d.data) : d.data;
    for (const r of decodeRecords(raw)) out.push({ tag: c.tag, record: r as Record<string, unknown> });
  }
  return out;
}

class Harness {
  readonly tmp = tempDir('tdfwd-tail-');
  readonly logs = join(this.tmp.dir, 'logs');
  readonly store: ChunkStore;
  readonly writer: BufferWriter;
  readonly logged: { level: string; msg: string }[] = [];
  readonly #inputs: TailInput[] = [];

  constructor(limits: Parameters<typeof openStore>[1] = {}) {
    mkdirSync(this.logs);
    this.store = openStore(join(this.tmp.dir, 'buf'), limits);
    this.writer = new BufferWriter(this.store);
  }

  input(over: Partial<TailInputConfig> = {}, opts: { sink?: EventSink; maxBatchBytes?: number } = {}): TailInput {
    const cfg: TailInputConfig = {
      type: 'tail', path: join(this.logs, '*.log'), tag: 'app.logs', format: 'none', readFromHead: true,
      rotateWait: 300, refreshInterval: 100, maxLineSize: 1024 * 1024, multilineFlushInterval: 1000, ...over,
    };
    const input = createTailInput(cfg, {
      sink: opts.sink ?? this.writer,
      ...(opts.maxBatchBytes ? { maxBatchBytes: opts.maxBatchBytes } : {}),
      positions: this.store,
      pollIntervalMs: 50,
      log: (level, msg) => this.logged.push({ level, msg }),
    });
    this.#inputs.push(input);
    return input;
  }

  path(name: string): string {
    return join(this.logs, name);
  }

  async messages(): Promise<string[]> {
    return (await records(this.store)).map((r) => String(r.record.message));
  }

  async close(): Promise<void> {
    for (const i of this.#inputs) await i.stop();
    await this.store.close();
    this.tmp.cleanup();
  }
}

const lines = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}\n`).join('');

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/**
 * A sink that "crashes" after `commits` writes: later writes never commit (the process froze before
 * its transaction), and give up only when the input is stopped.
 */
function crashingSink(real: EventSink, commits: number): EventSink {
  let n = 0;
  const frozen = (signal?: AbortSignal): Promise<void> =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('crashed')), { once: true }));
  return {
    write(events, positions, signal) {
      if (n++ < commits) return real.write(events, positions, signal);
      return frozen(signal);
    },
    writeParts(parts, positions, signal) {
      if (n++ < commits) return real.writeParts(parts, positions, signal);
      return frozen(signal);
    },
  };
}

describe('tail input: durability', () => {
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
    await waitFor(async () => (await h.messages()).length === files, 10_000);
    expect(input.files).toBe(files);
    for (let i = 0; i < files; i++) appendFileSync(h.path(`f${i}.log`), `file ${i} second\n`);
    await waitFor(async () => (await h.messages()).length === 2 * files, 10_000);
    const tags = new Set((await records(h.store)).map((r) => r.tag));
    expect(tags.size).toBe(files);
  });
});
