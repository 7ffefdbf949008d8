// The `tls` and `proxy` keys through the real loader: shapes, file checks naming the key, relative
// paths from the config file's directory, secrets masked, and `config check`'s rendering re-parsing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { renderConfig } from '../../src/config/render.js';
import type { ForwardInputConfig, HttpOutputConfig, TdOutputConfig } from '../../src/config/types.js';
import { ConfigError } from '../../src/core/errors.js';
import { clientTlsOptions, defaultRoots } from '../../src/outputs/tls-options.js';
import { issueCert, makeCa, opensslMissing } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function tmp(): string {
  const t = tempDir('tdfwd-tls-config-');
  cleanups.push(t.cleanup);
  return t.dir;
}

function load(yaml: string, dir: string) {
  return parseConfigText(yaml, { env: { HOME: dir }, source: join(dir, 'tdfwd.yaml'), bufferFlag: join(dir, 'buf') });
}

function problemOf(yaml: string, dir: string): string {
  try {
    load(yaml, dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const td = (extra: string) => `outputs:\n  - type: td\n    match: "td.**"\n    apikey: k-0123456789abcdef\n${extra}`;

const noOpenssl = opensslMissing();

describe('outputs[].tls', () => {
  it('an unreadable ca_file is a config error naming the key and the file', () => {
    const dir = tmp();
    expect(problemOf(td('    tls: { ca_file: /nonexistent/ca.pem }\n'), dir)).toBe('outputs[0].tls.ca_file: cannot read /nonexistent/ca.pem: no such file');
  });

  it('a file that is not PEM, a cert without its key, an unknown key: each named', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'junk.pem'), 'not a certificate\n');
    const msg = problemOf(td('    tls: { ca_file: junk.pem, cert_file: junk.pem, verfy: false }\n'), dir);
    expect(msg).toContain('outputs[0].tls.verfy: unknown key (expected one of: ca_file, verify, cert_file, key_file)');
    const msg2 = problemOf(td('    tls: { ca_file: junk.pem, cert_file: junk.pem }\n'), dir);
    expect(msg2).toContain('outputs[0].tls.key_file: is required with cert_file');
    const msg3 = problemOf(td('    tls: { ca_file: junk.pem }\n'), dir);
    expect(msg3).toBe(`outputs[0].tls.ca_file: ${join(dir, 'junk.pem')} is not a PEM certificate file (no -----BEGIN CERTIFICATE----- line)`);
  });

  it.skipIf(noOpenssl !== null)('relative files are from the config file directory; a mismatched cert and key are refused', () => {
    const dir = tmp();
    const ca = makeCa(dir);
    const a = issueCert(ca, 'a');
    const b = issueCert(ca, 'b');
    const cfg = load(td('    tls: { ca_file: test-ca.pem, cert_file: a.pem, key_file: a.key, verify: true }\n'), dir);
    const out = cfg.outputs[0] as TdOutputConfig;
    expect(out.tls).toEqual({ caFile: ca.certFile, verify: true, certFile: a.certFile, keyFile: a.keyFile });
    const msg = problemOf(td(`    tls: { cert_file: ${a.certFile}, key_file: ${b.keyFile} }\n`), dir);
    expect(msg).toMatch(/^outputs\[0\]\.tls: cert_file and key_file do not belong together \(.*mismatch.*\)$/);
  });

  it.skipIf(noOpenssl !== null)('clientTlsOptions: ca_file added to the default roots, one SecureContext, verify → rejectUnauthorized', () => {
    const dir = tmp();
    const ca = makeCa(dir);
    expect(clientTlsOptions(undefined)).toEqual({});
    expect(clientTlsOptions({ verify: false, caFile: undefined, certFile: undefined, keyFile: undefined })).toEqual({ rejectUnauthorized: false });
    const o = clientTlsOptions({ verify: true, caFile: ca.certFile, certFile: undefined, keyFile: undefined });
    expect(o.rejectUnauthorized).toBe(true);
    expect(o.secureContext).toBeDefined();
    expect(defaultRoots().length).toBeGreaterThan(50); // the system roots stay trusted
    expect(() => clientTlsOptions({ verify: true, caFile: join(dir, 'gone.pem'), certFile: undefined, keyFile: undefined }, 'outputs[0].tls')).toThrow(
      `outputs[0].tls.ca_file: cannot read ${join(dir, 'gone.pem')}: no such file`,
    );
  });
});

describe('outputs[].proxy', () => {
  it('a URL or off; anything else is an error that does not print the password', () => {
    const dir = tmp();
    const cfg = load(td('    proxy: http://u:s3cretpassword@proxy.internal:3128\n'), dir);
    expect((cfg.outputs[0] as TdOutputConfig).proxy).toBe('http://u:s3cretpassword@proxy.internal:3128');
    expect(cfg.secrets).toContain('s3cretpassword');
    expect(renderConfig(cfg)).toContain('proxy: http://u:****@proxy.internal:3128');
    expect(renderConfig(cfg)).not.toContain('s3cretpassword');
    expect((load(td('    proxy: "off"\n'), dir).outputs[0] as TdOutputConfig).proxy).toBe('off');
    expect(problemOf(td('    proxy: socks5://u:pw@h:1080\n'), dir)).toBe(
      'outputs[0].proxy: expected an http:// or https:// proxy URL, not socks5:// (got "socks5://u:****@h:1080"); or write off for a direct connection',
    );
    expect(problemOf(td('    proxy: proxy.internal\n'), dir)).toMatch(/^outputs\[0\]\.proxy: expected a proxy URL like "http:\/\/proxy.internal:3128"/);
  });

  it('http outputs take proxy and tls too; stdout does not', () => {
    const dir = tmp();
    const cfg = load('outputs:\n  - { type: http, match: "**", url: "https://c.example/in", proxy: "off", tls: { verify: false } }\n', dir);
    expect(cfg.outputs[0] as HttpOutputConfig).toMatchObject({ proxy: 'off', tls: { verify: false } });
    expect(problemOf('outputs:\n  - { type: stdout, match: "**", proxy: "off" }\n', dir)).toMatch(/^outputs\[0\]\.proxy: unknown key/);
  });
});

describe('inputs[].tls (forward)', () => {
  it('cert_file and key_file are required; files are checked', () => {
    const dir = tmp();
    const fwd = (tls: string) => `inputs:\n  - { type: forward, port: 0, tls: ${tls} }\n`;
    expect(problemOf(fwd('{ ca_file: /x.pem }'), dir)).toMatch(/inputs\[0\]\.tls\.cert_file: required key is missing/);
    expect(problemOf(fwd('{ cert_file: /nope.pem, key_file: /nope.key }'), dir)).toBe(
      'inputs[0].tls.cert_file: cannot read /nope.pem: no such file\ninputs[0].tls.key_file: cannot read /nope.key: no such file',
    );
  });

  it.skipIf(noOpenssl !== null)('resolved and rendered back by config check', () => {
    const dir = tmp();
    const ca = makeCa(dir);
    const s = issueCert(ca, 'server');
    const cfg = load(`inputs:\n  - { type: forward, port: 0, tls: { cert_file: server.pem, key_file: server.key, ca_file: test-ca.pem } }\n`, dir);
    expect((cfg.inputs[0] as ForwardInputConfig).tls).toEqual({ certFile: s.certFile, keyFile: s.keyFile, caFile: ca.certFile });
    const again = load(renderConfig(cfg), dir);
    expect(again.inputs).toEqual(cfg.inputs);
  });
});
