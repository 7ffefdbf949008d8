// The encoder's BlockFilter hook is on every path that reaches the buffer through the encoder: the
// tail input (blocks and multiline events), the stdin input (which is also `send`) and the forward
// input (Message and Forward modes). A real filter written for the test (test/helpers/odd-filter.ts)
// keeps the records at even positions of each block; each input's stored records show it ran there.
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createForwardInput } from '../../src/inputs/forward/index.js';
import { StdinInput } from '../../src/inputs/stdin.js';
import { pack } from '../helpers/forward-wire.js';
import { oddRecordsDropped } from '../helpers/odd-filter.js';
import { openStore, records } from '../helpers/store.js';
import { TailHarness, waitFor } from '../helpers/tail-harness.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const numbered = (n: number, prefix: string): string => Array.from({ length: n }, (_, i) => `${prefix} ${i}\n`).join('');

function harness(): { h: TailHarness; filter: ReturnType<typeof oddRecordsDropped> } {
  const filter = oddRecordsDropped();
  const h = new TailHarness({}, { encoder: new PartEncoder({ limits: { bytes: 1 << 20, records: 1000 }, filter }) });
  cleanups.push(() => h.close());
  return { h, filter };
}

function buffer() {
  const t = tempDir();
  const store = openStore(t.dir);
  const writer = new BufferWriter(store);
  const filter = oddRecordsDropped();
  const encoder = new PartEncoder({ limits: () => writer.partLimits, filter });
  cleanups.push(async () => {
    await encoder.close();
    await store.close();
    t.cleanup();
  });
  return { store, writer, encoder, filter };
}

describe('the filter hook of the encoder', () => {
  it('runs on the tail input\'s blocks of lines', async () => {
    const { h, filter } = harness();
    writeFileSync(h.path('a.log'), numbered(10, 'line'));
    const input = h.input();
    await input.start();
    await waitFor(() => h.caughtUp(h.path('a.log')), 5000, 'the file read');
    expect(await h.messages()).toEqual(['line 0', 'line 2', 'line 4', 'line 6', 'line 8']);
    // lines read, before the filter; counted once the commit's fsync ended, a moment after the records show
    await waitFor(() => input.linesRead === 10, 3000, 'linesRead to count the 10 committed lines');
    expect(filter.calls.get('app.logs')).toBe(1);
  });

  it('runs on the tail input\'s multiline events', async () => {
    const { h, filter } = harness();
    const events = Array.from({ length: 6 }, (_, i) => `E${i} start\n  at frame ${i}\n`).join('');
    writeFileSync(h.path('m.log'), events);
    const input = h.input({ multilineStart: '^E\\d', multilineFlushInterval: 100 });
    await input.start();
    await waitFor(() => h.caughtUp(h.path('m.log')), 5000, 'the last group flushed');
    // E0..E4 complete in the first read (one block: E0, E2, E4 kept); E5 flushed alone later (kept).
    expect(await h.messages()).toEqual(['E0 start\n  at frame 0', 'E2 start\n  at frame 2', 'E4 start\n  at frame 4', 'E5 start\n  at frame 5']);
    expect(filter.calls.get('app.logs')).toBe(2);
  });

  it('runs on the stdin input (the code `tdfwd send` runs)', async () => {
    const { store, writer, encoder, filter } = buffer();
    const stream = new PassThrough();
    const input = new StdinInput('stdin.0', { type: 'stdin', tag: 'app.stdin', format: 'none' }, { sink: writer, log: () => {}, encoder }, stream);
    await input.start();
    stream.end(numbered(10, 'in'));
    const totals = await input.ended;
    expect(totals.lines).toBe(10);
    expect(input.records).toBe(5);
    expect((await records(store)).map((r) => r.record['message'])).toEqual(['in 0', 'in 2', 'in 4', 'in 6', 'in 8']);
    expect(filter.calls.get('app.stdin')).toBe(1);
  });

  it('runs on the forward input, Forward and Message modes', async () => {
    const { store, writer, encoder, filter } = buffer();
    const input = createForwardInput({ type: 'forward', bind: '127.0.0.1', port: 0, selfHostname: 'test' }, { sink: writer, log: () => {}, encoder });
    await input.start();
    cleanups.push(() => input.stop());
    const socket = connect(input.port, '127.0.0.1');
    cleanups.push(() => void socket.destroy());
    socket.write(pack(['fw.forward', Array.from({ length: 6 }, (_, i) => [1_700_000_000, { i }]), { chunk: 'a' }]));
    await waitFor(async () => (await records(store)).length === 3, 5000, 'the Forward frame committed');
    socket.write(pack(['fw.message', 1_700_000_000, { i: 0 }, { chunk: 'b' }]));
    await waitFor(async () => (await records(store)).length === 4, 5000, 'the Message frame committed');
    const rows = await records(store);
    expect(rows.filter((r) => r.tag === 'fw.forward').map((r) => r.record['i'])).toEqual([0, 2, 4]);
    expect(rows.filter((r) => r.tag === 'fw.message').map((r) => r.record['i'])).toEqual([0]);
    expect(Object.fromEntries(filter.calls)).toEqual({ 'fw.forward': 1, 'fw.message': 1 });
  });
});

