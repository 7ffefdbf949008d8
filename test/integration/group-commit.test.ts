// Group commit (buffer/wal-sync.ts, ingest/writer.ts): appends from inputs commit at once and share
// their WAL fsync, on a real SQLite buffer in a temp dir. A write resolves (and so a source is
// acknowledged) only once an fsync that began after its commit has finished.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkStore } from '../../src/buffer/store.js';
import { WalSync } from '../../src/buffer/wal-sync.js';
import { gzipStoredParts, partRecords } from '../../src/codec/gzip-segments.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { openStore, records } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const events = (tag: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ tag, record: { seq: from + i, time: 1_700_000_000 } }));

describe('WalSync', () => {
  it('an fsync starts at once for an append (two at most); appends committed while both run share the next one', async () => {
    const file = join(dir(), 'x.db-wal');
    writeFileSync(file, 'wal bytes');
    const wal = new WalSync(file);
    cleanups.push(() => wal.close());
    await wal.whenDurable(); // nothing written: nothing to sync
    expect(wal.syncs).toBe(0);
    wal.written();
    const first = wal.whenDurable();
    expect(wal.whenDurable()).toBe(first); // nothing committed since it began: the same fsync
    wal.written(); // committed after the first fsync began: it needs one of its own
    const second = wal.whenDurable();
    expect(second).not.toBe(first);
    wal.written(); // both running: wait for the next one, with every append committed until it starts
    const third = wal.whenDurable();
    wal.written();
    const fourth = wal.whenDurable();
    expect(fourth).toBe(third);
    expect(wal.syncs).toBe(2);
    await Promise.all([first, second, third, fourth]);
    expect(wal.syncs).toBe(3);
    await wal.whenDurable(); // all covered already
    expect(wal.syncs).toBe(3);
  });
});

describe('BufferWriter group commit', () => {
  it('twenty sources writing at once: every record committed, three fsyncs for all of them', async () => {
    const store = openStore(dir());
    cleanups.push(() => store.close());
    const writer = new BufferWriter(store);
    await Promise.all(Array.from({ length: 20 }, (_, k) => writer.write(events(`app.s${k}`, 50))));
    expect(writer.records).toBe(1000);
    expect((await records(store)).length).toBe(1000);
    expect(store.walSyncs).toBe(3); // two started at once, the third shared by the eighteen others
  });

  it('one after another, each write waits for its own fsync', async () => {
    const store = openStore(dir());
    cleanups.push(() => store.close());
    const writer = new BufferWriter(store);
    for (let k = 0; k < 5; k++) await writer.write(events('app.seq', 10, k * 10));
    expect(store.walSyncs).toBe(5);
  });

  it('a write resolves only after the store says its append is durable', async () => {
    const store = openStore(dir());
    cleanups.push(() => store.close());
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const durable = store.whenDurable.bind(store);
    store.whenDurable = () => gate.then(durable);
    const writer = new BufferWriter(store);
    let resolved = false;
    const w = writer.write(events('app.gate', 3)).then(() => (resolved = true));
    expect(store.stats().pendingRecords).toBe(3); // committed at once...
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false); // ...but not answered before the fsync
    release();
    await w;
    expect(resolved).toBe(true);
  });

  it('with sync: normal there is no fsync to wait for', async () => {
    const store = new ChunkStore({ dir: dir(), sync: 'normal', compress: gzipStoredParts, inflate: partRecords });
    cleanups.push(() => store.close());
    await new BufferWriter(store).write(events('app.n', 5));
    expect(store.walSyncs).toBe(0);
    expect(store.stats().pendingRecords).toBe(5);
  });
});
