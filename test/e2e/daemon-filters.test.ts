// Filters in the real daemon: records from the http input and from fluent-logger (forward, Message
// mode: the object path) go through record / grep / modify filters on their way to the local
// endpoint; grep drops are counted in the real /metrics; a bad placeholder is refused by config check.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fluentLogger from 'fluent-logger';
import { describe, expect, it } from 'vitest';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { endpoint, metric, onCleanup, post, startDaemon, storedRows, tdOutput, work, writeConfig } from './daemon-harness.js';

const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };

const FILTERS = [
  {
    type: 'record',
    match: 'td.**',
    set: { hostname: '${hostname}', source_tag: '${tag}', service: '${tag_parts[1]}', table: '${tag_parts[-1]}', env: '${DEPLOY_ENV}' },
    remove: ['password'],
  },
  { type: 'grep', match: 'td.**', regexp: [{ key: 'level', pattern: '^(error|warn)$' }], exclude: [{ key: 'path', pattern: '^/health' }] },
  { type: 'modify', match: 'td.web.**', rename: { msg: 'message' }, copy: { message: 'raw' } },
];

describe('tdfwd run: filters between the inputs and the buffer', () => {
  it('set, remove, grep, rename and copy on http and forward records; drops in /metrics', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
        inputs: [
          { type: 'http', bind: '127.0.0.1', port: 0 },
          { type: 'forward', bind: '127.0.0.1', port: 0 },
        ],
        filters: FILTERS,
        outputs: [tdOutput(ep.url)],
        admin: { listen: '127.0.0.1:0' },
      }),
      { env: { DEPLOY_ENV: 'staging' } },
    );

    // http: 3 kept, 1 dropped by regexp (level info), 1 by regexp (no level), 1 by exclude
    const http = d.inputPort('http', 0);
    const lines = [
      { seq: 0, level: 'error', msg: 'disk full', password: 'hunter2' },
      { seq: 1, level: 'warn', msg: 'slow', path: '/api' },
      { seq: 2, level: 'info', msg: 'fine' },
      { seq: 3, msg: 'no level' },
      { seq: 4, level: 'error', path: '/health/live' },
      { seq: 5, level: 'error', msg: 'again', status: 500 },
    ];
    expect((await post(http, '/td.web.access', JSON.stringify(lines))).status).toBe(200);

    // forward (fluent-logger, acked): 1 kept, 1 dropped
    const sender = fluentLogger.createFluentSender<Record<string, unknown>>('td.api', {
      host: '127.0.0.1',
      port: d.inputPort('forward', 1),
      timeout: 3.0,
      requireAckResponse: true,
      ackResponseTimeout: 10_000,
      internalLogger: quiet,
      enableReconnect: false,
    } as Parameters<typeof fluentLogger.createFluentSender>[1]);
    onCleanup(() => new Promise<void>((r) => sender.end('', undefined as never, () => r())));
    const emit = (record: Record<string, unknown>) =>
      new Promise<void>((resolve, reject) => sender.emit('events', record, (err?: Error) => (err ? reject(err) : resolve())));
    await emit({ seq: 10, level: 'warn', msg: 'via forward', password: 'x' });
    await emit({ seq: 11, level: 'debug', msg: 'dropped' });

    await waitFor(() => storedRows(store).length >= 4, 20_000);
    const rows = storedRows(store).sort((a, b) => Number(a.record.seq) - Number(b.record.seq));
    expect(rows.map((r) => r.record.seq)).toEqual([0, 1, 5, 10]);

    const web = rows[0]?.record as Record<string, unknown>;
    expect(web).toMatchObject({ hostname: hostname(), source_tag: 'td.web.access', service: 'web', table: 'access', env: 'staging', message: 'disk full', raw: 'disk full' });
    expect(web).not.toHaveProperty('password');
    expect(web).not.toHaveProperty('msg');
    expect(Number.isInteger(web.time)).toBe(true);

    const fwd = rows[3] as (typeof rows)[number];
    expect(fwd).toMatchObject({ database: 'api', table: 'events' });
    expect(fwd.record).toMatchObject({ hostname: hostname(), source_tag: 'td.api.events', service: 'api', table: 'events', env: 'staging', msg: 'via forward' });
    expect(fwd.record).not.toHaveProperty('password');
    expect(fwd.record).not.toHaveProperty('message'); // the modify filter matches td.web.** only

    expect(await metric(d.adminUrl(), 'tdfwd_filter_dropped_records_total', { filter: 'filters[1]' })).toBe(4);
    expect(await metric(d.adminUrl(), 'tdfwd_input_records_total', { input: 'http.0' })).toBe(3);
    expect((await d.stop()).code).toBe(0);
  });

  it('SIGHUP applies new filters to the records that come after it; the drop counter keeps its total', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const config = (filters: unknown[]) => ({
      buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
      inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
      filters,
      outputs: [tdOutput(ep.url)],
      admin: { listen: '127.0.0.1:0' },
    });
    const file = writeConfig(join(dir, 'tdfwd.yaml'), config([{ type: 'grep', match: '**', exclude: [{ key: 'drop', pattern: 'yes' }] }]));
    const d = await startDaemon(file);
    const send = async (records: unknown[]) => expect((await post(d.inputPort('http', 0), '/td.web.hits', JSON.stringify(records))).status).toBe(200);
    await send([{ seq: 0, drop: 'yes' }, { seq: 1 }]);
    writeConfig(file, config([{ type: 'record', match: '**', set: { stage: 'two' } }]));
    d.signal('SIGHUP');
    await d.waitLog((l) => l.msg.startsWith('config reloaded'));
    await waitFor(() => d.logs().filter((l) => l.input === 'http.0' && l.msg === 'http: listening').length >= 2, 10_000);
    await send([{ seq: 2, drop: 'yes' }]);
    await waitFor(() => storedRows(store).length >= 2, 20_000);
    const rows = storedRows(store).sort((a, b) => Number(a.record.seq) - Number(b.record.seq));
    expect(rows.map((r) => [r.record.seq, r.record.stage])).toEqual([
      [1, undefined],
      [2, 'two'],
    ]);
    expect(await metric(d.adminUrl(), 'tdfwd_filter_dropped_records_total', { filter: 'filters[0]' })).toBe(1);
    expect((await d.stop()).code).toBe(0);
  });

  // The encoder's fast path (tail lines here) runs the filters through its BlockFilter, the daemon's
  // FilterSlot.
  it('tail lines (the encoder fast path) are filtered as bytes, and drops counted', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const log = join(dir, 'app.log');
    const n = 1000;
    let text = '';
    for (let seq = 0; seq < n; seq++) text += `${JSON.stringify({ seq, level: seq % 4 === 0 ? 'info' : 'error', msg: `line ${seq}`, path: seq % 10 === 0 ? '/health' : '/api', password: 'p' })}\n`;
    writeFileSync(log, text);
    const d = await startDaemon(
      writeConfig(join(dir, 'tdfwd.yaml'), {
        buffer: { path: join(dir, 'buf'), flush_interval: '1s' },
        inputs: [{ type: 'tail', path: log, tag: 'td.web.access', format: 'json', read_from_head: true }],
        filters: FILTERS,
        outputs: [tdOutput(ep.url)],
        admin: { listen: '127.0.0.1:0' },
      }),
      { env: { DEPLOY_ENV: 'staging' } },
    );
    const kept = Array.from({ length: n }, (_, seq) => seq).filter((seq) => seq % 4 !== 0 && seq % 10 !== 0);
    await waitFor(() => storedRows(store).length >= kept.length, 20_000);
    const rows = storedRows(store).sort((a, b) => Number(a.record.seq) - Number(b.record.seq));
    expect(rows.map((r) => r.record.seq)).toEqual(kept);
    expect(rows[0]?.record).toMatchObject({ hostname: hostname(), service: 'web', env: 'staging', message: 'line 1', raw: 'line 1' });
    expect(rows.some((r) => 'password' in r.record || 'msg' in r.record)).toBe(false);
    expect(await metric(d.adminUrl(), 'tdfwd_filter_dropped_records_total', { filter: 'filters[1]' })).toBe(n - kept.length);
    expect((await d.stop()).code).toBe(0);
  });

  it('config check refuses an unknown placeholder, naming the key', async () => {
    const dir = work();
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(dir, 'buf') },
      inputs: [{ type: 'http', port: 0 }],
      filters: [{ type: 'record', match: '**', set: { service: '${tag_parts[x]}' } }],
      outputs: [{ type: 'stdout', match: '**' }],
    });
    const r = await runTdfwd(['-c', file, 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('filters[0].set.service: ${tag_parts[x]} is not a record placeholder');
    expect(r.stderr).not.toContain('    at ');
  });
});
