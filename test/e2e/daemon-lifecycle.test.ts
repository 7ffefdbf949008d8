// `tdfwd run` as an operator meets it first: config mistakes refused with exit 2 and a sentence naming
// the key, one daemon per buffer (and a stale pid file after kill -9 taken over), the admin port.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { endpoint, metric, post, startDaemon, spawnDaemon, tdOutput, work, writeConfig, httpDaemonConfig } from './daemon-harness.js';

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(text).not.toMatch(/Error: .*\n\s+at /);
}

function daemonConfig(dir: string, url: string, extra: Record<string, unknown> = {}): string {
  return httpDaemonConfig(dir, tdOutput(url), { flush_interval: '1s' }, { admin: { listen: '127.0.0.1:0' }, ...extra });
}

describe('tdfwd run: configuration errors exit 2', () => {
  it('a bad value names the key, in a sentence, without a stack trace', async () => {
    const dir = work();
    const file = writeConfig(
      join(dir, 'bad.yaml'),
      `buffer: { path: ${join(dir, 'buf')}, flush_interval: soon }\ninputs:\n  - { type: http, port: 0 }\noutputs:\n  - { type: stdout, match: "**" }\nadmin: { listen: off }\n`,
    );
    const r = await runTdfwd(['-c', file, 'run'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('buffer.flush_interval');
    noStack(r.stderr);
    expect(existsSync(join(dir, 'buf', 'daemon.pid'))).toBe(false);
  });

  it('an unknown key is named', async () => {
    const dir = work();
    const file = writeConfig(join(dir, 'bad.yaml'), {
      inputs: [{ type: 'http', port: 0, max_body: '1MiB' }],
      outputs: [{ type: 'stdout', match: '**' }],
      admin: { listen: 'off' },
      buffer: { path: join(dir, 'buf') },
    });
    const r = await runTdfwd(['-c', file, 'run'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inputs\[0\]\.max_body/);
    noStack(r.stderr);
  });

  it('a missing config file exits 2 naming the file', async () => {
    const dir = work();
    const missing = join(dir, 'nope.yaml');
    const r = await runTdfwd(['-c', missing, 'run'], { timeoutMs: 20_000 });
    expect(r.stderr).toContain(missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    noStack(r.stderr);
  });

  it('no config at all exits 2 and says how to give one', async () => {
    const r = await runTdfwd(['run'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--config/);
    noStack(r.stderr);
  });

  it('no inputs exits 2 naming inputs', async () => {
    const dir = work();
    const file = writeConfig(join(dir, 'empty.yaml'), {
      buffer: { path: join(dir, 'buf') },
      outputs: [{ type: 'stdout', match: '**' }],
      admin: { listen: 'off' },
    });
    const r = await runTdfwd(['-c', file, 'run'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inputs/);
    noStack(r.stderr);
  });
});

describe('tdfwd run: one daemon per buffer', () => {
  it('a second daemon exits 1 naming the holder; after the first stops a new one starts', async () => {
    const dir = work();
    const ep = await endpoint();
    const file = daemonConfig(dir, ep.url);
    const first = await startDaemon(file);
    const second = spawnDaemon(file);
    const e2 = await second.exited;
    expect(e2.code).toBe(1);
    expect(second.stderr()).toContain(`pid ${first.pid}`);
    noStack(second.stderr());
    expect(first.exit).toBeNull();
    expect((await first.stop()).code).toBe(0);
    expect(existsSync(join(dir, 'buf', 'daemon.pid'))).toBe(false);
    const third = await startDaemon(file);
    expect(readFileSync(join(dir, 'buf', 'daemon.pid'), 'utf8').trim()).toBe(String(third.pid));
    expect((await third.stop()).code).toBe(0);
  });

  it('the pid file a kill -9 leaves behind is taken over', async () => {
    const dir = work();
    const ep = await endpoint();
    const file = daemonConfig(dir, ep.url);
    const first = await startDaemon(file);
    first.signal('SIGKILL');
    await first.exited;
    expect(readFileSync(join(dir, 'buf', 'daemon.pid'), 'utf8').trim()).toBe(String(first.pid));
    const next = await startDaemon(file);
    expect(readFileSync(join(dir, 'buf', 'daemon.pid'), 'utf8').trim()).toBe(String(next.pid));
    expect((await next.stop()).code).toBe(0);
  });
});

describe('tdfwd run: the admin port', () => {
  it('/metrics and /api/status answer while running', async () => {
    const dir = work();
    const ep = await endpoint();
    const d = await startDaemon(daemonConfig(dir, ep.url));
    const admin = d.adminUrl();
    const port = d.inputPort('http', 0);
    expect((await post(port, '/td.adm.events', '[{"seq":1},{"seq":2},{"seq":3}]')).status).toBe(200);
    await waitFor(() => ep.stats().importedRecords === 3, 20_000);

    const status = (await (await fetch(`${admin}/api/status`)).json()) as Record<string, unknown> & { daemon: { pid: number; state: string }; outputs: { name: string; state: string }[] };
    expect(status.buffer).toBe(join(dir, 'buf'));
    expect(status.daemon.pid).toBe(d.pid);
    expect(status.daemon.state).toBe('running');
    expect(status.outputs[0]).toMatchObject({ name: 'td.0', state: 'healthy' });
    for (const k of ['chunks', 'pending_records', 'pending_bytes', 'parked_records', 'oldest_pending_age_s']) expect(status).toHaveProperty(k);

    const res = await fetch(`${admin}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await metric(admin, 'tdfwd_input_records_total', { tag: 'td.adm.events' })).toBe(3);
    await waitFor(async () => (await metric(admin, 'tdfwd_delivered_records_total')) === 3, 20_000);
    const text = await (await fetch(`${admin}/metrics`)).text();
    for (const name of ['tdfwd_buffer_chunks', 'tdfwd_requests_total', 'tdfwd_delivery_delay_seconds_bucket', 'tdfwd_buffer_pending_records']) {
      expect(text).toContain(name);
    }
    expect((await d.stop()).code).toBe(0);
  });
});
