// The daemon next to the other commands and to an operator's mistakes: `send` and `flush` while it
// runs (no chunk sent by two processes at once), a tail input surviving a SIGHUP without re-reading,
// ports already in use at start, records no output matches, and refused credentials.
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runTdfwd, waitFor } from '../helpers/cli.js';
import { APIKEY, endpoint, exactlyOnce, metric, occupy, post, seqCounts, spawnDaemon, startDaemon, tdOutput, work, writeConfig, httpDaemonConfig } from './daemon-harness.js';

describe('tdfwd run with the one-off commands', () => {
  it('send appends while the daemon runs, flush runs beside it: every record once, no chunk sent twice', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    // slow answers keep chunks in flight while `flush` looks for work
    const ep = await endpoint({ storeFile: store, latencyMs: 150 });
    const file = httpDaemonConfig(dir, tdOutput(ep.url, { concurrency: { max: 2, adaptive: false } }), { flush_interval: '500ms', chunk_limit_records: 500 });
    const d = await startDaemon(file);
    const sent = await runTdfwd(['-c', file, 'send', '--tag', 'td.ops.sent', '--format', 'json'], { input: jsonLines(10_000) });
    expect(sent.code).toBe(0);
    const flushed = await runTdfwd(['-c', file, 'flush', '--timeout', '60s'], { timeoutMs: 90_000 });
    expect(flushed.code).toBe(0);
    await waitFor(() => ep.stats().importedRecords >= 10_000, 30_000, 200);
    expect((await d.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), 10_000)).toEqual([]);
    const stats = ep.stats();
    // a chunk sent by both processes would show as a dedup hit (same key imported again in the window)
    expect(stats.dedupHits).toBe(0);
    expect(stats.maxImportsPerId).toBe(1);
    expect(stats.duplicateRecords).toBe(0);
  });
});

describe('tdfwd run: tail and SIGHUP', () => {
  it('a reload resumes the tailed file at its committed position (read_from_head does not re-read it)', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const log = join(dir, 'app.log');
    appendFileSync(log, jsonLines(1000));
    const cfg = (refresh: string) => ({
      buffer: { path: join(dir, 'buf'), flush_interval: '300ms' },
      inputs: [{ type: 'tail', path: log, tag: 'td.tail.hup', format: 'json', read_from_head: true, refresh_interval: refresh }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const file = writeConfig(join(dir, 'tdfwd.yaml'), cfg('200ms'));
    const d = await startDaemon(file);
    await waitFor(() => ep.stats().importedRecords === 1000, 20_000);
    appendFileSync(log, jsonLines(1000, 1000));
    writeConfig(file, cfg('300ms'));
    d.signal('SIGHUP');
    await d.waitLog((l) => l.msg.startsWith('config reloaded'));
    appendFileSync(log, jsonLines(1000, 2000));
    await waitFor(() => ep.stats().importedRecords >= 3000, 20_000);
    expect((await d.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), 3000)).toEqual([]);
  });
});

describe('tdfwd run: start-up refusals', () => {
  for (const type of ['forward', 'http'] as const) {
    it(`the ${type} input whose port is in use is named by its index in the config`, async () => {
      const dir = work();
      const taken = await occupy();
      const ep = await endpoint();
      const file = writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf') },
        inputs: [
          { type: 'http', bind: '127.0.0.1', port: 0 },
          { type: 'forward', bind: '127.0.0.1', port: 0 },
          { type, bind: '127.0.0.1', port: taken.port },
        ],
        outputs: [tdOutput(ep.url)],
        admin: { listen: 'off' },
      });
      const d = spawnDaemon(file);
      expect((await d.exited).code).toBe(1);
      const lastLine = d.stderr().trim().split('\n').pop() ?? '';
      expect(lastLine).toContain(`the ${type} input cannot listen on 127.0.0.1:${taken.port}`);
      expect(lastLine).toContain('change inputs[2].port');
    });
  }

  for (const what of ['admin', 'http input'] as const) {
    it(`the ${what} port in use: exit 1 with a sentence naming the port; the buffer is not left locked`, async () => {
      const dir = work();
      const taken = await occupy();
      const ep = await endpoint();
      const file = writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf') },
        inputs: [{ type: 'http', bind: '127.0.0.1', port: what === 'http input' ? taken.port : 0 }],
        outputs: [tdOutput(ep.url)],
        admin: { listen: what === 'admin' ? `127.0.0.1:${taken.port}` : 'off' },
      });
      const d = spawnDaemon(file);
      const e = await d.exited;
      expect(e.code).toBe(1);
      const lastLine = d.stderr().trim().split('\n').pop() ?? '';
      expect(lastLine).toMatch(/^tdfwd: /);
      expect(lastLine).toContain(String(taken.port));
      expect(d.stderr()).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, 'buf', 'daemon.pid'))).toBe(false);
    });
  }
});

describe('tdfwd run: what an operator must be told', () => {
  it('records no output matches are kept, counted and warned about once', async () => {
    const dir = work();
    const ep = await endpoint();
    const d = await startDaemon(
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '300ms' }, {
        admin: { listen: '127.0.0.1:0' },
      }),
    );
    const port = d.inputPort('http', 0);
    for (let i = 0; i < 3; i++) expect((await post(port, '/app.nomatch', '{"a":1}')).status).toBe(200);
    const warned = await d.waitLog((l) => l.msg.startsWith('no output matches tag "app.nomatch"'));
    expect(warned.level).toBe(40);
    expect(d.logs().filter((l) => l.msg.startsWith('no output matches')).length).toBe(1);
    expect(await metric(d.adminUrl(), 'tdfwd_unrouted_records_total', { tag: 'app.nomatch' })).toBe(3);
    expect((await d.stop()).code).toBe(0);
    const st = await runTdfwd(['--buffer', join(dir, 'buf'), 'status', '--json']);
    expect(JSON.parse(st.stdout).pending_records).toBe(3);
  });

  it('refused credentials pause the output (visible in /api/status), keep the data, and the key is never logged', async () => {
    const dir = work();
    const ep = await endpoint({ apikey: 'the-right-key-0123456789' });
    const d = await startDaemon(
      httpDaemonConfig(dir, tdOutput(ep.url), { flush_interval: '300ms' }, {
        admin: { listen: '127.0.0.1:0' },
        shutdown_timeout: '1s', // a paused output cannot drain: the stop waits shutdown_timeout
      }),
    );
    expect((await post(d.inputPort('http', 0), '/td.auth.fail', '[{"a":1},{"a":2}]')).status).toBe(200);
    const paused = await d.waitLog((l) => l.output === 'td.0' && String(l.msg).includes('credentials refused'));
    expect(paused.level).toBe(50);
    const status = (await (await fetch(`${d.adminUrl()}/api/status`)).json()) as { outputs: { state: string }[]; pending_records: number; chunks: { parked: number } };
    expect(status.outputs[0]?.state).toBe('paused');
    expect(status.pending_records).toBe(2);
    expect(status.chunks.parked).toBe(0);
    expect((await d.stop()).code).toBe(0);
    expect(d.stderr()).not.toContain(APIKEY);
  });
});
