// The tail input through log rotation: rename (logrotate create), copytruncate, truncation, deletion,
// and rotation while stopped. Every line must arrive exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TailHarness as Harness, appWriter, lines, range, waitFor } from '../helpers/tail-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('tail input: rotation', () => {
  it('rename rotation twice while a writer appends: every line exactly once, in order', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    const input = h.input({ rotateWait: 200 });
    await input.start();
    const app = appWriter(p);
    await h.renameRotateTwice(p);
    const n = await app.stop();
    await waitFor(async () => (await h.messages()).length >= n, 10_000, `${n} lines`);
    // done with every file: the rotated ones closed, the current one read to its end
    await waitFor(() => input.files === 1 && h.caughtUp(p), 3000, 'rotated files closed, the current one read');
    expect(await h.messages()).toEqual(range(0, n));
    expect(input.rotations).toBe(2);
    expect(h.store.getPosition(`tail:${p}`)).toMatchObject({ inode: String(statSync(p).ino), offset: statSync(p).size });
    expect(h.logged.some((l) => l.level === 'info' && /rotated/.test(l.msg))).toBe(true);
  });

  it('two rotations within rotate_wait lose nothing: the middle file is held until its turn', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 10));
    const input = h.input({ rotateWait: 500 });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 10);
    renameSync(p, h.path('app.log.1'));
    writeFileSync(p, lines(10, 20));
    // the input noticed the rotation and holds the new file (behind the old one, within rotate_wait)
    await waitFor(() => input.rotations === 1 && input.files === 2, 3000, 'the first rotation noticed');
    renameSync(h.path('app.log.1'), h.path('app.log.2'));
    renameSync(p, h.path('app.log.1'));
    writeFileSync(p, lines(20, 30));
    await waitFor(async () => (await h.messages()).length >= 30, 10_000);
    await waitFor(() => input.files === 1 && h.caughtUp(p), 5000, 'held files closed, the current one read');
    expect(await h.messages()).toEqual(range(0, 30));
  });

  it('when the glob also matches rotated names, a rotated file is followed on under its new name, not re-read', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    const input = h.input({ path: join(h.logs, 'app.log*'), rotateWait: 200 });
    await input.start();
    const app = appWriter(p);
    await h.renameRotateTwice(p);
    const n = await app.stop();
    await waitFor(async () => (await h.messages()).length >= n, 10_000, `${n} lines`);
    // every file found under its name and read to its end: a re-read would have started by then
    const names = [p, h.path('app.log.1'), h.path('app.log.2')];
    await waitFor(() => input.files === 3 && names.every((f) => h.caughtUp(f)), 5000, 'the three files read to their ends');
    expect(await h.messages()).toEqual(range(0, n));
    expect(input.files).toBe(3);
  });

  it('copytruncate: the same file is truncated and written again from the start', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 50));
    const input = h.input();
    await input.start();
    await waitFor(async () => (await h.messages()).length === 50);
    copyFileSync(p, h.path('app.log.1'));
    truncateSync(p, 0);
    appendFileSync(p, lines(50, 55));
    await waitFor(async () => (await h.messages()).length >= 55);
    await waitFor(() => h.caughtUp(p), 3000, 'the truncated file read to its end');
    expect(await h.messages()).toEqual(range(0, 55));
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe(statSync(p).size);
    expect(h.logged.some((l) => l.level === 'info' && /truncated/.test(l.msg))).toBe(true);
  });

  it('truncation to a shorter file restarts at 0', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 100));
    const input = h.input();
    await input.start();
    await waitFor(async () => (await h.messages()).length === 100);
    writeFileSync(p, lines(100, 103)); // O_TRUNC, same inode
    await waitFor(async () => (await h.messages()).length >= 103);
    await waitFor(() => h.caughtUp(p), 3000, 'the truncated file read to its end');
    expect(await h.messages()).toEqual(range(0, 103));
  });

  it('a deleted file is read to its end, then forgotten; a new file at the path is read from 0', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 5));
    const input = h.input({ rotateWait: 100 });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 5);
    appendFileSync(p, 'last line without newline');
    unlinkSync(p);
    await waitFor(() => input.files === 0, 3000, 'the deleted file closed');
    expect((await h.messages()).at(-1)).toBe('last line without newline');
    writeFileSync(p, lines(5, 7));
    await waitFor(async () => (await h.messages()).length === 8);
    expect((await h.messages()).slice(6)).toEqual(range(5, 7));
  });

  it('rotated while stopped: the old file is finished from its stored offset, the new one read from 0', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, lines(0, 10));
    const first = h.input({ path: join(h.logs, 'app.log*') });
    await first.start();
    await waitFor(async () => (await h.messages()).length === 10);
    await first.stop();
    appendFileSync(p, lines(10, 15));
    renameSync(p, h.path('app.log.1'));
    writeFileSync(p, lines(15, 20));
    const second = h.input({ path: join(h.logs, 'app.log*'), readFromHead: false });
    await second.start();
    await waitFor(async () => (await h.messages()).length >= 20);
    await waitFor(() => h.caughtUp(p) && h.caughtUp(h.path('app.log.1')), 3000, 'both files read to their ends');
    const got = await h.messages();
    expect(got.slice(0, 10)).toEqual(range(0, 10));
    expect([...got.slice(10)].sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]))).toEqual(range(10, 20));
  });
});
