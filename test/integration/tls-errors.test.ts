// TLS failures are decided before any request byte is sent: a plain retry with a one-line reason,
// never "in doubt". Real servers on port 0: a plain HTTP server reached with https://, and an HTTPS
// server with a self-signed certificate made at test time.
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAgent, sendRequest } from '../../src/outputs/http-client.js';
import { opensslMissing, selfSignedCert } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function put(url: string): ReturnType<typeof sendRequest> {
  const agent = makeAgent(5000);
  cleanups.push(() => agent.close());
  return sendRequest(agent, { method: 'PUT', url, headers: {}, body: Buffer.from('x') });
}

const noOpenssl = opensslMissing();
if (noOpenssl) console.log(`skipping the self-signed certificate test: ${noOpenssl}`);

describe('TLS failures', () => {
  it('https:// against a plain HTTP port: retry (not in doubt), one line naming http:// as the fix; nothing reached the server', async () => {
    let requests = 0;
    const port = await listen(createServer((_req, res) => (requests++, res.end('ok'))));
    const r = await put(`https://127.0.0.1:${port}/v3/x`);
    expect(r).toMatchObject({ kind: 'retry', backpressure: false });
    const reason = (r as { reason: string }).reason;
    expect(reason).not.toContain('\n');
    expect(reason).not.toMatch(/deps\/openssl|ssl3_record\.c/);
    expect(reason).toMatch(/^TLS handshake failed \(ERR_SSL_WRONG_VERSION_NUMBER: wrong version number\); .*http:\/\//);
    expect(requests).toBe(0);
  });

  it.skipIf(noOpenssl !== null)('a self-signed certificate: retry with a sentence naming tls.ca_file, NODE_EXTRA_CA_CERTS and http://', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const { cert, key } = selfSignedCert(t.dir);
    let requests = 0;
    const port = await listen(createHttpsServer({ cert, key }, (_req, res) => (requests++, res.end('ok'))));
    const r = await put(`https://127.0.0.1:${port}/v3/x`);
    expect(r).toMatchObject({ kind: 'retry' });
    const reason = (r as { reason: string }).reason;
    expect(reason).not.toContain('\n');
    expect(reason).toMatch(/TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: .*\); trust its CA with the output's tls\.ca_file \(or NODE_EXTRA_CA_CERTS=.*\), or use http:\/\//);
    expect(requests).toBe(0);
  });

  it('a host that does not resolve: retry, naming the host', async () => {
    const r = await put('https://nohost.invalid/v3/x');
    expect(r).toMatchObject({ kind: 'retry' });
    expect((r as { reason: string }).reason).toBe("the endpoint's host nohost.invalid does not resolve (ENOTFOUND); check the endpoint URL");
  });
});
