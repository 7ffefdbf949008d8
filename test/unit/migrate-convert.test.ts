// td-agent.conf → tdfwd YAML on realistic files (test/fixtures/td-agent/*.conf, the expected YAML next
// to each), and the converted configs that use only keys tdfwd has today pass the real config check.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { convert } from '../../src/migrate/convert.js';
import { emitYaml } from '../../src/migrate/emit-yaml.js';
import { parseFluentdConfig, readFluentdConfig } from '../../src/migrate/fluentd-config.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/td-agent/${name}`, import.meta.url));

function migrateFile(name: string): string {
  const file = fixture(`${name}.conf`);
  return emitYaml(convert(readFluentdConfig(file), file), { source: `${name}.conf`, version: 'VERSION' });
}

function migrateText(text: string): { yaml: string; tree: Record<string, unknown>; notConverted: number } {
  const m = convert(parseFluentdConfig(text, '/etc/td-agent/td-agent.conf'), '/etc/td-agent/td-agent.conf');
  const yaml = emitYaml(m, { source: 'td-agent.conf', version: 'VERSION' });
  return { yaml, tree: YAML.parse(yaml) as Record<string, unknown>, notConverted: m.notConverted };
}

describe('tdfwd migrate: realistic td-agent.conf files', () => {
  it.each(['td-agent4-default', 'td-agent2-default', 'nginx-host', 'aggregator', 'unsupported'])('%s.conf converts to %s.expected.yaml', (name) => {
    expect(migrateFile(name)).toBe(readFileSync(fixture(`${name}.expected.yaml`), 'utf8'));
  });

  it.each(['td-agent4-default', 'td-agent2-default'])('the converted %s passes tdfwd config check', (name) => {
    const cfg = parseConfigText(migrateFile(name), { env: { TD_API_KEY: 'k' }, source: `${name}.yaml`, forDaemon: true, baseDir: '/tmp' });
    expect(cfg.inputs.map((i) => i.type)).toEqual(['forward', 'http']);
    expect(cfg.outputs.map((o) => `${o.type} ${o.match}`)).toEqual(['td td.*.*', 'stdout debug.**']);
  });

  it('the converted nginx host passes tdfwd config check, filters included', () => {
    const cfg = parseConfigText(migrateFile('nginx-host'), { env: { TD_API_KEY: 'k', DEPLOY_ENV: 'prod' }, source: 'nginx-host.yaml', forDaemon: true, baseDir: '/tmp' });
    expect(cfg.filters.map((f) => f.type).length).toBeGreaterThan(0);
    expect(cfg.filters.every((f) => ['record', 'grep', 'modify'].includes(f.type))).toBe(true);
  });

  it('the converted aggregator (forward in and out with TLS, copy) passes the schema; only its certificate files are missing here', () => {
    let message = '';
    try {
      parseConfigText(migrateFile('aggregator'), { env: { TD_API_KEY: 'k', FORWARD_KEY: 'a', UPSTREAM_KEY: 'b' }, source: 'aggregator.yaml', forDaemon: true, baseDir: '/tmp' });
    } catch (err) {
      message = (err as Error).message;
    }
    const problems = message.split('\n').filter((l) => l.trim() !== '');
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(p).toMatch(/\.tls\.(cert_file|key_file|ca_file): cannot read \/etc\/td-agent\/certs\/.*: no such file$/);
  });

  it('the converted config full of unsupported parts still passes tdfwd config check', () => {
    const cfg = parseConfigText(migrateFile('unsupported'), { env: { TD_API_KEY: 'k' }, source: 'unsupported.yaml', forDaemon: true, baseDir: '/tmp' });
    expect(cfg.outputs.length).toBeGreaterThan(0);
  });

  it('the nginx host, without its filters, passes tdfwd config check: tail, td output, buffer and retry keys', () => {
    const tree = YAML.parse(migrateFile('nginx-host')) as Record<string, unknown>;
    delete tree.filters;
    const cfg = parseConfigText(YAML.stringify(tree), { env: { TD_API_KEY: 'k' }, source: 'nginx-host.yaml', forDaemon: true, baseDir: '/tmp' });
    const tails = cfg.inputs.filter((i) => i.type === 'tail');
    expect(tails.map((t) => t.format)).toEqual(['nginx', 'json', expect.stringMatching(/^regexp:\^\(\?<time>/)]);
    expect(tails[2]).toMatchObject({ multilineStart: '^\\d{4}-\\d{2}-\\d{2}', multilineFlushInterval: 2000 });
    expect(tails[0]).toMatchObject({ readFromHead: true, rotateWait: 10_000, refreshInterval: 30_000 });
    expect(cfg.buffer).toMatchObject({ chunkLimitSize: 8 * 1024 ** 2, totalLimitSize: 1024 ** 3, flushInterval: 10_000, overflowAction: 'drop_oldest_chunk' });
    const td = cfg.outputs[0]!;
    expect(td).toMatchObject({ type: 'td', name: 'td', concurrency: { max: 4 } });
    expect(td.retry).toMatchObject({ type: 'exponential', wait: 1000, maxWait: 300_000, timeout: 72 * 3_600_000, maxAttempts: 31 });
  });
});

describe('tdfwd migrate: conversion rules', () => {
  it('a copy becomes routing: copy, one output per store, and names outputs of other matches that now get the same tags', () => {
    const { yaml, tree, notConverted } = migrateText(`
<match td.*.*>
  @type copy
  <store>
    @type tdlog
    apikey k
  </store>
  <store>
    @type stdout
  </store>
</match>
<match **>
  @type stdout
</match>
`);
    expect(tree.routing).toBe('copy');
    expect((tree.outputs as Array<{ type: string; match: string }>).map((o) => `${o.type} ${o.match}`)).toEqual(['td td.*.*', 'stdout td.*.*', 'stdout **']);
    expect(yaml).toContain("# not converted: fluentd's first-match order between <match td.*.*> (td-agent.conf:2) and <match **> (td-agent.conf:12): a tag both accept now goes to both");
    expect(notConverted).toBe(1);
  });

  it('keeps a network input listening where fluentd listened (0.0.0.0 by default)', () => {
    const { tree } = migrateText('<source>\n  @type forward\n</source>\n<source>\n  @type http\n  bind 127.0.0.1\n</source>\n');
    expect(tree.inputs).toEqual([
      { type: 'forward', bind: '0.0.0.0', port: 24224 },
      { type: 'http', bind: '127.0.0.1', port: 9880 },
    ]);
  });

  it('old-style grep (regexp1/exclude1) and a record filter with an environment value', () => {
    const { tree } = migrateText(`
<filter app.**>
  @type grep
  regexp1 level ^(error|warn)$
  exclude1 path /^\\/health/
</filter>
<filter **>
  @type record_modifier
  <record>
    region "#{ENV.fetch('REGION', 'eu')}"
    last \${tag_parts[-1]}
  </record>
</filter>
`);
    expect(tree.filters).toEqual([
      { type: 'grep', match: 'app.**', regexp: [{ key: 'level', pattern: '^(error|warn)$' }], exclude: [{ key: 'path', pattern: '^\\/health' }] },
      { type: 'record', match: '**', set: { region: '${REGION:-eu}', last: '${tag_parts[-1]}' } },
    ]);
  });

  it('a td output without TLS gets an http:// endpoint; a later output with another buffer value gets a note', () => {
    const { yaml, tree } = migrateText(`
<match td.*.*>
  @type tdlog
  apikey k
  endpoint 127.0.0.1:8080
  use_ssl false
  <buffer>
    flush_interval 1s
    retry_randomize false
  </buffer>
</match>
<match x.**>
  @type stdout
  <buffer>
    flush_interval 60s
  </buffer>
</match>
`);
    const td = (tree.outputs as Array<Record<string, unknown>>)[0]!;
    expect(td).toMatchObject({ endpoint: 'http://127.0.0.1:8080', retry: { jitter: 'none' } });
    expect(tree.buffer).toEqual({ flush_interval: '1s' });
    expect(yaml).toContain('# not converted: td-agent.conf:15 flush_interval 60s (tdfwd has one buffer for all outputs; its flush_interval is 1s, from td-agent.conf:8)');
  });

  it('masks secrets in the comments of parts it could not convert', () => {
    const { yaml } = migrateText('<match **>\n  @type s3\n  aws_sec_key SECRETSECRET\n</match>\n<source>\n  @type forward\n  <security>\n    shared_key abc\n    user_auth true\n    password hunter2\n  </security>\n</source>\n');
    expect(yaml).not.toContain('SECRETSECRET');
    expect(yaml).not.toContain('hunter2');
    expect(yaml).toContain('password **** (no tdfwd equivalent)');
  });

  it('out_forward without certificate checks, a periodic retry without randomness, and in_forward TLS without client certificates', () => {
    const { yaml, tree } = migrateText(`
<source>
  @type forward
  <transport tls>
    cert_path /c.pem
    private_key_path /k.pem
    ca_path /ca.pem
  </transport>
</source>
<match **>
  @type forward
  transport tls
  tls_insecure_mode true
  tls_client_cert_path /client.pem
  tls_client_private_key_path /client.key
  <server>
    host 10.0.0.1
  </server>
  <buffer>
    retry_type periodic
    retry_wait 30s
    retry_randomize false
  </buffer>
</match>
`);
    expect((tree.inputs as unknown[])[0]).toEqual({ type: 'forward', bind: '0.0.0.0', port: 24224, tls: { cert_file: '/c.pem', key_file: '/k.pem' } });
    expect(yaml).toContain('ca_path /ca.pem (without client_cert_auth true fluentd does not check client certificates; tdfwd would)');
    expect((tree.outputs as unknown[])[0]).toEqual({
      type: 'forward',
      match: '**',
      servers: [{ host: '10.0.0.1', port: 24224 }],
      tls: { verify: false, cert_file: '/client.pem', key_file: '/client.key' },
      retry: { type: 'periodic', wait: '30s', randomize: 0 },
    });
  });
});
