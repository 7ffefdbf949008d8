// `tdfwd flush` says why it stopped: credentials refused (paused until T), a host that does not
// resolve, a TLS failure with its fix; only a flush that ran out of time blames --timeout. Real
// servers on port 0 (the local endpoint, a plain HTTP port reached with https://, an HTTPS server with
// a self-signed certificate made at test time); `nohost.invalid` never resolves (RFC 2606).
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { runTdfwd, type RunResult } from '../helpers/cli.js';
import { opensslMissing, selfSignedCert } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function work(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function endpoint(opts: Parameters<typeof startEndpoint>[0] = {}): Promise<EndpointHandle> {
  const ep = await startEndpoint({ port: 0, autoTables: true, ...opts });
  cleanups.push(() => ep.close());
  return ep;
}

/** A buffer holding one queued-to-be chunk of three records. */
async function buffered(): Promise<string> {
  const buffer = join(work(), 'buf');
  const sent = await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.db.tbl'], { input: 'one\ntwo\nthree\n' });
  expect(sent.code).toBe(0);
  return buffer;
}

async function flush(buffer: string, timeout: string, env: Record<string, string>): Promise<RunResult & { seconds: number }> {
  const started = performance.now();
  const r = await runTdfwd(['--buffer', buffer, 'flush', '--timeout', timeout], { env });
  return { ...r, seconds: (performance.now() - started) / 1000 };
}

async function chunk(buffer: string): Promise<{ attempts: number; in_doubt_since: string | null; last_error: string | null }> {
  const r = await runTdfwd(['--buffer', buffer, 'chunks', 'list', '--json']);
  const rows = JSON.parse(r.stdout) as { attempts: number; in_doubt_since: string | null; last_error: string | null }[];
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** The line flush ends with. */
function endLine(stderr: string): string {
  return stderr.trim().split('\n').at(-1) ?? '';
}

const noOpenssl = opensslMissing();
if (noOpenssl) console.log(`skipping the self-signed certificate flush test: ${noOpenssl}`);

describe('flush gives the real reason it stopped', () => {
  it('401: stops at once, the output paused until T (credentials refused), not "gave up after --timeout"', async () => {
    const ep = await endpoint({ apikey: 'the-right-key' });
    const buffer = await buffered();
    const r = await flush(buffer, '10s', { TD_API_SERVER: ep.url, TD_API_KEY: 'a-wrong-key' });
    expect(r.code).toBe(1);
    expect(r.seconds).toBeLessThan(10);
    const end = endLine(r.stderr);
    expect(end).toMatch(/^tdfwd flush: stopped after \d+\.\d\ds, before --timeout 10s ran out/);
    expect(end).toMatch(/td is paused until \d{4}-\d\d-\d\dT[\d:.]+Z \(credentials refused: HTTP 401[^)]*; check the API key\)/);
    expect(r.stderr).not.toMatch(/gave up after --timeout/);
    expect((await chunk(buffer)).attempts).toBe(1);
  });

  it('a host that does not resolve: names the host; blames --timeout only if it ran out', async () => {
    const buffer = await buffered();
    const r = await flush(buffer, '4s', { TD_API_SERVER: 'https://nohost.invalid', TD_API_KEY: 'k' });
    expect(r.code).toBe(1);
    const end = endLine(r.stderr);
    expect(end).toMatch(/td's endpoint is failing \(the endpoint's host nohost\.invalid does not resolve \(ENOTFOUND\); check the endpoint URL\)/);
    // Backoff waits are random: the flush either ran out of time, or stopped when the next attempt fell after it.
    if (/gave up after --timeout 4s/.test(end)) expect(r.seconds).toBeGreaterThanOrEqual(4);
    else expect(end).toMatch(/stopped after \d+\.\d\ds, before --timeout 4s ran out.*its next attempt is at \d{4}-/);
    expect((await chunk(buffer)).in_doubt_since).toBeNull();
  });

  it('https:// against a plain HTTP port: a one-line TLS reason naming http://, a retry, not in doubt', async () => {
    const ep = await endpoint();
    const buffer = await buffered();
    const hostPort = ep.url.replace(/^http:\/\//, ''); // TD_API_SERVER=127.0.0.1:PORT: https assumed
    const r = await flush(buffer, '3s', { TD_API_SERVER: hostPort, TD_API_KEY: 'k' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TLS handshake failed \(ERR_SSL_WRONG_VERSION_NUMBER: wrong version number\); the endpoint does not speak TLS: if it is a plain HTTP port, write its URL with http:\/\//);
    expect(r.stderr).not.toMatch(/deps\/openssl|ssl3_record|SSL routines/);
    for (const line of r.stderr.trim().split('\n')) expect(line).toMatch(/^tdfwd flush: /); // no multi-line dump
    expect(r.stderr).toMatch(/, 0 in doubt\)/);
    const c = await chunk(buffer);
    expect(c.in_doubt_since).toBeNull();
    expect(c.last_error).toMatch(/^TLS handshake failed/);
    expect(ep.stats().requests).toBe(0);
  });

  it.skipIf(noOpenssl !== null)('a self-signed certificate: a sentence naming NODE_EXTRA_CA_CERTS; with it set, the flush delivers', async () => {
    const { cert, key, certFile } = selfSignedCert(work());
    let imports = 0;
    const server = createHttpsServer({ cert, key }, (req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'PUT') imports++;
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const buffer = await buffered();

    const refused = await flush(buffer, '3s', { TD_API_SERVER: url, TD_API_KEY: 'k' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the endpoint's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: [^)]*\); trust its CA with the output's tls\.ca_file \(or NODE_EXTRA_CA_CERTS=\/path\/to\/ca\.pem\), or use http:\/\/ for a local endpoint/);
    expect(refused.stderr).toMatch(/, 0 in doubt\)/);
    expect(imports).toBe(0);

    const trusted = await flush(buffer, '10s', { TD_API_SERVER: url, TD_API_KEY: 'k', NODE_EXTRA_CA_CERTS: certFile });
    expect(trusted.stderr).toMatch(/delivered 3 records/);
    expect(trusted.code).toBe(0);
    expect(imports).toBe(1);
  });

  it('an endpoint slower than --timeout: "gave up after --timeout", once the time ran out', async () => {
    const ep = await endpoint({ latencyMs: 30_000 });
    const buffer = await buffered();
    const r = await flush(buffer, '1s', { TD_API_SERVER: ep.url, TD_API_KEY: 'k' });
    expect(r.code).toBe(1);
    expect(r.seconds).toBeGreaterThanOrEqual(1);
    expect(endLine(r.stderr)).toMatch(/^tdfwd flush: gave up after --timeout 1s; the rest stays buffered for the next flush$/);
  });
});
