// src/outputs/undici-core.ts loads two of undici's internal files (lib/dispatcher/agent.js and
// lib/api/index.js) instead of the whole package, for ~8 MB less RSS. That is what undici's own
// index.js does, but the paths are not a public API: this test is the alarm for an undici upgrade.
// If it fails after one, check that those files and Dispatcher#request still exist and behave, adjust
// undici-core.ts (or go back to `import { Agent } from 'undici'`), then the version line below.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/outputs/undici-core.js';

const require = createRequire(import.meta.url);
const VERIFIED_MAJOR = 7;

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

describe('undici-core (undici internals the outputs load)', () => {
  it(`runs on the undici major it was verified with (${VERIFIED_MAJOR}.x)`, () => {
    const { version } = require('undici/package.json') as { version: string };
    const major = Number(version.split('.')[0]);
    expect(major, `undici ${version}: re-check src/outputs/undici-core.ts against this version (see this file's header)`).toBe(VERIFIED_MAJOR);
  });

  it("is the package's own Agent class, with Dispatcher#request, not a copy", async () => {
    const full = (await import('undici')) as typeof import('undici');
    expect(Agent).toBe(full.Agent);
    expect(typeof Agent.prototype.request).toBe('function');
  });

  it('sends a real request with a body and reads status, headers and body back', async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.writeHead(201, { 'x-seen': `${req.method} ${req.url} ${req.headers['idempotency-key']}` });
        res.end(body.toUpperCase());
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAliveTimeout: 1000 });
    try {
      const res = await agent.request({
        origin: `http://127.0.0.1:${port}`,
        path: '/v3/x',
        method: 'PUT',
        headers: { 'idempotency-key': 'k1' },
        body: 'payload',
      });
      expect(res.statusCode).toBe(201);
      expect(res.headers['x-seen']).toBe('PUT /v3/x k1');
      expect(await res.body.text()).toBe('PAYLOAD');
    } finally {
      await agent.close();
    }
  });
});
