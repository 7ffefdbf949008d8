// SIGHUP as an operator sends it: a good config is applied (a removed output's gauges leave /metrics),
// a bad one refused with the old one kept, a config that cannot start (a port in use) rolled back; the
// stdin input survives reloads.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, exactlyOnce, freePort, metric, occupy, post, seqCounts, startDaemon, storedRows, tdOutput, work, writeConfig } from './daemon-harness.js';

function records(from: number, n: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify(Array.from({ length: n }, (_, i) => ({ seq: from + i, ...extra })));
}

describe('tdfwd run: SIGHUP', () => {
  it('a good config is applied: a new http input and a changed output work; the old output leaves /metrics', async () => {
    const dir = work();
    const storeA = join(dir, 'a.ndjson');
    const storeB = join(dir, 'b.ndjson');
    const epA = await endpoint({ storeFile: storeA });
    const epB = await endpoint({ storeFile: storeB });
    const [p1, p2] = [await freePort(), await freePort()];
    const base = { buffer: { path: join(dir, 'buf'), flush_interval: '500ms' }, admin: { listen: '127.0.0.1:0' } };
    const file = join(dir, 'tdfwd.yaml');
    writeConfig(file, { ...base, inputs: [{ type: 'http', bind: '127.0.0.1', port: p1 }], outputs: [tdOutput(epA.url, { name: 'first' })] });
    const d = await startDaemon(file);
    expect((await post(p1, '/td.hup.one', records(0, 10))).status).toBe(200);
    await waitFor(() => storedRows(storeA).length === 10, 20_000);
    const admin = d.adminUrl();
    expect(await metric(admin, 'tdfwd_output_state', { output: 'first', state: 'healthy' })).toBe(1);

    writeConfig(file, {
      ...base,
      inputs: [
        { type: 'http', bind: '127.0.0.1', port: p1 },
        { type: 'http', bind: '127.0.0.1', port: p2 },
      ],
      outputs: [tdOutput(epB.url, { name: 'second' })],
    });
    d.signal('SIGHUP');
    await d.waitLog((l) => l.msg.startsWith('config reloaded'));
    const text = await (await fetch(`${admin}/metrics`)).text();
    expect(text).not.toMatch(/tdfwd_output_(state|concurrency_limit|inflight_requests)\{[^}]*output="first"/);
    expect(text).toMatch(/tdfwd_output_state\{output="second",state="healthy"\} 1/);
    expect(await metric(admin, 'tdfwd_delivered_records_total', { output: 'first' })).toBe(10); // history stays
    expect((await post(p1, '/td.hup.one', records(10, 10))).status).toBe(200);
    expect((await post(p2, '/td.hup.two', records(20, 10))).status).toBe(200);
    await waitFor(() => storedRows(storeB).length === 20, 20_000);
    expect(storedRows(storeA)).toHaveLength(10);
    const seqs = seqCounts(storeB);
    expect([...seqs.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => 10 + i));
    expect(storedRows(storeB).filter((r) => r.table === 'two')).toHaveLength(10);
    expect((await d.stop()).code).toBe(0);
  });

  it('a bad config is refused and logged; the old one keeps working', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const port = await freePort();
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(dir, 'buf'), flush_interval: '500ms' },
      inputs: [{ type: 'http', bind: '127.0.0.1', port }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const d = await startDaemon(file);
    expect((await post(port, '/td.hup.bad', records(0, 5))).status).toBe(200);

    writeConfig(file, 'inputs:\n  - { type: http, port: not-a-port }\noutputs: []\n');
    d.signal('SIGHUP');
    const refused = await d.waitLog((l) => l.msg.startsWith('reload refused'));
    expect(refused.msg).toContain('inputs[0].port');
    expect(refused.level).toBeGreaterThanOrEqual(50);

    // an empty file is refused too (no inputs)
    writeConfig(file, '');
    d.signal('SIGHUP');
    await waitFor(() => d.logs().filter((l) => l.msg.startsWith('reload refused')).length === 2, 20_000);

    expect((await post(port, '/td.hup.bad', records(5, 5))).status).toBe(200);
    await waitFor(() => storedRows(store).length === 10, 20_000);
    expect(exactlyOnce(seqCounts(store), 10)).toEqual([]);
    expect(d.exit).toBeNull();
    expect((await d.stop()).code).toBe(0);
  });
});

describe('tdfwd run: SIGHUP that cannot be applied', () => {
  it('a new input whose port is taken: the previous config runs again', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const p1 = await freePort();
    const taken = await occupy();
    const base = { buffer: { path: join(dir, 'buf'), flush_interval: '500ms' }, admin: { listen: 'off' }, outputs: [tdOutput(ep.url)] };
    const file = writeConfig(join(dir, 'tdfwd.yaml'), { ...base, inputs: [{ type: 'http', bind: '127.0.0.1', port: p1 }] });
    const d = await startDaemon(file);
    expect((await post(p1, '/td.roll.back', records(0, 5))).status).toBe(200);

    writeConfig(file, {
      ...base,
      inputs: [
        { type: 'http', bind: '127.0.0.1', port: p1 },
        { type: 'http', bind: '127.0.0.1', port: taken.port },
      ],
    });
    d.signal('SIGHUP');
    const failed = await d.waitLog((l) => l.msg.startsWith('reload failed'));
    expect(failed.msg).toContain('the previous config runs again');
    expect(failed.msg).toContain(String(taken.port));
    expect((await post(p1, '/td.roll.back', records(5, 5))).status).toBe(200);
    await waitFor(() => storedRows(store).length === 10, 20_000);
    expect(exactlyOnce(seqCounts(store), 10)).toEqual([]);
    expect((await d.stop()).code).toBe(0);
  });
});

describe('tdfwd run: stdin input', () => {
  it('keeps reading stdin across reloads (a line cut by a SIGHUP included) and stops while stdin is open', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(dir, 'buf'), flush_interval: '300ms' },
      inputs: [{ type: 'stdin', tag: 'td.std.in', format: 'json' }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const d = await startDaemon(file, { keepStdin: true });
    const stdin = d.child.stdin;
    if (!stdin) throw new Error('no stdin pipe');
    const write = (s: string) => new Promise<void>((r) => stdin.write(s, () => r()));
    await write('{"seq":0}\n{"seq":1}\n');
    await waitFor(() => storedRows(store).length === 2, 20_000);

    d.signal('SIGHUP');
    await waitFor(() => d.logs().filter((l) => l.msg.startsWith('config reloaded')).length === 1, 20_000);
    await write('{"seq":2}\n{"se');
    await waitFor(() => storedRows(store).length === 3, 20_000);
    d.signal('SIGHUP');
    await waitFor(() => d.logs().filter((l) => l.msg.startsWith('config reloaded')).length === 2, 20_000);
    await write('q":3}\n{"seq":4}\n');
    await waitFor(() => storedRows(store).length === 5, 20_000);
    expect(exactlyOnce(seqCounts(store), 5)).toEqual([]);
    expect(storedRows(store).some((r) => '_parse_error' in r.record)).toBe(false);

    // stdin is still open: the stop must not wait for it
    const e = await d.stop();
    expect(e.code).toBe(0);
    expect(d.logs().filter((l) => l.level >= 40)).toEqual([]);
  });
});
