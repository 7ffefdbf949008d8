// The td and http outputs through real TLS and a real proxy on loopback: an HTTPS endpoint with a
// certificate from a CA made by openssl at test time, mutual TLS, and a CONNECT / forwarding proxy
// (test/helpers/proxy.ts) that counts its tunnels. The outputs are the real ones (TdOutput,
// HttpOutput) with the environment passed in, as the daemon passes process.env.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { HttpOutputConfig, TdOutputConfig } from '../../src/config/types.js';
import { newChunkKey } from '../../src/core/chunk.js';
import type { SealedChunk } from '../../src/core/chunk.js';
import { encodeRecords, gzipPayload } from '../../src/codec/msgpack.js';
import { HttpOutput } from '../../src/outputs/http/output.js';
import { TdOutput } from '../../src/outputs/td/output.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { issueCert, makeCa, opensslMissing, type TestCa } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const noOpenssl = opensslMissing();
if (noOpenssl) console.log(`skipping the TLS and proxy tests: ${noOpenssl}`);

interface Endpoint {
  url: string;
  requests: { method: string; url: string; auth: string | undefined; clientCert: string | undefined }[];
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** An import endpoint answering 200 to everything, over https (with `tls`) or plain http. */
async function endpoint(tls?: ServerOptions): Promise<Endpoint> {
  const requests: Endpoint['requests'] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      const peer = (req.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } }).getPeerCertificate?.();
      requests.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, clientCert: peer?.subject?.CN });
      res.end('{}');
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  const port = await listen(server);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, requests };
}

const payload = await gzipPayload(encodeRecords([{ time: 1_700_000_000, message: 'hello' }]));

function chunk(): SealedChunk {
  return { key: newChunkKey(), tag: 'td.db1.tbl1', payload, records: 1, bytes: payload.length } as unknown as SealedChunk;
}

let ca: TestCa;
function pki() {
  const t = tempDir('tdfwd-tls-');
  cleanups.push(t.cleanup);
  ca = makeCa(t.dir);
  const other = makeCa(t.dir, 'other');
  return { dir: t.dir, ca, other, server: issueCert(ca, 'server'), client: issueCert(ca, 'client') };
}

/** A td output from YAML, through the real loader (file checks included). */
function tdOutput(dir: string, endpointUrl: string, extra: string, env: NodeJS.ProcessEnv = {}): TdOutput {
  const yaml = `outputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${endpointUrl}\n    apikey: k-0123456789abcdef\n    timeout: 5s\n${extra}`;
  const cfg = parseConfigText(yaml, { env: { HOME: dir }, source: `${dir}/tdfwd.yaml`, bufferFlag: `${dir}/buf` });
  const out = new TdOutput({ ...(cfg.outputs[0] as TdOutputConfig), autoCreateTable: false }, env);
  cleanups.push(() => out.close());
  return out;
}

async function proxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const p = await startProxy(opts);
  cleanups.push(() => p.close());
  return p;
}

describe.skipIf(noOpenssl !== null)('td output: TLS', () => {
  it('tls.ca_file trusts a private CA; without it the same endpoint is a one-line "not trusted" retry', async () => {
    const { dir, ca: c, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const without = await tdOutput(dir, ep.url, '').send(chunk());
    expect(without).toMatchObject({ kind: 'retry', backpressure: false });
    expect((without as { reason: string }).reason).toMatch(/^the endpoint's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*\); trust its CA with the output's tls\.ca_file/);
    expect((without as { reason: string }).reason).not.toContain('\n');
    expect(ep.requests).toHaveLength(0);
    const ok = await tdOutput(dir, ep.url, `    tls: { ca_file: ${c.certFile} }\n`).send(chunk());
    expect(ok).toMatchObject({ kind: 'success', status: 200 });
    expect(ep.requests[0]).toMatchObject({ method: 'PUT', auth: 'TD1 k-0123456789abcdef' });
  });

  it('a wrong CA: a one-line TLS error and a retry (not in doubt), nothing reached the endpoint', async () => {
    const { dir, other, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const r = await tdOutput(dir, ep.url, `    tls: { ca_file: ${other.certFile} }\n`).send(chunk());
    expect(r.kind).toBe('retry');
    expect((r as { reason: string }).reason).toMatch(/TLS certificate is not trusted/);
    expect((r as { reason: string }).reason).not.toContain('\n');
    expect(ep.requests).toHaveLength(0);
  });

  it('verify: false accepts an untrusted certificate, and says so once as a warning note', async () => {
    const { dir, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const out = tdOutput(dir, ep.url, '    tls: { verify: false }\n');
    expect(await out.send(chunk())).toMatchObject({ kind: 'success' });
    expect(out.notes).toEqual([{ level: 'warn', message: expect.stringMatching(/^td\.0: tls\.verify is false: the certificate of 127\.0\.0\.1:\d+ is not checked/) }]);
  });

  it('mutual TLS: a server requiring a client certificate refuses the output without one (retry), accepts it with cert_file/key_file', async () => {
    const { dir, ca: c, server, client } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key, ca: c.cert, requestCert: true, rejectUnauthorized: true });
    const without = await tdOutput(dir, ep.url, `    tls: { ca_file: ${c.certFile} }\n`).send(chunk());
    // TLS 1.3: the server's refusal arrives after the client sent the request: reset, so in doubt is
    // also honest; either way not a success, one line, and the endpoint never handled a request.
    expect(['retry', 'in_doubt']).toContain(without.kind);
    expect((without as { reason: string }).reason).not.toContain('\n');
    expect(ep.requests).toHaveLength(0);
    const withCert = await tdOutput(dir, ep.url, `    tls: { ca_file: ${c.certFile}, cert_file: ${client.certFile}, key_file: ${client.keyFile} }\n`).send(chunk());
    expect(withCert).toMatchObject({ kind: 'success' });
    expect(ep.requests[0]?.clientCert).toBe('client');
  });
});

describe.skipIf(noOpenssl !== null)('td output: proxy', () => {
  it('HTTPS_PROXY: the request goes through one CONNECT tunnel, TLS to the endpoint end to end; the note names the proxy', async () => {
    const { dir, ca: c, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const p = await proxy();
    const out = tdOutput(dir, ep.url, `    tls: { ca_file: ${c.certFile} }\n`, { HTTPS_PROXY: p.url });
    expect(await out.send(chunk())).toMatchObject({ kind: 'success' });
    expect(await out.send(chunk())).toMatchObject({ kind: 'success' });
    // Tunnels are kept alive like direct connections (undici may open a second one, as it does direct).
    expect(p.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(p.tunnels)).toEqual(new Set([new URL(ep.url).host]));
    expect(ep.requests).toHaveLength(2);
    expect(out.notes).toEqual([{ level: 'info', message: `td.0: sending to ${new URL(ep.url).host} through the proxy ${p.url} (from HTTPS_PROXY)` }]);
  });

  it('NO_PROXY (host, host:port, CIDR) bypasses the proxy; proxy: off too; the proxy key wins over NO_PROXY', async () => {
    const { dir, ca: c, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const p = await proxy();
    const tls = `    tls: { ca_file: ${c.certFile} }\n`;
    const port = new URL(ep.url).port;
    for (const noProxy of ['127.0.0.1', `127.0.0.1:${port}`, '127.0.0.0/8', 'example.com, 127.0.0.1']) {
      expect(await tdOutput(dir, ep.url, tls, { https_proxy: p.url, NO_PROXY: noProxy }).send(chunk())).toMatchObject({ kind: 'success' });
    }
    expect(await tdOutput(dir, ep.url, `${tls}    proxy: "off"\n`, { HTTPS_PROXY: p.url }).send(chunk())).toMatchObject({ kind: 'success' });
    expect(p.tunnels).toHaveLength(0);
    expect(ep.requests).toHaveLength(5);
    // NO_PROXY for another port does not match; the explicit key ignores NO_PROXY
    expect(await tdOutput(dir, ep.url, tls, { HTTPS_PROXY: p.url, NO_PROXY: '127.0.0.1:1' }).send(chunk())).toMatchObject({ kind: 'success' });
    expect(await tdOutput(dir, ep.url, `${tls}    proxy: ${p.url}\n`, { NO_PROXY: '*' }).send(chunk())).toMatchObject({ kind: 'success' });
    expect(p.tunnels).toHaveLength(2);
  });

  it('407 from the proxy: a plain retry whose one-line reason names the proxy; credentials in the proxy URL are sent', async () => {
    const { dir, ca: c, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const p = await proxy({ credentials: 'agent:s3cret-pass' });
    const tls = `    tls: { ca_file: ${c.certFile} }\n`;
    const r = await tdOutput(dir, ep.url, tls, { HTTPS_PROXY: p.url }).send(chunk());
    expect(r).toMatchObject({ kind: 'retry', backpressure: false });
    expect((r as { reason: string }).reason).toBe(
      `the proxy ${p.url} (from HTTPS_PROXY) refused the connection to the endpoint: 407 Proxy Authentication Required; put the credentials in the proxy URL (http://user:password@host:port)`,
    );
    const withAuth = `http://agent:s3cret-pass@127.0.0.1:${p.port}`;
    const out = tdOutput(dir, ep.url, `${tls}    proxy: ${withAuth}\n`);
    expect(await out.send(chunk())).toMatchObject({ kind: 'success' });
    expect(p.tunnels).toHaveLength(1);
    expect(out.notes[0]?.message).toContain(`http://agent:****@127.0.0.1:${p.port} (the proxy key)`);
    expect(out.notes[0]?.message).not.toContain('s3cret');
  });

  it('a proxy that refuses connections, or whose host does not resolve: retry naming the proxy', async () => {
    const { dir, ca: c, server } = pki();
    const ep = await endpoint({ cert: server.cert, key: server.key });
    const p = await proxy();
    const deadUrl = p.url;
    await p.close();
    const refused = await tdOutput(dir, ep.url, '', { HTTPS_PROXY: deadUrl }).send(chunk());
    expect(refused).toMatchObject({ kind: 'retry' });
    expect((refused as { reason: string }).reason).toMatch(new RegExp(`^the proxy ${deadUrl} \\(from HTTPS_PROXY\\) cannot be reached \\(ECONNREFUSED: `));
    const dns = await tdOutput(dir, ep.url, `    tls: { ca_file: ${c.certFile} }\n`, { HTTPS_PROXY: 'proxy.invalid:3128' }).send(chunk());
    expect(dns).toMatchObject({ kind: 'retry' });
    expect((dns as { reason: string }).reason).toBe("the proxy's host proxy.invalid does not resolve (ENOTFOUND); check the proxy http://proxy.invalid:3128 (from HTTPS_PROXY)");
  });

  it('a bad proxy variable is a config error naming it', async () => {
    const dir = tempDir().dir;
    expect(() => tdOutput(dir, 'https://127.0.0.1:1', '', { HTTPS_PROXY: 'ftp://p:21' })).toThrow(
      'HTTPS_PROXY: expected an http:// or https:// proxy URL, not ftp:// (got "ftp://p:21"); fix or unset it',
    );
  });
});

describe('http output: plain http through a proxy, and the plain-http credential warning', () => {
  it('http:// endpoints are forwarded as absolute-URI requests (no CONNECT), HTTP_PROXY honoured', async () => {
    const ep = await endpoint();
    const p = await proxy();
    const t = tempDir();
    cleanups.push(t.cleanup);
    const yaml = `outputs:\n  - { type: http, match: "**", url: "${ep.url}/ingest", timeout: 5s, headers: { Authorization: "Bearer tok-0123456789" } }\n`;
    const cfg = parseConfigText(yaml, { env: { HOME: t.dir }, source: `${t.dir}/c.yaml`, bufferFlag: `${t.dir}/buf` });
    const out = new HttpOutput(cfg.outputs[0] as HttpOutputConfig, { HTTP_PROXY: p.url });
    cleanups.push(() => out.close());
    expect(await out.send(chunk())).toMatchObject({ kind: 'success' });
    expect(p.forwarded).toEqual([`${ep.url}/ingest`]);
    expect(p.tunnels).toHaveLength(0);
    expect(ep.requests[0]).toMatchObject({ method: 'POST', url: '/ingest', auth: 'Bearer tok-0123456789' });
    // loopback: no warning about the Authorization header over http
    expect(out.notes.filter((n) => n.level === 'warn')).toEqual([]);
  });

  it('an Authorization header or API key over http:// to a non-loopback host is warned about', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const yaml =
      'outputs:\n  - { type: http, match: "a.**", url: "http://collector.example/in", headers: { Authorization: "Bearer tok-0123456789" } }\n' +
      '  - { type: td, match: "td.**", endpoint: "http://td.example", apikey: k-0123456789abcdef }\n' +
      '  - { type: td, match: "x.**", endpoint: "http://localhost:8080", apikey: k-0123456789abcdef, database: dbx, table: tblx }\n';
    const cfg = parseConfigText(yaml, { env: { HOME: t.dir }, source: `${t.dir}/c.yaml`, bufferFlag: `${t.dir}/buf` });
    const http = new HttpOutput(cfg.outputs[0] as HttpOutputConfig, {});
    const td = new TdOutput(cfg.outputs[1] as TdOutputConfig, {});
    const local = new TdOutput(cfg.outputs[2] as TdOutputConfig, {});
    cleanups.push(() => http.close(), () => td.close(), () => local.close());
    expect(http.notes).toEqual([{ level: 'warn', message: 'http.0: the Authorization header goes over plain http:// to collector.example: anyone on the path can read it; use https://' }]);
    expect(td.notes).toEqual([{ level: 'warn', message: 'td.1: the API key goes over plain http:// to td.example: anyone on the path can read it; use https://' }]);
    expect(local.notes).toEqual([]);
  });
});
