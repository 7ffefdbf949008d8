// tdfwd → tdfwd: an agent's forward output delivering to the real daemon's forward input (the
// aggregator tier), which delivers to the local endpoint. Records arrive exactly once, with their time.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { startAggregator } from '../helpers/forward-aggregator.js';
import { endpoint, exactlyOnce, freePort, onCleanup, post, seqCounts, startDaemon, status, storedRows, tdOutput, work, writeConfig } from './daemon-harness.js';

const SHARED_KEY = 'forward-e2e-shared-key-0123';

async function aggregatorDaemon(dir: string, store: string, port = 0) {
  const ep = await endpoint({ storeFile: store });
  return startDaemon(
    writeConfig(join(dir, 'aggregator.yaml'), {
      buffer: { path: join(dir, 'agg-buf'), flush_interval: '1s' },
      inputs: [{ type: 'forward', bind: '127.0.0.1', port, shared_key: SHARED_KEY, self_hostname: 'aggregator' }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    }),
  );
}

function agentConfig(dir: string, port: number): string {
  return writeConfig(join(dir, 'agent.yaml'), {
    buffer: { path: join(dir, 'agent-buf') },
    inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
    outputs: [
      {
        type: 'forward',
        match: 'td.**',
        servers: [{ host: '127.0.0.1', port }],
        shared_key: SHARED_KEY,
        self_hostname: 'agent',
        retry: { wait: '200ms', max_wait: '1s' },
      },
    ],
    admin: { listen: 'off' },
  });
}

const lines = (n: number, t0: number) => Array.from({ length: n }, (_, i) => `${JSON.stringify({ seq: i, ts: t0 + i, msg: `line ${i}` })}\n`).join('');

describe('forward output → tdfwd forward input', () => {
  it('send + flush through the forward output: every record reaches the aggregator once, with its time', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const agg = await aggregatorDaemon(dir, store);
    const cfg = agentConfig(dir, agg.inputPort('forward', 0));
    const n = 2000;
    const t0 = 1_700_000_000;
    const sent = await runTdfwd(['-c', cfg, 'send', '--tag', 'td.fwd.events', '--format', 'json', '--time-key', 'ts'], { input: lines(n, t0) });
    expect(sent.code, sent.stderr).toBe(0);
    const flushed = await runTdfwd(['-c', cfg, 'flush', '--timeout', '30s']);
    expect(flushed.code, flushed.stderr).toBe(0);
    await waitFor(() => storedRows(store).length >= n, 20_000);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    const rows = storedRows(store);
    expect(rows.every((r) => r.record.time === t0 + Number(r.record.seq))).toBe(true);
    expect(rows.some((r) => '_time' in r.record)).toBe(false);
    expect(rows[0]).toMatchObject({ database: 'fwd', table: 'events' });
    expect((await agg.stop()).code).toBe(0);
  });

  it('an aggregator that is down: flush keeps the chunks; once it is up they arrive once', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const port = await freePort();
    const cfg = agentConfig(dir, port);
    const n = 300;
    const sent = await runTdfwd(['-c', cfg, 'send', '--tag', 'td.fwd.events', '--format', 'json', '--time-key', 'ts'], { input: lines(n, 1_700_000_000) });
    expect(sent.code, sent.stderr).toBe(0);
    const down = await runTdfwd(['-c', cfg, 'flush', '--timeout', '2s']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('connection refused (ECONNREFUSED)');
    const agg = await aggregatorDaemon(dir, store, port);
    const up = await runTdfwd(['-c', cfg, 'flush', '--timeout', '30s']);
    expect(up.code, up.stderr).toBe(0);
    await waitFor(() => storedRows(store).length >= n, 20_000);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    expect((await agg.stop()).code).toBe(0);
  });

  it('a wrong shared_key: flush says the handshake was refused and keeps the data', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const agg = await aggregatorDaemon(dir, store);
    const cfg = writeConfig(join(dir, 'bad.yaml'), {
      buffer: { path: join(dir, 'agent-buf') },
      outputs: [{ type: 'forward', match: 'td.**', servers: [{ host: '127.0.0.1', port: agg.inputPort('forward', 0) }], shared_key: 'not-the-key-at-all' }],
    });
    await runTdfwd(['-c', cfg, 'send', '--tag', 'td.fwd.events'], { input: 'one\ntwo\n' });
    const r = await runTdfwd(['-c', cfg, 'flush', '--timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the shared_key handshake (shared_key mismatch)');
    expect(storedRows(store)).toHaveLength(0);
    expect((await agg.stop()).code).toBe(0);
  });
});

describe('tdfwd run with a forward output', () => {
  it('http input → forward output → tdfwd aggregator daemon: exactly once, with their time', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const agg = await aggregatorDaemon(dir, store);
    const cfg = writeConfig(join(dir, 'agent.yaml'), {
      buffer: { path: join(dir, 'agent-buf'), flush_interval: '1s' },
      inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
      outputs: [{ type: 'forward', match: 'td.**', servers: [{ host: '127.0.0.1', port: agg.inputPort('forward', 0) }], shared_key: SHARED_KEY, self_hostname: 'agent' }],
      admin: { listen: 'off' },
    });
    const agent = await startDaemon(cfg);
    const port = agent.inputPort('http', 0);
    const n = 200;
    for (let i = 0; i < n; i += 50) {
      const body = Array.from({ length: 50 }, (_, k) => ({ seq: i + k, time: 1_700_000_000 + i + k }));
      expect((await post(port, '/td.fwd.events', JSON.stringify(body))).status).toBe(200);
    }
    await waitFor(() => storedRows(store).length >= n, 20_000);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    expect(storedRows(store).every((r) => r.record.time === 1_700_000_000 + Number(r.record.seq))).toBe(true);
    expect((await agent.stop()).code).toBe(0);
    expect((await agg.stop()).code).toBe(0);
  });

  it('a connection dropped before the ack: the chunk is in doubt and re-sent with the same chunk id, then deleted', async () => {
    const dir = work();
    const raw = await startAggregator({ answer: (_f, n) => (n === 0 ? 'drop' : 'ack') });
    onCleanup(() => raw.close());
    const buffer = join(dir, 'agent-buf');
    const cfg = writeConfig(join(dir, 'agent.yaml'), {
      buffer: { path: buffer, flush_interval: '1s' },
      inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
      outputs: [{ type: 'forward', match: 'td.**', servers: [{ host: '127.0.0.1', port: raw.port }], retry: { wait: '200ms', max_wait: '1s' } }],
      admin: { listen: 'off' },
    });
    const agent = await startDaemon(cfg);
    expect((await post(agent.inputPort('http', 0), '/td.fwd.events', JSON.stringify([{ seq: 0 }, { seq: 1 }]))).status).toBe(200);
    await waitFor(() => raw.frames.length >= 2, 20_000);
    const [first, second] = raw.frames;
    expect(first?.chunk).toMatch(/^[0-9a-f]{32}$/);
    expect(second?.chunk).toBe(first?.chunk);
    await agent.waitLog((l) => l.msg.includes('after the frame was written, before its ack'), 5000);
    await waitFor(async () => (await status(buffer)).pending_records === 0, 10_000);
    expect((await agent.stop()).code).toBe(0);
    expect(raw.frames).toHaveLength(2);
  });
});
