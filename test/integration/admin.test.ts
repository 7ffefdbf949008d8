import { afterEach, describe, expect, it } from 'vitest';
import { TdfwdMetrics } from '../../src/admin/metrics.js';
import { startAdminServer, type AdminServer, type AdminServerOptions } from '../../src/admin/server.js';
import type { SealedChunk } from '../../src/core/chunk.js';
import { TdfwdError } from '../../src/core/errors.js';

const open: AdminServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function admin(over: Partial<AdminServerOptions> = {}): Promise<AdminServer> {
  const server = await startAdminServer({
    listen: '127.0.0.1:0',
    metrics: new TdfwdMetrics({ defaultMetrics: false }),
    status: () => ({ buffer: '/tmp/buf', chunks: { open: 0, queued: 0, inflight: 0, parked: 0 } }),
    flush: () => undefined,
    ...over,
  });
  open.push(server);
  return server;
}

function chunk(createdAt: number, over: Partial<SealedChunk> = {}): SealedChunk {
  return {
    id: 7,
    key: 'fedcba9876543210fedcba9876543210',
    tag: 'td.web.access',
    records: 250,
    rawBytes: 25_000,
    payload: Buffer.alloc(0),
    createdAt,
    attempts: 1,
    firstAttemptAt: createdAt,
    inDoubtSince: null,
    ...over,
  };
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('admin server', () => {
  it('serves delivery metrics fed through the observer', async () => {
    const now = Date.now();
    const metrics = new TdfwdMetrics({ defaultMetrics: false, now: () => now });
    const server = await admin({ metrics });
    metrics.trackOutput('td', 'healthy', 8);
    metrics.attempt('td', chunk(now - 3000), 0);
    metrics.outcome('td', chunk(now - 3000), { kind: 'success', status: 200, latencyMs: 120 }, 'acked');
    metrics.attempt('td', chunk(now - 1000, { id: 8 }), 0);
    metrics.outcome('td', chunk(now - 1000, { id: 8 }), { kind: 'retry', reason: 'HTTP 503', status: 503, backpressure: true, latencyMs: 40 }, 'released');
    metrics.attempt('td', chunk(now - 1000, { id: 9 }), 0);
    metrics.outcome('td', chunk(now - 1000, { id: 9 }), { kind: 'retry', reason: 'ECONNREFUSED: connect', backpressure: false, latencyMs: 1 }, 'released');
    metrics.stateChange('td', 'healthy', 'backoff', 'HTTP 503', now + 1000);
    metrics.concurrency('td', 4);
    metrics.attempt('td', chunk(now, { id: 10, attempts: 2 }), 0); // still in flight at scrape time

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# HELP tdfwd_delivery_delay_seconds ');
    expect(sample(text, 'tdfwd_delivery_delay_seconds_count{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_delivery_delay_seconds_sum{output="td"}')).toBe(3);
    expect(sample(text, 'tdfwd_delivery_delay_seconds_bucket{le="2",output="td"}')).toBe(0);
    expect(sample(text, 'tdfwd_delivery_delay_seconds_bucket{le="5",output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_delivered_records_total{output="td"}')).toBe(250);
    expect(sample(text, 'tdfwd_requests_total{output="td",status_class="2xx"}')).toBe(1);
    expect(sample(text, 'tdfwd_requests_total{output="td",status_class="5xx"}')).toBe(1);
    expect(sample(text, 'tdfwd_requests_total{output="td",status_class="network"}')).toBe(1);
    expect(sample(text, 'tdfwd_retries_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_output_concurrency_limit{output="td"}')).toBe(4);
    expect(sample(text, 'tdfwd_output_inflight_requests{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_output_state{output="td",state="backoff"}')).toBe(1);
    expect(sample(text, 'tdfwd_output_state{output="td",state="healthy"}')).toBe(0);
    expect(text).toMatch(/^tdfwd_build_info\{version="[^"]+"\} 1$/m);
  });

  it('answers /api/status with the status callback as JSON, and /healthz with ok', async () => {
    let calls = 0;
    const server = await admin({ status: async () => ({ pending_records: ++calls, outputs: [{ name: 'td', state: 'healthy' }] }) });
    const res = await fetch(`${server.url}/api/status`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ pending_records: 1, outputs: [{ name: 'td', state: 'healthy' }] });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
  });

  it('POST /api/flush calls flush and answers 202; GET on it is 405', async () => {
    let flushes = 0;
    const server = await admin({ flush: () => ++flushes });
    const res = await fetch(`${server.url}/api/flush`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ flush: 'started', result: 1 });
    expect(flushes).toBe(1);
    const get = await fetch(`${server.url}/api/flush`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toHaveProperty('error');
    expect(flushes).toBe(1);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('answers unknown paths with 404 JSON and a failing callback with 500 JSON', async () => {
    const lines: string[] = [];
    const server = await admin({
      status: () => {
        throw new Error('buffer closed');
      },
      log: (l) => lines.push(l),
    });
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no such endpoint: /nope' });
    const failed = await fetch(`${server.url}/api/status`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'buffer closed' });
    expect(lines.some((l) => l.includes('buffer closed'))).toBe(true);
  });

  it('refuses an address in use with a sentence naming it and admin.listen', async () => {
    const first = await admin();
    const listen = `127.0.0.1:${first.port}`;
    const err = await admin({ listen }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TdfwdError);
    expect((err as TdfwdError).message).toBe(
      `The admin server cannot listen on ${listen}: the address is already in use (another tdfwd daemon?). ` +
        'Set admin.listen to a free host:port, or to off to run without it.',
    );
  });

  it('closes with keep-alive connections open', async () => {
    const server = await admin();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
