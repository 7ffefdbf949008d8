import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../src/core/errors.js';
import { parseConfigText } from '../../src/config/load.js';
import type { HttpOutputConfig, TailInputConfig, TdOutputConfig } from '../../src/config/types.js';

const env = { HOME: '/home/u', TD_API_KEY: 'key-1234', TOKEN: 'tok-abc', FWD_KEY: 'fwd-secret' };
const parse = (text: string, e: NodeJS.ProcessEnv = env) => parseConfigText(text, { env: e, source: 'test.yaml', baseDir: '/etc/tdfwd' });

function errorOf(text: string, e: NodeJS.ProcessEnv = env): ConfigError {
  try {
    parse(text, e);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('an empty file is all defaults: no inputs, no outputs', () => {
    const cfg = parse('');
    expect(cfg.buffer).toEqual({
      path: '/home/u/.local/state/tdfwd',
      chunkLimitSize: 8 * 1024 ** 2,
      chunkLimitRecords: 100_000,
      flushInterval: 10_000,
      totalLimitSize: 2 * 1024 ** 3,
      overflowAction: 'block',
      sync: 'full',
    });
    expect(cfg.inputs).toEqual([]);
    expect(cfg.outputs).toEqual([]);
    expect(cfg.admin).toEqual({ listen: '127.0.0.1:24220' });
    expect(cfg.shutdownTimeout).toBe(10_000);
    expect(cfg.secrets).toEqual([]);
  });

  it('empty sections (every entry commented out) are treated as absent', () => {
    const cfg = parse('buffer:\ninputs:\noutputs:\nadmin:\n');
    expect(cfg.inputs).toEqual([]);
    expect(cfg.admin.listen).toBe('127.0.0.1:24220');
  });

  it('a td output gets every delivery default and the name td.0', () => {
    const cfg = parse('outputs:\n  - { type: td, match: "td.**", apikey: k }\n');
    expect(cfg.outputs[0]).toEqual({
      type: 'td',
      name: 'td.0',
      match: 'td.**',
      endpoint: 'https://api-import.treasuredata.com',
      apikey: 'k',
      database: undefined,
      table: undefined,
      autoCreateTable: true,
      timeout: 60_000,
      dedupWindow: 20 * 60_000,
      concurrency: { max: 8, adaptive: true, decreaseRatio: 0.5 },
      retry: {
        type: 'exponential',
        wait: 1000,
        maxWait: 5 * 60_000,
        jitter: 'full',
        randomize: 0.5,
        timeout: 72 * 3_600_000,
        maxAttempts: null,
      },
    } satisfies TdOutputConfig);
  });

  it('input defaults per type', () => {
    const cfg = parse(
      [
        'inputs:',
        '  - { type: stdin, tag: a }',
        '  - { type: tail, path: /x.log, tag: b }',
        '  - { type: forward }',
        '  - { type: http }',
      ].join('\n'),
    );
    expect(cfg.inputs[0]).toEqual({ type: 'stdin', tag: 'a', format: 'none', timeKey: undefined });
    expect(cfg.inputs[1]).toMatchObject({
      type: 'tail',
      path: ['/x.log'],
      exclude: [],
      format: 'none',
      readFromHead: false,
      rotateWait: 5000,
      refreshInterval: 10_000,
      maxLineSize: 1024 ** 2,
      multilineFlushInterval: 1000,
    });
    expect(cfg.inputs[2]).toMatchObject({ type: 'forward', bind: '127.0.0.1', port: 24224, sharedKey: undefined });
    expect(typeof (cfg.inputs[2] as { selfHostname: string }).selfHostname).toBe('string');
    expect(cfg.inputs[3]).toEqual({ type: 'http', bind: '127.0.0.1', port: 9880, maxBodySize: 8 * 1024 ** 2 });
  });

  it('http and stdout output defaults; names are <type>.<index>', () => {
    const cfg = parse(
      ['outputs:', '  - { type: stdout, match: "**" }', '  - { type: http, match: "a.*", url: "http://h/x" }'].join('\n'),
    );
    expect(cfg.outputs[0]).toMatchObject({ type: 'stdout', name: 'stdout.0', format: 'ndjson' });
    expect(cfg.outputs[1]).toMatchObject({
      type: 'http',
      name: 'http.1',
      method: 'POST',
      format: 'ndjson',
      compress: 'gzip',
      headers: {},
    });
  });
});

describe('every type with explicit values', () => {
  const cfg = parseConfigText(readFileSync('test/fixtures/config/all-types.yaml', 'utf8'), {
    env,
    source: 'test/fixtures/config/all-types.yaml',
  });

  it('buffer (relative path from the config file) and admin off', () => {
    expect(cfg.buffer).toEqual({
      path: `${process.cwd()}/test/fixtures/config/state/buf`,
      chunkLimitSize: 1024 ** 2,
      chunkLimitRecords: 500,
      flushInterval: 2000,
      totalLimitSize: 100_000_000,
      overflowAction: 'drop_oldest_chunk',
      sync: 'normal',
    });
    expect(cfg.admin.listen).toBeNull();
    expect(cfg.shutdownTimeout).toBe(30_000);
  });

  it('inputs', () => {
    expect(cfg.inputs[0]).toEqual({ type: 'stdin', tag: 'app.stdin', format: 'ltsv', timeKey: 'ts' });
    expect(cfg.inputs[1]).toEqual({
      type: 'tail',
      path: ['/var/log/a.log', '/var/log/b/*.log'],
      exclude: ['/var/log/b/skip.log'],
      tag: 'td.app.tail',
      format: 'regexp:^(?<level>\\w+) (?<message>.*)$',
      timeKey: undefined,
      readFromHead: true,
      rotateWait: 30_000,
      refreshInterval: 60_000,
      maxLineSize: 64 * 1024,
      multilineStart: '^\\S',
      multilineFlushInterval: 500,
    } satisfies TailInputConfig);
    expect(cfg.inputs[2]).toEqual({ type: 'forward', bind: '0.0.0.0', port: 0, sharedKey: 'fwd-secret', selfHostname: 'agent-1' });
    expect(cfg.inputs[3]).toEqual({ type: 'http', bind: '0.0.0.0', port: 19880, maxBodySize: 1024 ** 2 });
  });

  it('outputs', () => {
    expect(cfg.outputs[0]).toMatchObject({
      type: 'td',
      name: 'main',
      match: 'td.{app,web}.**',
      endpoint: 'https://api-import.example.com',
      apikey: 'key-1234',
      database: 'db1',
      table: 't01',
      autoCreateTable: false,
      timeout: 30_000,
      dedupWindow: 600_000,
      concurrency: { max: 2, adaptive: false, decreaseRatio: 0.25 },
      retry: { type: 'periodic', wait: 5000, maxWait: 60_000, jitter: 'none', randomize: 0.125, timeout: 3_600_000, maxAttempts: 10 },
    });
    const http = cfg.outputs[1] as HttpOutputConfig;
    expect(http).toMatchObject({ name: 'http.1', method: 'PUT', format: 'msgpack', compress: 'none' });
    expect(http.headers).toEqual({
      Authorization: 'Bearer tok-abc',
      'X-Api-Key': 'abcdefghijklmnopqrstuvwxyz',
      'X-Trace': 'on',
      'X-Count': '5',
    });
    expect(cfg.outputs[2]).toMatchObject({ type: 'stdout', name: 'stdout.2', match: '**', format: 'json' });
  });

  it('secrets: apikey, shared_key, credential header values', () => {
    expect(cfg.secrets.sort()).toEqual(['Bearer tok-abc', 'abcdefghijklmnopqrstuvwxyz', 'fwd-secret', 'key-1234', 'tok-abc'].sort());
  });
});

describe('values from ${VAR} are strings and still parse as numbers, switches, durations', () => {
  it('port, read_from_head, flush_interval from the environment', () => {
    const cfg = parse(
      'buffer: { flush_interval: "${FI}" }\ninputs:\n  - { type: tail, path: /x, tag: t, read_from_head: "${RFH}" }\n  - { type: http, port: "${PORT}" }\n',
      { ...env, FI: '3s', RFH: 'true', PORT: '8081' },
    );
    expect(cfg.buffer.flushInterval).toBe(3000);
    expect((cfg.inputs[0] as TailInputConfig).readFromHead).toBe(true);
    expect(cfg.inputs[1]).toMatchObject({ port: 8081 });
  });

  it('numbers are accepted for durations (seconds) and sizes (bytes)', () => {
    const cfg = parse('buffer: { flush_interval: 2.5, chunk_limit_size: 4096 }\nshutdown_timeout: 0\n');
    expect(cfg.buffer.flushInterval).toBe(2500);
    expect(cfg.buffer.chunkLimitSize).toBe(4096);
    expect(cfg.shutdownTimeout).toBe(0);
  });
});

describe('error messages name the key path', () => {
  it('unknown key, listing the known ones', () => {
    const err = errorOf('inputs:\n  - { type: stdin, tag: a }\n  - { type: tail, pathz: /x, tag: b }\n');
    expect(err.path).toBe('inputs[1].pathz');
    expect(err.message.split('\n')[0]).toBe(
      'inputs[1].pathz: unknown key (expected one of: path, exclude, tag, format, time_key, read_from_head, ' +
        'rotate_wait, refresh_interval, max_line_size, multiline_start, multiline_flush_interval)',
    );
    expect(err.message).toContain('inputs[1].path: required key is missing');
    expect(err.exitCode).toBe(2);
  });

  it('unknown top-level and nested keys', () => {
    expect(errorOf('bufer: {}\n').message).toBe(
      'bufer: unknown key (expected one of: buffer, inputs, filters, outputs, routing, admin, shutdown_timeout)',
    );
    expect(errorOf('outputs:\n  - { type: td, match: x, apikey: k, retry: { wiat: 1s } }\n').message).toMatch(
      /^outputs\[0\]\.retry\.wiat: unknown key \(expected one of: type, wait, max_wait, jitter, randomize, timeout, max_attempts\)$/,
    );
  });

  it('bad duration at outputs[0].retry.max_wait', () => {
    const err = errorOf('outputs:\n  - type: td\n    match: "td.**"\n    apikey: k\n    retry: { max_wait: 5 minutes }\n');
    expect(err.path).toBe('outputs[0].retry.max_wait');
    expect(err.message).toBe('outputs[0].retry.max_wait: expected a duration like "30s" (got "5 minutes")');
  });

  it('bad size', () => {
    expect(errorOf('buffer: { total_limit_size: 2 gigs }\n').message).toBe(
      'buffer.total_limit_size: expected a size like "8MiB" (got "2 gigs")',
    );
    expect(errorOf('buffer: { chunk_limit_size: 0 }\n').message).toBe('buffer.chunk_limit_size: must be larger than 0 (got 0)');
  });

  it('bad enum lists the allowed values', () => {
    expect(errorOf('buffer: { overflow_action: drop }\n').message).toBe(
      'buffer.overflow_action: expected one of: block, drop_oldest_chunk, throw_exception (got "drop")',
    );
    expect(errorOf('outputs:\n  - { type: td, match: x, apikey: k, retry: { jitter: half } }\n').message).toBe(
      'outputs[0].retry.jitter: expected one of: full, equal, none (got "half")',
    );
    expect(errorOf('inputs:\n  - { type: stdin, tag: a, format: xml }\n').message).toBe(
      'inputs[0].format: expected one of: none, json, ltsv, nginx, apache2, regexp:<pattern> (got "xml")',
    );
  });

  it('unknown or missing type', () => {
    expect(errorOf('inputs:\n  - { type: kafka }\n').message).toBe(
      'inputs[0].type: expected one of: stdin, tail, forward, http, syslog (got "kafka")',
    );
    expect(errorOf('outputs:\n  - { match: x }\n').message).toBe(
      'outputs[0].type: required key is missing (one of: td, http, stdout, forward)',
    );
  });

  it('wrong kinds of values', () => {
    expect(errorOf('inputs:\n  - { type: stdin, tag: 3 }\n').message).toBe('inputs[0].tag: expected a string (got 3)');
    expect(errorOf('inputs: { type: stdin }\n').message).toBe('inputs: expected a list (got a mapping)');
    expect(errorOf('inputs:\n  - { type: http, port: 70000 }\n').message).toBe('inputs[0].port: must be between 0 and 65535 (got 70000)');
    expect(errorOf('inputs:\n  - { type: tail, path: [], tag: t }\n').message).toBe('inputs[0].path: must name at least one entry');
    expect(errorOf('outputs:\n  - { type: td, match: "", apikey: k }\n').message).toBe('outputs[0].match: must not be empty');
    expect(errorOf('outputs:\n  - { type: td, match: x, apikey: k, concurrency: { max: 0 } }\n').message).toBe(
      'outputs[0].concurrency.max: must be between 1 and 1024 (got 0)',
    );
    expect(errorOf('outputs:\n  - { type: td, match: x, apikey: k, retry: { max_attempts: many } }\n').message).toBe(
      'outputs[0].retry.max_attempts: expected null (no limit) or a whole number >= 1 (got "many")',
    );
    expect(errorOf('outputs:\n  - { type: http, match: x, url: "ftp://h/x" }\n').message).toMatch(/^outputs\[0\]\.url: expected an http\(s\) URL/);
    expect(errorOf('admin: { listen: 24220 }\n').message).toMatch(/^admin\.listen: expected host:port like "127\.0\.0\.1:24220", or off/);
    expect(errorOf('inputs:\n  - { type: tail, path: /x, tag: t, multiline_start: "(" }\n').message).toMatch(
      /^inputs\[0\]\.multiline_start: is not a valid regular expression/,
    );
  });

  it('an empty td apikey and duplicate output names are errors', () => {
    expect(errorOf('outputs:\n  - { type: td, match: x, apikey: "${K:-}" }\n').message).toMatch(/^outputs\[0\]\.apikey: is empty; set it/);
    expect(errorOf('outputs:\n  - { type: stdout, match: a, name: s }\n  - { type: stdout, match: b, name: s }\n').message).toBe(
      'outputs[1].name: "s" is already the name of outputs[0]; give each output its own name',
    );
  });

  it('reports every problem, one per line', () => {
    const err = errorOf('buffer: { sync: fast, flush_interval: soon }\n');
    expect(err.message.split('\n')).toEqual([
      'buffer.flush_interval: expected a duration like "30s" (got "soon")',
      'buffer.sync: expected one of: full, normal (got "fast")',
    ]);
  });

  it('a YAML syntax error names the file and line', () => {
    const err = errorOf('outputs:\n  - type: td\n    match: "td.**"\n   retry: {}\n');
    expect(err.message).toMatch(/^test\.yaml:4:\d+: YAML syntax error: /);
    expect(errorOf('a: 1\na: 2\n').message).toMatch(/^test\.yaml:2:1: YAML syntax error: Map keys must be unique/);
  });

  it('an unquoted ${VAR} inside { } gets a hint', () => {
    expect(errorOf('inputs:\n  - { type: forward, shared_key: ${FWD_KEY} }\n').message).toMatch(
      /^test\.yaml:2:\d+: YAML syntax error: .*; inside \{ \} or \[ \], write "\$\{VAR\}" in quotes$/,
    );
  });

  it('a header value that is not a scalar, and an unresolved YAML alias', () => {
    expect(errorOf('outputs:\n  - { type: http, match: a, url: "http://h/", headers: { A: { b: 1 } } }\n').message).toBe(
      'outputs[0].headers.A: expected a header value string (got a mapping)',
    );
    expect(errorOf('shutdown_timeout: *nowhere\n').message).toMatch(/^test\.yaml: YAML error: Unresolved alias/);
  });

  it('a file that is not a mapping', () => {
    expect(errorOf('- a\n- b\n').message).toBe('test.yaml: the config must be a YAML mapping with keys like buffer, inputs, outputs');
  });
});
