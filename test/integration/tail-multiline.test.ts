// The tail input with multiline_start: joined events, the flush timeout, and the offset that never
// covers a pending group (so a restart neither loses nor repeats it).
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { TailHarness as Harness, records, sleep, waitFor } from '../helpers/tail-harness.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const START = '^\\d{4}-\\d\\d-\\d\\d ';

describe('tail input: multiline', () => {
  it('joins continuation lines until the next start line; a quiet group is flushed after the interval', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '2024-01-01 ERROR boom\n  at a()\n  at b()\n2024-01-01 INFO ok\n');
    const input = h.input({ multilineStart: START, multilineFlushInterval: 400 });
    await input.start();
    await waitFor(async () => (await h.messages()).length === 1);
    expect(await h.messages()).toEqual(['2024-01-01 ERROR boom\n  at a()\n  at b()']);
    // the second group is pending: the position stops at its start
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe(Buffer.byteLength('2024-01-01 ERROR boom\n  at a()\n  at b()\n'));
    await waitFor(async () => (await h.messages()).length === 2, 3000);
    expect((await h.messages())[1]).toBe('2024-01-01 INFO ok');
    expect(h.store.getPosition(`tail:${p}`)!.offset).toBe(statSync(p).size);
    await waitFor(() => input.linesRead === 4, 3000, 'linesRead to follow the durable commit');
    expect(input.linesRead).toBe(4);
  });

  it('a group whose lines arrive in separate writes stays one event', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '');
    const input = h.input({ multilineStart: START, multilineFlushInterval: 1500 });
    await input.start();
    appendFileSync(p, '2024-01-01 ERROR first\r\n');
    await sleep(120);
    appendFileSync(p, '  at one()\r\n');
    await sleep(120);
    appendFileSync(p, '  at two()\r\n2024-01-01 next\n');
    await waitFor(async () => (await h.messages()).length === 1);
    expect(await h.messages()).toEqual(['2024-01-01 ERROR first\n  at one()\n  at two()']);
  });

  it('a pending group survives a restart: not lost, not repeated', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '2024-01-01 A\n  a1\n2024-01-01 B\n  b1\n');
    const first = h.input({ multilineStart: START, multilineFlushInterval: 60_000 });
    await first.start();
    await waitFor(async () => (await h.messages()).length === 1);
    await first.stop(); // B is pending, uncommitted
    appendFileSync(p, '  b2\n2024-01-01 C\n');
    const second = h.input({ multilineStart: START, multilineFlushInterval: 60_000 });
    await second.start();
    await waitFor(async () => (await h.messages()).length === 2);
    await sleep(200);
    expect(await h.messages()).toEqual(['2024-01-01 A\n  a1', '2024-01-01 B\n  b1\n  b2']);
  });

  it('a group is bounded by max_line_size', async () => {
    h = new Harness();
    const p = h.path('app.log');
    const cont = Array.from({ length: 200 }, (_, i) => `  frame ${i}`).join('\n');
    writeFileSync(p, `2024-01-01 big\n${cont}\n2024-01-01 end\n`);
    const input = h.input({ multilineStart: START, maxLineSize: 500, multilineFlushInterval: 200 });
    await input.start();
    await waitFor(async () => (await h.messages()).at(-1) === '2024-01-01 end', 5000);
    const got = await h.messages();
    expect(got.length).toBeGreaterThan(3);
    expect(got.every((m) => m.length <= 520)).toBe(true);
    expect(got.slice(0, -1).join('\n')).toBe(`2024-01-01 big\n${cont}`);
  });

  it('a regexp format matches the whole joined event: . crosses its newlines (the s flag, as fluentd)', async () => {
    h = new Harness();
    const p = h.path('app.log');
    writeFileSync(p, '2024-01-01 ERROR boom\n  at a()\n  at b()\n2024-01-01 INFO ok\n');
    const input = h.input({ multilineStart: START, multilineFlushInterval: 300, format: 'regexp:^(?<day>\\S+) (?<level>[A-Z]+) (?<msg>.*)$' });
    await input.start();
    await waitFor(async () => (await records(h.store)).length === 2, 3000);
    const got = (await records(h.store)).map((r) => r.record);
    expect(got[0]).toMatchObject({ day: '2024-01-01', level: 'ERROR', msg: 'boom\n  at a()\n  at b()' });
    expect(got[0]).not.toHaveProperty('_parse_error');
    expect(got[1]).toMatchObject({ level: 'INFO', msg: 'ok' });
    expect(input.parseErrors).toBe(0);
  });
});
