// The forward output's keys: defaults, the errors a user sees, and `config check`'s rendering.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfig } from '../../src/config/render.js';
import { ConfigError } from '../../src/core/errors.js';
import type { ForwardOutputConfig } from '../../src/outputs/forward/config.js';
import { forwardNotes } from '../../src/outputs/forward/output.js';

const env = { HOME: '/home/u', FORWARD_KEY: 'forward-shared-secret-1' };
const parse = (text: string) => parseConfigText(text, { env, source: 'test.yaml', baseDir: '/etc/tdfwd' });

function messageOf(text: string): string {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const minimal = 'outputs:\n  - { type: forward, match: "**", servers: [{ host: agg1.internal }] }\n';

describe('forward output config', () => {
  it('defaults follow fluentd out_forward', () => {
    const out = parse(minimal).outputs[0] as ForwardOutputConfig;
    expect(out).toMatchObject({
      type: 'forward',
      name: 'forward.0',
      servers: [{ host: 'agg1.internal', port: 24224, weight: 60, standby: false }],
      requireAckResponse: true,
      ackResponseTimeout: 190_000,
      compress: 'gzip',
      heartbeatInterval: 1000,
      timeout: 60_000,
    });
    expect(out.sharedKey).toBeUndefined();
    expect(out.tls).toBeUndefined();
    expect(out.selfHostname.length).toBeGreaterThan(0);
  });

  it('the shapes.md example parses; the shared key is a secret, masked by config check', () => {
    const cfg = parse(`outputs:
  - type: forward
    match: "**"
    servers:
      - { host: agg1.internal, port: 24224, weight: 60 }
      - { host: agg2.internal, port: 24224, weight: 40 }
      - { host: agg3.internal, port: 24224, standby: true }
    shared_key: \${FORWARD_KEY}
    self_hostname: web-1
    ack_response_timeout: 30s
    compress: none
    tls: { verify: false }
`);
    const out = cfg.outputs[0] as ForwardOutputConfig;
    expect(out.servers.map((s) => [s.weight, s.standby])).toEqual([[60, false], [40, false], [60, true]]);
    expect(out).toMatchObject({ sharedKey: 'forward-shared-secret-1', selfHostname: 'web-1', ackResponseTimeout: 30_000, compress: 'none', tls: { verify: false } });
    expect(cfg.secrets).toContain('forward-shared-secret-1');
    const text = renderConfig(cfg);
    expect(text).not.toContain('forward-shared-secret-1');
    expect(text).toContain('shared_key: "****et-1"');
    expect(text).toContain('ack_response_timeout: 30s');
  });

  it('bad keys are named with their path', () => {
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [] }\n')).toContain('outputs[0].servers: must not be empty');
    expect(messageOf('outputs:\n  - { type: forward, match: "**" }\n')).toContain('outputs[0].servers: required key is missing');
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a, standby: true }] }\n')).toContain(
      'outputs[0].servers: every server is a standby: mark at least one without standby: true',
    );
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a, prot: 1 }] }\n')).toContain(
      'outputs[0].servers[0].prot: unknown key (expected one of: host, port, weight, standby)',
    );
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a, weight: 0 }] }\n')).toContain('outputs[0].servers[0].weight: must be between 1 and 1000');
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a }], compress: zstd }\n')).toContain('outputs[0].compress');
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a }], tls: { ca_file: /no/such/ca.pem } }\n')).toContain(
      'outputs[0].tls.ca_file: cannot read /no/such/ca.pem: no such file',
    );
    expect(messageOf('outputs:\n  - { type: forward, match: "**", servers: [{ host: a }], tls: { cert_file: /etc/hostname } }\n')).toContain(
      'outputs[0].tls.key_file: is required with cert_file',
    );
  });
});

describe('forward output start notes', () => {
  const out = (yaml: string) => parse(`outputs:\n  - ${yaml}\n`).outputs[0] as ForwardOutputConfig;
  it('warns about tls.verify: false, and says when records leave this host in the clear', () => {
    expect(forwardNotes(out('{ type: forward, match: "**", servers: [{ host: agg.internal }], tls: { verify: false } }'))).toEqual([
      { level: 'warn', message: expect.stringMatching(/^forward\.0: tls\.verify is false: .*tls\.ca_file/) },
    ]);
    expect(forwardNotes(out('{ type: forward, match: "**", servers: [{ host: agg.internal }, { host: 127.0.0.1 }], shared_key: k }'))).toEqual([
      { level: 'info', message: 'forward.0: records go in the clear to agg.internal:24224 (the shared key only authenticates; set tls to encrypt)' },
    ]);
    expect(forwardNotes(out('{ type: forward, match: "**", servers: [{ host: 127.0.0.1 }] }'))).toEqual([]);
  });
});
