// The tail input with a LineEncoder (the daemon's worker thread parses and encodes the lines): the
// same guarantees as the in-thread path. Rotation while a writer appends, a restart, a crash at any
// commit: every line exactly once, in order. Long lines (also longer than one read) are truncated
// and counted; lines that do not parse are kept and counted; a partial last line waits.
// The worker runs from dist/ (`npm test` builds first; run `npm run build` before this file alone).
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.js';
import { openStore } from '../helpers/store.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { EncodePool } from '../../src/ingest/encode-pool.js';
import { createTailInput, type TailInput } from '../../src/inputs/tail/index.js';
import type { TailInputConfig } from '../../src/config/types.js';
import type { ChunkStore } from '../../src/buffer/store.js';
import type { EventSink } from '../../src/core/sink.js';
import { decodeRecords, gunzipPayload } from '../../src/codec/msgpack.js';

async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function records(store: ChunkStore): Promise<Record<string, unknown>[]> {
  await store.drainSeals();
  const out: Record<string, unknown>[] = [];
  for (const c of store.listChunks(null, 100_000).sort((a, b) => a.id - b.id)) {
    const d = store.chunkData(c.id);
    if (!d) continue;
    const raw = d.sealed ? await gunzipPayload(d.data) : d.data;
    for (const r of decodeRecords(raw)) out.push(r as Record<string, unknown>);
  }
  return out;
}

class Harness {
  readonly tmp = tempDir('tdfwd-tail-enc-');
  readonly logs = join(this.tmp.dir, 'logs');
  readonly store: ChunkStore;
  readonly writer: BufferWriter;
  readonly encoder: EncodePool;
  readonly #inputs: TailInput[] = [];

  constructor() {
    mkdirSync(this.logs);
    this.store = openStore(join(this.tmp.dir, 'buf'));
    this.writer = new BufferWriter(this.store);
    // small parts: a block becomes several parts, committed in one transaction
    this.encoder = new EncodePool({ partBytes: 4096, partRecords: 50 });
  }

  input(over: Partial<TailInputConfig> = {}, opts: { sink?: EventSink; maxBatchBytes?: number } = {}): TailInput {
    const cfg: TailInputConfig = {
      type: 'tail', path: join(this.logs, '*.log'), tag: 'app.logs', format: 'none', readFromHead: true,
      rotateWait: 300, refreshInterval: 100, maxLineSize: 1024 * 1024, multilineFlushInterval: 1000, ...over,
    };
    const input = createTailInput(cfg, {
      sink: opts.sink ?? this.writer,
      encoder: this.encoder,
      maxBatchBytes: opts.maxBatchBytes ?? 64 * 1024,
      positions: this.store,
      pollIntervalMs: 50,
      log: () => {},
    });
    this.#inputs.push(input);
    return input;
  }

  path(name: string): string {
    return join(this.logs, name);
  }

  async messages(): Promise<string[]> {
    return (await records(this.store)).map((r) => String(r.message));
  }

  async close(): Promise<void> {
    for (const i of this.#inputs) await i.stop();
    await this.encoder.close();
    await this.store.close();
    this.tmp.cleanup();
  }
}

const lines = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}\n`).join('');
const range = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `line ${from + i}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Appends 20 lines every few ms until stopped; returns how many it wrote. */
function appWriter(path: string, from = 0): { stop(): Promise<number> } {
  let n = from;
  let on = true;
  const done = (async () => {
    while (on) {
      appendFileSync(path, lines(n, n + 20));
      n += 20;
      await sleep(5);
    }
  })();
  return { stop: async () => { on = false; await done; return n; } };
}

/** A sink whose writes after the first `commits` never commit (a frozen process), until stopped. */
function crashingSink(real: EventSink, commits: number): EventSink {
  let n = 0;
  const frozen = (signal?: AbortSignal): Promise<void> =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('crashed')), { once: true }));
  return {
    write: (events, positions, signal) => (n++ < commits ? real.write(events, positions, signal) : frozen(signal)),
    writeParts: (parts, positions, signal) => (n++ < commits ? real.writeParts(parts, positions, signal) : frozen(signal)),
  };
}

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('tail input with the line encoder', () => {
  it('rotation twice while a writer appends, then a restart: every line exactly once, in order', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    let input = h.input({ rotateWait: 200 });
    await input.start();
    const app = appWriter(p);
    await sleep(200);
    renameSync(p, h.path('app.log.1')); // not matched by *.log
    await sleep(400);
    renameSync(h.path('app.log.1'), h.path('app.log.2'));
    renameSync(p, h.path('app.log.1'));
    await sleep(300);
    await input.stop(); // lines keep coming while stopped
    expect(input.rotations).toBe(2);
    await sleep(100);
    input = h.input({ rotateWait: 200 });
    await input.start();
    await sleep(200);
    const n = await app.stop();
    await waitFor(async () => (await h.messages()).length >= n, 10_000, `${n} lines`);
    await sleep(300);
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
    expect(input.linesRead).toBe(4);
  });
});
