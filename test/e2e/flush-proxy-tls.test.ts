// What a user sees of proxies and TLS, through the real bin/tdfwd: `tdfwd flush` with a config file
// whose td output trusts a private CA (tls.ca_file), through a CONNECT proxy from HTTPS_PROXY; a 407
// from the proxy; `verify: false` warned on stderr; `config check` naming an unreadable ca_file.
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTdfwd } from '../helpers/cli.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { issueCert, makeCa, opensslMissing } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const noOpenssl = opensslMissing();
if (noOpenssl) console.log(`skipping the proxy/TLS e2e tests: ${noOpenssl}`);

async function setup(extra: string) {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const ca = makeCa(t.dir);
  const server = issueCert(ca, 'server');
  let imports = 0;
  const https = createHttpsServer({ cert: server.cert, key: server.key }, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'PUT') imports++;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => https.close(() => resolve())));
  const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  const config = join(t.dir, 'tdfwd.yaml');
  writeFileSync(config, `outputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${url}\n    apikey: k-0123456789abcdef\n${extra.replaceAll('CA', ca.certFile)}`);
  const buffer = join(t.dir, 'buf');
  const sent = await runTdfwd(['-c', config, '--buffer', buffer, 'send', '--tag', 'td.db.tbl'], { input: 'one\ntwo\nthree\n' });
  expect(sent.code).toBe(0);
  return { config, buffer, url, imports: () => imports };
}

async function proxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const p = await startProxy(opts);
  cleanups.push(() => p.close());
  return p;
}

describe.skipIf(noOpenssl !== null)('tdfwd flush through a proxy, with TLS settings', () => {
  it('HTTPS_PROXY + tls.ca_file: delivered through the CONNECT proxy; stderr names the proxy', async () => {
    const s = await setup('    tls: { ca_file: CA }\n');
    const p = await proxy();
    const r = await runTdfwd(['-c', s.config, '--buffer', s.buffer, 'flush', '--timeout', '20s'], { env: { HTTPS_PROXY: p.url } });
    expect(r.stderr).toContain(`tdfwd flush: td.0: sending to ${new URL(s.url).host} through the proxy ${p.url} (from HTTPS_PROXY)`);
    expect(r.stderr).toMatch(/delivered 3 records/);
    expect(r.code).toBe(0);
    expect(p.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(s.imports()).toBe(1);
  });

  it('407 from the proxy: exit 1, the reason names the proxy and the fix; nothing imported', async () => {
    const s = await setup('    tls: { ca_file: CA }\n');
    const p = await proxy({ credentials: 'u:right' });
    const r = await runTdfwd(['-c', s.config, '--buffer', s.buffer, 'flush', '--timeout', '2s'], { env: { HTTPS_PROXY: `http://u:wrong-password@127.0.0.1:${p.port}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the proxy http://u:****@127.0.0.1:${p.port} (from HTTPS_PROXY) refused the connection to the endpoint: 407 Proxy Authentication Required`);
    expect(r.stderr).not.toContain('wrong-password');
    expect(p.refused).toBeGreaterThanOrEqual(1);
    expect(s.imports()).toBe(0);
  });

  it('verify: false delivers to an untrusted certificate and warns once on stderr', async () => {
    const s = await setup('    tls: { verify: false }\n');
    const r = await runTdfwd(['-c', s.config, '--buffer', s.buffer, 'flush', '--timeout', '20s']);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('tls.verify is false'));
    expect(warnings).toEqual([expect.stringMatching(/^tdfwd flush: warning: td\.0: tls\.verify is false: the certificate of 127\.0\.0\.1:\d+ is not checked/)]);
    expect(s.imports()).toBe(1);
  });

  it('config check: an unreadable ca_file is exit 2 naming the key and the file', async () => {
    const s = await setup('');
    writeFileSync(s.config, `outputs:\n  - { type: td, match: "td.**", apikey: k, tls: { ca_file: /nonexistent/ca.pem } }\n`);
    const r = await runTdfwd(['-c', s.config, 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('outputs[0].tls.ca_file: cannot read /nonexistent/ca.pem: no such file');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
