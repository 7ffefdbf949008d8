// The tail input against real files in a temp dir and a real SQLite buffer: start positions, appends,
// restart without loss or repeat, partial and long lines, glob refresh, the directory watch, exclude,
// positions.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { TailHarness as Harness, lines, range, records, sleep, waitFor } from '../helpers/tail-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('tail input: where reading starts', () => {
  it('read_from_head: true reads what a file already holds', async () => {
    h = new Harness();
    writeFileSync(h.path('a.log'), lines(0, 3));
    const input = h.input({ readFromHead: true });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 3);
    expect(await h.messages()).toEqual(range(0, 3));
    expect(input.files).toBe(1);
    await waitFor(() => input.linesRead === 3, 3000, 'linesRead to follow the durable commit');
    expect(input.linesRead).toBe(3);
  });

  it('read_from_head: false starts at the end, commits that start at once, then follows appends', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, lines(0, 3));
    const input = h.input({ readFromHead: false });
    await input.start();
    expect(h.store.getPosition(`tail:${p}`)).toMatchObject({ inode: String(statSync(p).ino), offset: statSync(p).size });
    appendFileSync(p, lines(3, 5));
    await waitFor(async () => (await h.messages()).length === 2);
    expect(await h.messages()).toEqual(range(3, 5));
  });

  it('tags with * expand to the path, fluentd style', async () => {
    h = new Harness();
    writeFileSync(h.path('a.log'), lines(0, 1));
    await h.input({ tag: 'app.*' }).start();
    await waitFor(async () => (await records(h.store)).length === 1);
    const [r] = await records(h.store);
    expect(r!.tag).toBe(`app${h.path('a.log').replace(/\//g, '.')}`);
  });
});

describe('tail input: following', () => {
  it('lines appended while running all arrive, in order, and the position commits with them', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, '');
    const input = h.input();
    await input.start();
    for (let i = 0; i < 20; i++) {
      appendFileSync(p, lines(i * 100, i * 100 + 100));
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(async () => (await h.messages()).length === 2000, 10_000);
    expect(await h.messages()).toEqual(range(0, 2000));
    expect(h.store.getPosition(`tail:${p}`)).toMatchObject({ inode: String(statSync(p).ino), offset: statSync(p).size });
  });

  it('a partial last line waits for its newline, and the position never passes it', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, 'complete\nhalf a li');
    const input = h.input();
    await input.start();
    await waitFor(async () => (await h.messages()).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(await h.messages()).toEqual(['complete']);
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe('complete\n'.length);
    appendFileSync(p, 'ne\n');
    await waitFor(async () => (await h.messages()).length === 2);
    expect(await h.messages()).toEqual(['complete', 'half a line']);
  });

  it('lines over max_line_size are truncated and counted, never a crash', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, `short\n${'x'.repeat(5000)}\nafter\n${'y'.repeat(3 * 1024 * 1024)}\nend\n`);
    const input = h.input({ maxLineSize: 1000 });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 5, 10_000);
    const got = await h.messages();
    expect(got.map((m) => m.length)).toEqual([5, 1000, 5, 1000, 3]);
    expect(input.truncatedLines).toBe(2);
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe(statSync(p).size);
  });

  it('a file created after start is picked up by the glob refresh and read from its start', async () => {
    h = new Harness();
    writeFileSync(h.path('a.log'), lines(0, 1, 'a'));
    const input = h.input({ readFromHead: false });
    await input.start();
    writeFileSync(h.path('b.log'), lines(0, 3, 'b'));
    writeFileSync(h.path('c.txt'), lines(0, 3, 'c')); // not matched by the glob
    await waitFor(async () => (await h.messages()).length === 3);
    expect(await h.messages()).toEqual(range(0, 3, 'b'));
    expect(input.files).toBe(2);
  });

  it('a file renamed into a followed directory is picked up at once (directory watch), not at the next poll or refresh', async () => {
    h = new Harness();
    writeFileSync(h.path('a.log'), lines(0, 1, 'a'));
    const input = h.input({ readFromHead: false, refreshInterval: 60_000 }, { pollIntervalMs: 60_000 });
    await input.start();
    await sleep(300); // past the first poll: the loop now sleeps for a minute
    writeFileSync(h.path('b.tmp'), lines(0, 3, 'b'));
    const t0 = Date.now();
    renameSync(h.path('b.tmp'), h.path('b.log')); // as a logger or logrotate puts a file in place
    await waitFor(async () => (await h.messages()).length === 3, 5_000);
    expect(Date.now() - t0).toBeLessThan(5_000); // a minute without the watch
    expect(await h.messages()).toEqual(range(0, 3, 'b'));
    expect(input.files).toBe(2);
  });

  it('exclude globs are honoured, absolute or relative', async () => {
    h = new Harness();
    writeFileSync(h.path('keep.log'), lines(0, 2, 'keep'));
    writeFileSync(h.path('skip.log'), lines(0, 2, 'skip'));
    writeFileSync(h.path('debug.log'), lines(0, 2, 'debug'));
    const input = h.input({ exclude: [h.path('skip.*'), 'debug*.log'] });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 2);
    await new Promise((r) => setTimeout(r, 250));
    expect(await h.messages()).toEqual(range(0, 2, 'keep'));
    expect(input.files).toBe(1);
  });

  it('parses json and keeps lines that do not parse, counting them', async () => {
    h = new Harness();
    writeFileSync(h.path('a.log'), '{"a":1,"t":1700000000}\nnot json\n\n{"a":2}\n');
    const input = h.input({ format: 'json', timeKey: 't' });
    await input.start();
    await waitFor(async () => (await records(h.store)).length === 3);
    const recs = (await records(h.store)).map((r) => r.record);
    expect(recs[0]).toMatchObject({ a: 1, time: 1700000000 });
    expect(recs[1]).toMatchObject({ message: 'not json' });
    expect(recs[1]!._parse_error).toBeTypeOf('string');
    expect(recs[2]).toMatchObject({ a: 2 });
    expect(input.parseErrors).toBe(1);
  });
});

describe('tail input: restart', () => {
  it('a new instance on the same buffer resumes where the last one stopped: no loss, no repeat', async () => {
    h = new Harness();
    const p = h.path('a.log');
    writeFileSync(p, '');
    let input = h.input({ readFromHead: false });
    await input.start();
    let next = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        appendFileSync(p, lines(next, next + 50));
        next += 50;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 150));
      await input.stop(); // lines keep coming while stopped
      await new Promise((r) => setTimeout(r, 50));
      input = h.input({ readFromHead: false }); // the stored position wins over read_from_head
      await input.start();
    }
    writing = false;
    await writer;
    await waitFor(async () => (await h.messages()).length >= next, 10_000);
    await new Promise((r) => setTimeout(r, 150));
    expect(await h.messages()).toEqual(range(0, next));
  });
});
