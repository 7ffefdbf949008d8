// The forward input over TLS (fluentd's <transport tls>): the real fluent-logger client with `tls`,
// acks after commit as without TLS; with tls.ca_file a raw tls.connect client without a certificate
// is refused in the handshake and nothing reaches the buffer; a plain-TCP client gets nothing either.
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import fluentLogger from 'fluent-logger';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { decodeRecords, gunzipPayload, packOne } from '../../src/codec/msgpack.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { BufferWriter } from '../../src/ingest/writer.js';
import { createForwardInput } from '../../src/inputs/forward/index.js';
import type { ServerTlsConfig } from '../../src/config/tls.js';
import { openStore } from '../helpers/store.js';
import { issueCert, makeCa, opensslMissing } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const noOpenssl = opensslMissing();
if (noOpenssl) console.log(`skipping the forward TLS tests: ${noOpenssl}`);
const quiet = { info: () => {}, error: () => {} };

function pki() {
  const t = tempDir('tdfwd-fwd-tls-');
  cleanups.push(t.cleanup);
  const ca = makeCa(t.dir);
  return { dir: t.dir, ca, server: issueCert(ca, 'server'), client: issueCert(ca, 'client'), stranger: issueCert(makeCa(t.dir, 'other'), 'stranger') };
}

async function setup(tls: ServerTlsConfig) {
  const t = tempDir();
  const store = openStore(t.dir);
  const logs: string[] = [];
  const writer = new BufferWriter(store);
  const encoder = new PartEncoder({ limits: () => writer.partLimits });
  const input = createForwardInput(
    { type: 'forward', bind: '127.0.0.1', port: 0, selfHostname: 'tdfwd.test', tls },
    { sink: writer, encoder, log: (level, msg) => logs.push(`${level} ${msg}`) },
  );
  await input.start();
  cleanups.push(async () => {
    await input.stop();
    await encoder.close();
    await store.close();
    t.cleanup();
  });
  return { store, port: input.port, logs };
}

async function stored(store: ChunkStore): Promise<Record<string, unknown>[]> {
  await store.sealOpen();
  const out: Record<string, unknown>[] = [];
  for (const c of store.lease(1000, store.queuedTags(), 60_000)) {
    for (const r of decodeRecords(await gunzipPayload(c.payload))) out.push({ tag: c.tag, ...(r as Record<string, unknown>) });
  }
  return out;
}

function emitTls(port: number, tlsOptions: Record<string, unknown>, record: Record<string, unknown>): Promise<void> {
  const s = fluentLogger.createFluentSender<Record<string, unknown>>('app', {
    host: '127.0.0.1',
    port,
    timeout: 3.0,
    tls: true,
    tlsOptions,
    requireAckResponse: true,
    ackResponseTimeout: 5000,
    internalLogger: quiet,
    enableReconnect: false,
  } as Parameters<typeof fluentLogger.createFluentSender>[1]);
  cleanups.push(() => new Promise<void>((r) => s.end('', undefined as never, () => r())));
  return new Promise<void>((resolve, reject) => s.emit('web', record, (err?: Error) => (err ? reject(err) : resolve())));
}

/** Until `done()` or the deadline: a bounded wait on a condition. */
async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** A raw TLS client sending one Message-mode frame with a chunk option; resolves with what happened. */
function rawTls(port: number, opts: { ca: string; cert?: string; key?: string }): Promise<{ secure: boolean; ack: boolean; error?: string }> {
  return new Promise((resolve) => {
    let secure = false;
    let ack = false;
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...opts }, () => {
      secure = true;
      socket.write(packOne(['raw.tls', Math.floor(Date.now() / 1000), { n: 1 }, { chunk: 'c1' }]));
    });
    socket.on('data', () => {
      ack = true;
      socket.end();
    });
    socket.on('error', (err) => resolve({ secure, ack, error: (err as NodeJS.ErrnoException).code ?? err.message }));
    socket.on('close', () => resolve({ secure, ack }));
    socket.setTimeout(4000, () => socket.destroy());
  });
}

describe.skipIf(noOpenssl !== null)('forward input over TLS', () => {
  it('fluent-logger with tls: true and the CA: the record is acked after commit', async () => {
    const { ca, server } = pki();
    const { store, port, logs } = await setup({ certFile: server.certFile, keyFile: server.keyFile, caFile: undefined });
    await emitTls(port, { ca: ca.cert, servername: 'localhost' }, { n: 1, msg: 'over tls' });
    expect(store.stats().pendingRecords).toBe(1);
    expect(await stored(store)).toMatchObject([{ tag: 'app.web', n: 1, msg: 'over tls' }]);
    expect(logs.find((l) => l.includes('listening'))).toBeDefined();
  });

  it('with tls.ca_file: fluent-logger with a client certificate is accepted; a raw client without one is refused, nothing stored, the refusal logged once', async () => {
    const { ca, server, client, stranger } = pki();
    const { store, port, logs } = await setup({ certFile: server.certFile, keyFile: server.keyFile, caFile: ca.certFile });
    await emitTls(port, { ca: ca.cert, servername: 'localhost', cert: client.cert, key: client.key }, { n: 2 });
    const refused = await rawTls(port, { ca: ca.cert });
    expect(refused.ack).toBe(false);
    const wrongCa = await rawTls(port, { ca: ca.cert, cert: stranger.cert, key: stranger.key });
    expect(wrongCa.ack).toBe(false);
    const accepted = await rawTls(port, { ca: ca.cert, cert: client.cert, key: client.key });
    expect(accepted).toMatchObject({ secure: true, ack: true });
    await until(() => logs.some((l) => l.includes('TLS handshake')));
    const handshakeLogs = logs.filter((l) => l.includes('TLS handshake'));
    expect(handshakeLogs).toHaveLength(1); // per peer and minute: the second refusal is not logged again
    expect(handshakeLogs[0]).toMatch(/^warn forward: TLS handshake with 127\.0\.0\.1 failed: peer did not return a certificate \(clients must present a certificate signed by tls\.ca_file\)$/);
    const rows = await stored(store);
    expect(rows.map((r) => r['n']).sort()).toEqual([1, 2]);
    expect(rows.map((r) => r.tag).sort()).toEqual(['app.web', 'raw.tls']);
  });

  it('a plain TCP client on the TLS port gets no ack and stores nothing', async () => {
    const { server } = pki();
    const { store, port } = await setup({ certFile: server.certFile, keyFile: server.keyFile, caFile: undefined });
    const result = await new Promise<{ ack: boolean }>((resolve) => {
      let ack = false;
      const s = netConnect(port, '127.0.0.1', () => s.write(packOne(['plain', 1_700_000_000, { n: 9 }, { chunk: 'p1' }])));
      s.on('data', (d: Buffer) => {
        if (d.includes(Buffer.from('p1'))) ack = true;
      });
      s.on('error', () => {});
      s.on('close', () => resolve({ ack }));
      s.setTimeout(4000, () => s.destroy());
    });
    expect(result.ack).toBe(false);
    expect(store.stats().pendingRecords).toBe(0);
  });
});
