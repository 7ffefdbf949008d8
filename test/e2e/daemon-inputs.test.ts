// The daemon's network inputs as clients use them: the real npm fluent-logger client (with acks) into
// the forward input, and the fluentd-in_http-compatible HTTP input, both delivered to the endpoint.
import { join } from 'node:path';
import fluentLogger from 'fluent-logger';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, exactlyOnce, metric, onCleanup, post, seqCounts, startDaemon, status, storedRows, tdOutput, work, writeConfig, httpDaemonConfig } from './daemon-harness.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };

describe('tdfwd run: forward input', () => {
  it('events from fluent-logger (requireAckResponse) reach the endpoint', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
        inputs: [{ type: 'forward', bind: '127.0.0.1', port: 0 }],
        outputs: [tdOutput(ep.url)],
        admin: { listen: 'off' },
      }),
    );
    const port = d.inputPort('forward', 0);
    const sender = fluentLogger.createFluentSender<Record<string, unknown>>('td.fwd', {
      host: '127.0.0.1',
      port,
      timeout: 3.0,
      requireAckResponse: true,
      ackResponseTimeout: 10_000,
      internalLogger: quiet,
      enableReconnect: false,
    } as Parameters<typeof fluentLogger.createFluentSender>[1]);
    onCleanup(() => new Promise<void>((r) => sender.end('', undefined as never, () => r())));
    const n = 500;
    for (let seq = 0; seq < n; seq += 50) {
      // every emit's callback fires only after the daemon acked it, i.e. after the commit
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => new Promise<void>((resolve, reject) => sender.emit('events', { seq: seq + k, msg: 'via forward' }, (err?: Error) => (err ? reject(err) : resolve())))),
      );
    }
    await waitFor(() => storedRows(store).length >= n, 20_000);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    const rows = storedRows(store);
    expect(rows[0]).toMatchObject({ database: 'fwd', table: 'events' });
    expect(Number.isInteger(rows[0]?.record.time)).toBe(true);
    expect((await d.stop()).code).toBe(0);
  });
});

describe('tdfwd run: http input', () => {
  it('JSON object, array and NDJSON are answered 200 and delivered; bad JSON 400; too large 413', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
        inputs: [{ type: 'http', bind: '127.0.0.1', port: 0, max_body_size: '4KiB' }],
        outputs: [tdOutput(ep.url)],
        admin: { listen: 'off' },
      }),
    );
    const port = d.inputPort('http', 0);
    expect((await post(port, '/td.web.hits', '{"seq":0,"kind":"object"}')).status).toBe(200);
    expect((await post(port, '/td.web.hits', JSON.stringify([1, 2, 3].map((seq) => ({ seq, kind: 'array' }))))).status).toBe(200);
    const ndjson = [4, 5, 6].map((seq) => JSON.stringify({ seq, kind: 'ndjson' })).join('\n') + '\n';
    expect((await post(port, '/td.web.hits', ndjson, 'application/x-ndjson')).status).toBe(200);

    const bad = await post(port, '/td.web.hits', '{"seq": 7,');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBeTruthy();
    const large = await post(port, '/td.web.hits', JSON.stringify({ seq: 8, pad: 'x'.repeat(8192) }));
    expect(large.status).toBe(413);

    await waitFor(() => storedRows(store).length >= 7, 20_000);
    expect(exactlyOnce(seqCounts(store), 7)).toEqual([]);
    expect(storedRows(store).map((r) => r.record.kind).sort()).toEqual(['array', 'array', 'array', 'ndjson', 'ndjson', 'ndjson', 'object']);
    expect(storedRows(store)[0]).toMatchObject({ database: 'web', table: 'hits' });
    expect((await d.stop()).code).toBe(0);
  });

  it('a full buffer with overflow_action throw_exception answers 503 with Retry-After', async () => {
    const dir = work();
    // An endpoint of this test's that answers nothing: a freed port could be taken by another test's
    // server meanwhile, which then imported the chunks (CI: pending 0 for 81 accepted).
    const ep = await endpoint();
    ep.faults.down = true;
    const d = await startDaemon(
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '200ms', total_limit_size: '4KiB', chunk_limit_size: '1KiB', overflow_action: 'throw_exception' }, {
        shutdown_timeout: '1s',
        admin: { listen: '127.0.0.1:0' },
      }),
    );
    const port = d.inputPort('http', 0);
    expect(await metric(d.adminUrl(), 'tdfwd_buffer_writes_blocked', { cause: 'buffer_full' })).toBe(0);
    let accepted = 0;
    let refused: Response | null = null;
    for (let i = 0; i < 200 && !refused; i++) {
      const res = await post(port, '/td.full.events', JSON.stringify({ seq: i, pad: 'y'.repeat(200) }));
      if (res.status === 200) accepted++;
      else if (res.status === 503) refused = res;
      else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
    }
    expect(accepted).toBeGreaterThan(0);
    expect(refused?.status).toBe(503);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await metric(d.adminUrl(), 'tdfwd_buffer_writes_blocked', { cause: 'buffer_full' })).toBe(1);
    expect((await d.stop()).code).toBe(0);
    // what was acknowledged is kept
    expect((await status(join(dir, 'buf'))).pending_records).toBe(accepted);
  });
});

describe('tdfwd run: durable before acknowledged, across a SIGTERM', () => {
  it('every forward event acked and every http request answered 200 before the stop is delivered', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
        inputs: [
          { type: 'forward', bind: '127.0.0.1', port: 0 },
          { type: 'http', bind: '127.0.0.1', port: 0 },
        ],
        outputs: [tdOutput(ep.url)],
        admin: { listen: 'off' },
        shutdown_timeout: '20s',
      }),
    );
    const sender = fluentLogger.createFluentSender<Record<string, unknown>>('td.stop', {
      host: '127.0.0.1',
      port: d.inputPort('forward', 0),
      timeout: 3.0,
      requireAckResponse: true,
      ackResponseTimeout: 5000,
      internalLogger: quiet,
      enableReconnect: false,
    } as Parameters<typeof fluentLogger.createFluentSender>[1]);
    (sender as unknown as { on(ev: string, fn: () => void): void }).on('error', () => {});
    onCleanup(() => new Promise<void>((r) => sender.end('', undefined as never, () => r())));
    const httpPort = d.inputPort('http', 1);

    const acked = new Set<number>();
    let seq = 0;
    let running = true;
    const forwardLoop = (async () => {
      while (running) {
        const s = seq++;
        const ok = await new Promise<boolean>((resolve) => sender.emit('fwd', { seq: s }, (err?: Error) => resolve(!err)));
        if (ok) acked.add(s);
        else break;
      }
    })();
    const httpLoop = (async () => {
      while (running) {
        const s = seq++;
        const res = await post(httpPort, '/td.stop.http', JSON.stringify({ seq: s })).catch(() => null);
        if (res?.status === 200) acked.add(s);
        else if (res === null) break; // the port is closed: the daemon is stopping
      }
    })();
    await waitFor(() => acked.size >= 300, 20_000);
    // the clients keep sending while the daemon stops
    expect((await d.stop()).code).toBe(0);
    running = false;
    await Promise.all([forwardLoop, httpLoop]);

    const counts = seqCounts(store);
    const lost = [...acked].filter((s) => !counts.has(s));
    expect(lost).toEqual([]);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(300);
  });
});

