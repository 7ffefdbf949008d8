import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfig } from '../../src/config/render.js';

const parse = (text: string) => parseConfigText(text, { env: { HOME: '/home/u' }, source: 'test.yaml', baseDir: '/etc/tdfwd' });

function errorOf(text: string): string {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('syslog input config', () => {
  it('defaults: udp on 127.0.0.1:5140, auto format, 64KiB messages', () => {
    expect(parse('inputs:\n  - { type: syslog, tag: system }\n').inputs[0]).toEqual({
      type: 'syslog',
      protocol: 'udp',
      bind: '127.0.0.1',
      port: 5140,
      tag: 'system',
      format: 'auto',
      framing: 'auto',
      maxMessageSize: 64 * 1024,
      maxConnections: 1000,
    });
  });

  it('the shapes.md example parses', () => {
    const yaml = 'inputs:\n  - type: syslog\n    protocol: tcp\n    bind: 127.0.0.1\n    port: 5140\n    tag: system\n    format: rfc5424\n    framing: octet_counting\n    max_message_size: 64KiB\n';
    expect(parse(yaml).inputs[0]).toMatchObject({ protocol: 'tcp', format: 'rfc5424', framing: 'octet_counting' });
  });

  it('bad keys name the key and what is expected', () => {
    expect(errorOf('inputs:\n  - { type: syslog }\n')).toContain('inputs[0].tag: required key is missing');
    expect(errorOf('inputs:\n  - { type: syslog, tag: "a b" }\n')).toContain('inputs[0].tag: expected a tag like "system"');
    expect(errorOf('inputs:\n  - { type: syslog, tag: s, protocol: sctp }\n')).toContain('inputs[0].protocol: expected one of: udp, tcp (got "sctp")');
    expect(errorOf('inputs:\n  - { type: syslog, tag: s, framing: newline }\n')).toContain('inputs[0].framing: framing applies to protocol tcp only');
    expect(errorOf('inputs:\n  - { type: syslog, tag: s, protocol: tcp, framing: lines }\n')).toContain('inputs[0].framing: expected one of: auto, octet_counting, newline');
    expect(errorOf('inputs:\n  - { type: syslog, tag: s, source_address_key: ip }\n')).toMatch(/inputs\[0\]: unknown key.*source_address_key|inputs\[0\]\.source_address_key: unknown key/);
  });

  it('config check renders it back in the file style', () => {
    const cfg = parse('inputs:\n  - { type: syslog, tag: system, protocol: tcp, port: 1514 }\n');
    const text = renderConfig(cfg);
    expect(text).toContain('type: syslog');
    expect(text).toContain('protocol: tcp');
    expect(text).toContain('framing: auto');
    expect(text).toContain('max_message_size: 64KiB');
    expect(parse(text).inputs).toEqual(cfg.inputs);
  });
});

describe('syslog input tags and td outputs (daemon rules)', () => {
  const daemon = (text: string) => parseConfigText(text, { env: { HOME: '/home/u', TD_API_KEY: 'k' }, source: 'test.yaml', baseDir: '/etc/tdfwd', forDaemon: true });
  const td = 'outputs:\n  - { type: td, match: "**", apikey: "${TD_API_KEY}" }\n';

  it('a tag that makes four parts with facility and severity is refused before anything is buffered', () => {
    let message = '';
    try {
      daemon(`inputs:\n  - { type: syslog, tag: td.syslog }\n${td}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('inputs[0].tag: records are tagged td.syslog.<facility>.<severity> (e.g. td.syslog.user.notice): output td');
    expect(message).toContain('set database and table on the output');
  });

  it('a one-part tag (database = facility, table = severity) or a fixed database and table are fine', () => {
    expect(() => daemon(`inputs:\n  - { type: syslog, tag: td }\n${td}`)).not.toThrow();
    expect(() => daemon('inputs:\n  - { type: syslog, tag: td.syslog }\noutputs:\n  - { type: td, match: "**", apikey: k, database: logs, table: syslog }\n')).not.toThrow();
  });
});
