// The forward output against aggregators written in the test (real TCP / TLS servers on port 0,
// frames decoded by the project's codec): acks, in doubt, wrong acks, shared_key, TLS, weights,
// standby failover and heartbeats.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../src/codec/msgpack.js';
import { newChunkKey, type SealedChunk } from '../../src/core/chunk.js';
import { outputSchema } from '../../src/config/outputs.js';
import type { ForwardOutputConfig } from '../../src/outputs/forward/config.js';
import { ForwardOutput } from '../../src/outputs/forward/output.js';
import { waitFor } from '../helpers/cli.js';
import { startAggregator, type Aggregator, type AggregatorOptions } from '../helpers/forward-aggregator.js';
import { opensslMissing, selfSignedCert } from '../helpers/tls.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function aggregator(opts: AggregatorOptions = {}): Promise<Aggregator> {
  const a = await startAggregator(opts);
  cleanups.push(() => a.close());
  return a;
}

function output(raw: Record<string, unknown>): ForwardOutput {
  const parsed = outputSchema.parse({ type: 'forward', match: '**', heartbeat_interval: '100ms', timeout: '2s', ...raw });
  const out = new ForwardOutput({ ...(parsed as ForwardOutputConfig), name: 'forward.0' });
  cleanups.push(() => out.close());
  return out;
}

let seq = 0;
function chunk(n = 3, tag = 'td.app.events'): SealedChunk {
  const records = Array.from({ length: n }, (_, i) => ({ time: 1_700_000_000 + i, seq: seq++, message: `line ${i}` }));
  const raw = encodeRecords(records);
  return { id: seq, key: newChunkKey(), tag, records: n, rawBytes: raw.length, payload: gzipSync(raw), createdAt: Date.now(), attempts: 0, firstAttemptAt: null, inDoubtSince: null };
}

const at = (a: Aggregator) => ({ host: '127.0.0.1', port: a.port });

describe('forward output: one aggregator', () => {
  it('sends a CompressedPackedForward frame with the chunk key as ack id, records keeping their time', async () => {
    const agg = await aggregator();
    const out = output({ servers: [at(agg)] });
    const c = chunk(3);
    const r = await out.send(c);
    expect(r.kind).toBe('success');
    expect(agg.frames).toHaveLength(1);
    const f = agg.frames[0]!;
    expect(f).toMatchObject({ tag: 'td.app.events', chunk: c.key, compressed: true, packed: true, size: 3 });
    expect(f.events.map((e) => e.record)).toEqual([0, 1, 2].map((i) => ({ time: 1_700_000_000 + i, seq: expect.any(Number), message: `line ${i}` })));
    expect(f.events.every((e) => !('_time' in e.record))).toBe(true);
  });

  it('compress: none sends PackedForward', async () => {
    const agg = await aggregator();
    const r = await output({ servers: [at(agg)], compress: 'none' }).send(chunk(2));
    expect(r.kind).toBe('success');
    expect(agg.frames[0]).toMatchObject({ packed: true, compressed: false, size: 2 });
  });

  it('reuses its connection for the next chunk', async () => {
    const agg = await aggregator();
    const out = output({ servers: [at(agg)], heartbeat_interval: '1h' });
    for (let i = 0; i < 3; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect(agg.frames).toHaveLength(3);
    expect(agg.connections).toBe(1);
  });

  it('chunks sent at once each get their own connection; close() closes them', async () => {
    // No ack before all six frames arrived: a send whose frame took longer to build must not find an
    // earlier one's connection idle again already (it would reuse it, as it should).
    const agg = await aggregator({ holdAcksUntil: 6 });
    const out = output({ servers: [at(agg)], heartbeat_interval: '1h' });
    const chunks = Array.from({ length: 6 }, () => chunk(2));
    const results = await Promise.all(chunks.map((c) => out.send(c)));
    expect(results.map((r) => r.kind)).toEqual(Array(6).fill('success'));
    expect(new Set(agg.frames.map((f) => f.chunk))).toEqual(new Set(chunks.map((c) => c.key)));
    expect(agg.connections).toBe(6);
    expect(out.servers[0]!.idleConnections).toBe(6);
    await out.close();
    await waitFor(() => agg.open === 0, 5000, 10);
  });

  it('a connection dropped before the ack is in doubt; the re-send carries the same chunk id', async () => {
    const agg = await aggregator({ answer: (_f, n) => (n === 0 ? 'drop' : 'ack') });
    const out = output({ servers: [at(agg)] });
    const c = chunk(2);
    const first = await out.send(c);
    expect(first.kind).toBe('in_doubt');
    if (first.kind === 'in_doubt') expect(first.reason).toMatch(/127\.0\.0\.1:\d+: .*after the frame was written, before its ack/);
    // The server that failed is skipped until its retry wait (retry.wait) is over.
    await waitFor(() => out.servers[0]!.usable(Date.now()), 5000, 20);
    const second = await out.send(c);
    expect(second.kind).toBe('success');
    expect(agg.frames.map((f) => f.chunk)).toEqual([c.key, c.key]);
  });

  it('an ack for another chunk id is in doubt', async () => {
    const agg = await aggregator({ answer: () => 'wrong-ack' });
    const r = await output({ servers: [at(agg)] }).send(chunk());
    expect(r.kind).toBe('in_doubt');
    if (r.kind === 'in_doubt') expect(r.reason).toContain('acked chunk "not-the-chunk-you-sent" instead of');
  });

  it('no ack within ack_response_timeout is in doubt', async () => {
    const agg = await aggregator({ answer: () => 'silent' });
    const r = await output({ servers: [at(agg)], ack_response_timeout: '300ms' }).send(chunk());
    expect(r.kind).toBe('in_doubt');
    if (r.kind === 'in_doubt') expect(r.reason).toContain('no ack within 300ms (ack_response_timeout)');
  });

  it('require_ack_response: false is done once the frame is written, with no chunk option', async () => {
    const agg = await aggregator({ answer: () => 'silent' });
    const r = await output({ servers: [at(agg)], require_ack_response: false }).send(chunk());
    expect(r.kind).toBe('success');
    await waitFor(() => agg.frames.length === 1, 5000, 10);
    expect(agg.frames[0]!.chunk).toBeUndefined();
  });

  it('a refused connection is a plain retry naming the server', async () => {
    const agg = await aggregator();
    const port = agg.port;
    await agg.close();
    const r = await output({ servers: [{ host: '127.0.0.1', port }] }).send(chunk());
    expect(r).toMatchObject({ kind: 'retry', backpressure: false });
    if (r.kind === 'retry') expect(r.reason).toContain(`127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });
});

describe('forward output: shared_key', () => {
  it('completes the handshake with the right key', async () => {
    const agg = await aggregator({ sharedKey: 'the-shared-key-123' });
    const r = await output({ servers: [at(agg)], shared_key: 'the-shared-key-123', self_hostname: 'web-1' }).send(chunk());
    expect(r.kind).toBe('success');
    expect(agg.frames).toHaveLength(1);
  });

  it('a wrong key pauses the output (credentials refused) and sends nothing', async () => {
    const agg = await aggregator({ sharedKey: 'the-shared-key-123' });
    const r = await output({ servers: [at(agg)], shared_key: 'wrong-key-456', self_hostname: 'web-1' }).send(chunk());
    expect(r.kind).toBe('pause');
    if (r.kind === 'pause') expect(r.reason).toContain('refused the shared_key handshake (shared_key mismatch)');
    expect(agg.refused).toBe(1);
    expect(agg.frames).toHaveLength(0);
  });

  it('a server asking for a handshake the output has no key for: paused, with what to set', async () => {
    const agg = await aggregator({ sharedKey: 'the-shared-key-123' });
    const r = await output({ servers: [at(agg)] }).send(chunk());
    expect(r.kind).toBe('pause');
    if (r.kind === 'pause') expect(r.reason).toContain('set shared_key');
  });
});

describe('forward output: TLS', () => {
  const skip = opensslMissing();

  it.skipIf(skip !== null)('connects with tls.ca_file; without it the certificate is not trusted; verify: false skips the check', async () => {
    const dir = tempDir('tdfwd-fwd-tls-');
    cleanups.push(dir.cleanup);
    const cert = selfSignedCert(dir.dir);
    const agg = await aggregator({ tls: { cert: cert.cert, key: cert.key } });
    expect((await output({ servers: [at(agg)], tls: { ca_file: cert.certFile } }).send(chunk())).kind).toBe('success');
    const untrusted = await output({ servers: [at(agg)], tls: {} }).send(chunk());
    expect(untrusted.kind).toBe('retry');
    if (untrusted.kind === 'retry') expect(untrusted.reason).toContain('not trusted');
    if (untrusted.kind === 'retry') expect(untrusted.reason).toContain('set tls.ca_file');
    expect((await output({ servers: [at(agg)], tls: { verify: false } }).send(chunk())).kind).toBe('success');
    expect(agg.frames).toHaveLength(2);
  });

  it.skipIf(skip !== null)('heartbeats to a TLS server complete the handshake: the server sees no failed one; an untrusted certificate says what to set', async () => {
    const dir = tempDir('tdfwd-fwd-tls-hb-');
    cleanups.push(dir.cleanup);
    const cert = selfSignedCert(dir.dir);
    const agg = await aggregator({ tls: { cert: cert.cert, key: cert.key } });
    const out = output({ servers: [at(agg)], tls: { ca_file: cert.certFile }, heartbeat_interval: '50ms' });
    await waitFor(() => agg.connections >= 4, 5000, 10); // heartbeats
    expect(agg.tlsErrors).toBe(0); // a plain TCP probe ended every beat in a failed handshake
    expect(out.servers[0]!.usable(Date.now())).toBe(true);
    expect((await out.send(chunk())).kind).toBe('success');

    const untrusted = output({ servers: [at(agg)], tls: {}, heartbeat_interval: '50ms' });
    await waitFor(() => !untrusted.servers[0]!.usable(Date.now()), 5000, 10);
    const r = await untrusted.send(chunk());
    expect(r.kind).toBe('retry');
    if (r.kind === 'retry') expect(r.reason).toMatch(/fails its heartbeat \(the server's TLS certificate is not trusted \(\w+\); set tls\.ca_file/);
  });

  it('TLS to a plain TCP server says the server may not speak TLS', async () => {
    const agg = await aggregator();
    const r = await output({ servers: [at(agg)], tls: { verify: false } }).send(chunk());
    expect(r.kind).toBe('retry');
    if (r.kind === 'retry') expect(r.reason).toMatch(/TLS handshake (failed|\(\w+\)).*may not speak TLS on this port|does not speak TLS on this port/);
  });
});

describe('forward output: several servers', () => {
  it('weighted choice sends to both servers', async () => {
    const a = await aggregator();
    const b = await aggregator();
    const out = output({ servers: [{ ...at(a), weight: 60 }, { ...at(b), weight: 40 }] });
    for (let i = 0; i < 40; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect(a.frames.length + b.frames.length).toBe(40);
    expect(a.frames.length).toBeGreaterThan(5);
    expect(b.frames.length).toBeGreaterThan(5);
  });

  it('a dead server costs the others nothing: the chunk goes to the next one within the same attempt', async () => {
    const dead = await aggregator();
    const deadPort = dead.port;
    await dead.close();
    const live = await aggregator();
    const out = output({ servers: [{ host: '127.0.0.1', port: deadPort, weight: 1000 }, { ...at(live), weight: 1 }], heartbeat_interval: '1h' });
    for (let i = 0; i < 5; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect(live.frames).toHaveLength(5);
  });

  it('the standby is used only while the primary is down, and the primary again once its heartbeat is back', async () => {
    const primary = await aggregator();
    const standby = await aggregator();
    const out = output({ servers: [at(primary), { ...at(standby), standby: true }], heartbeat_interval: '50ms', retry: { wait: '100ms' } });
    for (let i = 0; i < 3; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect([primary.frames.length, standby.frames.length]).toEqual([3, 0]);

    const port = primary.port;
    await primary.close();
    await waitFor(() => out.servers[0]!.unreachable, 5000, 10);
    for (let i = 0; i < 3; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect(standby.frames).toHaveLength(3);

    const back = await aggregator({ port });
    await waitFor(() => out.servers[0]!.usable(Date.now()), 5000, 10);
    for (let i = 0; i < 3; i++) expect((await out.send(chunk(1))).kind).toBe('success');
    expect(back.frames).toHaveLength(3);
    expect(standby.frames).toHaveLength(3);
  });

  it('with every server down the attempt is a retry that says why each is skipped', async () => {
    const a = await aggregator();
    const port = a.port;
    await a.close();
    const out = output({ servers: [{ host: '127.0.0.1', port }], heartbeat_interval: '50ms' });
    await waitFor(() => out.servers[0]!.unreachable, 5000, 10);
    const r = await out.send(chunk());
    expect(r.kind).toBe('retry');
    if (r.kind === 'retry') expect(r.reason).toMatch(/^no forward server is usable: 127\.0\.0\.1:\d+ fails its heartbeat \(connection refused\)/);
  });
});
