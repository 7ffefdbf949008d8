// The delivery worker on virtual time: an in-memory queue with the ChunkStore's semantics and a
// scripted output, so per-endpoint retry, AIMD, per-chunk limits, splits and in-doubt re-sends are
// checked deterministically.
import { describe, expect, it } from 'vitest';
import { childChunkKey, type SealedChunk } from '../../src/core/chunk.js';
import type { Outcome } from '../../src/core/outcome.js';
import type { OutputConfig } from '../../src/config/types.js';
import { encodeRecords, gzipPayload } from '../../src/codec/msgpack.js';
import { DeliveryEngine } from '../../src/delivery/engine.js';
import type { DeliveryObserver, OutputState } from '../../src/delivery/events.js';
import type { DeliveryQueue, SplitHalf } from '../../src/delivery/queue.js';
import type { Output } from '../../src/outputs/types.js';
import { FakeClock, seededRandom } from '../helpers/fake-clock.js';

interface Row extends SealedChunk {
  state: 'queued' | 'inflight' | 'parked';
  parkReason?: string;
  lastError?: string | null;
}

/** DeliveryQueue in memory, with ChunkStore's ordering: in-doubt first, then oldest. */
class MemoryQueue implements DeliveryQueue {
  readonly rows = new Map<number, Row>();
  readonly acked: string[] = [];
  #nextId = 1;
  constructor(private readonly clock: FakeClock) {}

  async add(tag: string, records: unknown[], key?: string): Promise<Row> {
    const id = this.#nextId++;
    const raw = encodeRecords(records);
    const row: Row = {
      id,
      key: key ?? id.toString(16).padStart(32, '0'),
      tag,
      records: records.length,
      rawBytes: raw.length,
      payload: await gzipPayload(raw),
      createdAt: this.clock.now() + id,
      attempts: 0,
      firstAttemptAt: null,
      inDoubtSince: null,
      state: 'queued',
    };
    this.rows.set(id, row);
    return row;
  }
  queuedTags(): string[] {
    return [...new Set([...this.rows.values()].filter((r) => r.state === 'queued').map((r) => r.tag))];
  }
  reclaimLeases(): number {
    return 0;
  }
  lease(limit: number, tags: readonly string[]): SealedChunk[] {
    const now = this.clock.now();
    const picked = [...this.rows.values()]
      .filter((r) => r.state === 'queued' && tags.includes(r.tag))
      .sort((a, b) => (a.inDoubtSince ?? Infinity) - (b.inDoubtSince ?? Infinity) || a.createdAt - b.createdAt)
      .slice(0, limit);
    return picked.map((r) => {
      r.state = 'inflight';
      r.attempts++;
      r.firstAttemptAt ??= now;
      return { ...r };
    });
  }
  ack(id: number): boolean {
    const r = this.rows.get(id);
    if (r?.state !== 'inflight') return false;
    this.rows.delete(id);
    this.acked.push(r.key);
    return true;
  }
  release(id: number, error: string | null, inDoubt: boolean): boolean {
    const r = this.rows.get(id);
    if (r?.state !== 'inflight') return false;
    r.state = 'queued';
    r.lastError = error;
    if (inDoubt) r.inDoubtSince ??= this.clock.now();
    return true;
  }
  park(id: number, reason: string): boolean {
    const r = this.rows.get(id);
    if (r?.state !== 'inflight') return false;
    r.state = 'parked';
    r.parkReason = reason;
    return true;
  }
  split(parent: SealedChunk, halves: readonly SplitHalf[]): number[] {
    const r = this.rows.get(parent.id);
    if (r?.state !== 'inflight') return [];
    this.rows.delete(parent.id);
    return halves.map((h) => {
      const id = this.#nextId++;
      this.rows.set(id, { ...h, id, tag: parent.tag, createdAt: parent.createdAt, attempts: 0, firstAttemptAt: null, inDoubtSince: null, state: 'queued' });
      return id;
    });
  }
  count(state: Row['state']): number {
    return [...this.rows.values()].filter((r) => r.state === state).length;
  }
}

type Script = (chunk: SealedChunk, n: number) => Outcome;

/** An output whose answers come from a script, after `latencyMs` of virtual time. */
class ScriptedOutput implements Output {
  readonly name = 'test';
  readonly sent: { key: string; at: number; records: number }[] = [];
  inflight = 0;
  maxInflight = 0;
  constructor(
    readonly config: OutputConfig,
    private readonly clock: FakeClock,
    public script: Script,
    public latencyMs = 50,
  ) {}
  async send(chunk: SealedChunk): Promise<Outcome> {
    this.sent.push({ key: chunk.key, at: this.clock.now(), records: chunk.records });
    this.inflight++;
    this.maxInflight = Math.max(this.maxInflight, this.inflight);
    await this.clock.sleep(this.latencyMs);
    this.inflight--;
    return this.script(chunk, this.sent.length);
  }
  async close(): Promise<void> {}
  sentBetween(from: number, to: number): number {
    return this.sent.filter((s) => s.at >= from && s.at < to).length;
  }
}

function config(over: Partial<{ retry: Partial<OutputConfig['retry']>; concurrency: Partial<OutputConfig['concurrency']>; dedupWindow: number }> = {}): OutputConfig {
  return {
    type: 'stdout',
    format: 'ndjson',
    name: 'test',
    match: '**',
    timeout: 1000,
    dedupWindow: over.dedupWindow ?? 20 * 60_000,
    concurrency: { max: 8, adaptive: true, decreaseRatio: 0.5, ...over.concurrency },
    retry: { type: 'exponential', wait: 1000, maxWait: 30_000, jitter: 'full', randomize: 0.5, timeout: 72 * 3600_000, maxAttempts: null, ...over.retry },
  };
}

const ok = (latencyMs = 50): Outcome => ({ kind: 'success', status: 200, latencyMs });
const fail = (latencyMs = 50): Outcome => ({ kind: 'retry', reason: 'HTTP 500', status: 500, backpressure: false, latencyMs });

async function setup(script: Script, cfg = config(), chunks = 0) {
  const clock = new FakeClock();
  const queue = new MemoryQueue(clock);
  for (let i = 0; i < chunks; i++) await queue.add('t.a', [{ time: 1, seq: i }, { time: 1, seq: i + 0.5 }]);
  const output = new ScriptedOutput(cfg, clock, script);
  const events: { states: [OutputState, OutputState, number][]; limits: number[]; risks: string[]; parked: string[] } = { states: [], limits: [], risks: [], parked: [] };
  const observer: DeliveryObserver = {
    stateChange: (_o, from, to) => events.states.push([from, to, clock.now()]),
    concurrency: (_o, limit) => events.limits.push(limit),
    duplicateRisk: (_o, c) => events.risks.push(c.key),
    outcome: (_o, c, _out, action) => void (action === 'parked' && events.parked.push(c.key)),
  };
  const engine = new DeliveryEngine({ queue, outputs: [output], clock, random: seededRandom(11), observer, pollMs: 200 });
  return { clock, queue, output, engine, events, worker: engine.workers[0]! };
}

describe('OutputWorker on a fake clock', () => {
  it('a backlog of 200 chunks against a dead endpoint costs one request per backoff interval, then drains at growing concurrency', async () => {
    let down = true;
    const s = await setup(() => (down ? fail() : ok()), config(), 200);
    s.engine.start();
    await s.clock.advance(10_000);
    const during = s.output.sent.length;
    // exponential, wait 1s, full jitter: ~log2(10) + a few probes, never one per chunk
    expect(during).toBeGreaterThanOrEqual(2);
    expect(during).toBeLessThanOrEqual(8);
    expect(s.output.maxInflight).toBe(1);
    expect(new Set(s.output.sent.map((x) => x.key)).size).toBe(1); // the same chunk probes each time
    down = false;
    expect(await s.clock.advanceUntil(() => s.queue.rows.size === 0, 120_000, 100)).toBe(true);
    expect(s.queue.acked).toHaveLength(200);
    expect(new Set(s.queue.acked).size).toBe(200);
    // came back at 1 and grew additively, never jumping
    expect(s.events.limits[0]).toBe(2);
    for (let i = 1; i < s.events.limits.length; i++) expect(s.events.limits[i]! - s.events.limits[i - 1]!).toBeLessThanOrEqual(1);
    expect(Math.max(...s.events.limits)).toBe(8);
    expect(s.events.states.map(([f, t]) => `${f}>${t}`)).toContain('probing>healthy');
    await s.engine.stop(0);
  });

  it('Retry-After pauses the whole output: nothing is sent until it has passed', async () => {
    let n = 0;
    const s = await setup(() => (++n === 3 ? { kind: 'retry', reason: 'HTTP 429', status: 429, backpressure: true, retryAfterMs: 5000, latencyMs: 5 } : ok()), config(), 50);
    s.engine.start();
    await s.clock.advanceUntil(() => n >= 3, 5000, 5);
    const at = s.clock.now();
    const sentAt = s.output.sent.length;
    await s.clock.advance(4990);
    expect(s.output.sent.length).toBe(sentAt);
    await s.clock.advance(1000);
    expect(s.output.sent.length).toBeGreaterThan(sentAt);
    expect(s.output.sent[sentAt]!.at - at).toBeGreaterThanOrEqual(5000);
    expect(await s.clock.advanceUntil(() => s.queue.rows.size === 0, 60_000, 100)).toBe(true);
    await s.engine.stop(0);
  });

  it('401 pauses the output for max_wait and keeps the chunks queued (never parked)', async () => {
    let refused = true;
    const s = await setup(() => (refused ? { kind: 'pause', reason: 'HTTP 401', status: 401, latencyMs: 5 } : ok()), config({ retry: { maxWait: 10_000 } }), 5);
    s.engine.start();
    await s.clock.advance(8000);
    expect(s.output.sent.length).toBe(1);
    expect(s.worker.state).toBe('paused');
    expect(s.queue.count('parked')).toBe(0);
    expect(s.queue.count('queued')).toBe(5);
    refused = false;
    expect(await s.clock.advanceUntil(() => s.queue.rows.size === 0, 20_000, 100)).toBe(true);
    await s.engine.stop(0);
  });

  it('parks a chunk after retry.max_attempts (kept, with its reason) and delivers the rest', async () => {
    const s = await setup((c) => (c.id === 1 ? fail() : ok()), config({ retry: { maxAttempts: 3, wait: 100, maxWait: 100 } }), 3);
    s.engine.start();
    expect(await s.clock.advanceUntil(() => s.queue.count('queued') === 0 && s.queue.count('inflight') === 0, 30_000, 50)).toBe(true);
    const parked = s.queue.rows.get(1)!;
    expect(parked.state).toBe('parked');
    expect(parked.attempts).toBe(3);
    expect(parked.parkReason).toMatch(/gave up after 3 attempts \(retry\.max_attempts\); last error: HTTP 500/);
    expect(s.queue.acked).toHaveLength(2);
    await s.engine.stop(0);
  });

  it('parks a chunk failing for longer than retry.timeout', async () => {
    const s = await setup(() => fail(), config({ retry: { timeout: 5000, wait: 500, maxWait: 1000 } }), 1);
    s.engine.start();
    expect(await s.clock.advanceUntil(() => s.queue.count('parked') === 1, 20_000, 50)).toBe(true);
    expect(s.queue.rows.get(1)!.parkReason).toMatch(/retry\.timeout/);
    expect(s.clock.now() - s.queue.rows.get(1)!.firstAttemptAt!).toBeGreaterThanOrEqual(5000);
    await s.engine.stop(0);
  });

  it('413 splits a chunk into halves keyed from the parent until they fit; every record is sent once', async () => {
    const s = await setup((c) => (c.records > 3 ? { kind: 'split', reason: 'HTTP 413', status: 413, latencyMs: 5 } : ok()), config());
    const parent = await s.queue.add('t.a', Array.from({ length: 10 }, (_, i) => ({ time: 1, seq: i })), 'ab'.repeat(16));
    s.engine.start();
    // splitting gunzips and gzips on libuv's thread pool: give it real time too
    for (let i = 0; i < 400 && s.queue.rows.size > 0; i++) {
      await s.clock.advance(20);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(s.queue.rows.size).toBe(0);
    const k0 = childChunkKey(parent.key, 0);
    const k1 = childChunkKey(parent.key, 1);
    expect(s.output.sent[1]!.key).toBe(k0);
    expect(s.queue.acked).toContain(childChunkKey(k0, 0));
    expect(s.queue.acked).toContain(childChunkKey(k1, 1));
    const delivered = s.output.sent.filter((x) => x.records <= 3 && s.queue.acked.includes(x.key));
    expect(delivered.reduce((a, x) => a + x.records, 0)).toBe(10);
    await s.engine.stop(0);
  });

  it('a single record too large for the endpoint is parked, not split forever', async () => {
    const s = await setup(() => ({ kind: 'split', reason: 'HTTP 413', status: 413, latencyMs: 5 }), config(), 0);
    await s.queue.add('t.a', [{ time: 1, big: 'x' }]);
    s.engine.start();
    for (let i = 0; i < 400 && s.queue.count('parked') === 0; i++) {
      await s.clock.advance(20);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(s.queue.count('parked')).toBe(1);
    expect(s.queue.rows.get(1)!.parkReason).toMatch(/single record is larger/);
    await s.engine.stop(0);
  });

  it('re-sends an in-doubt chunk first, with the same key; duplicate risk is reported once after the dedup window', async () => {
    let n = 0;
    const s = await setup(
      (c) => {
        n++;
        if (c.id === 2 && n < 6) return { kind: 'in_doubt', reason: 'timeout after 1000ms', latencyMs: 1000 };
        return ok();
      },
      config({ dedupWindow: 3000, retry: { wait: 2000, maxWait: 2000, jitter: 'none' }, concurrency: { adaptive: false, max: 1 } }),
      0,
    );
    for (let i = 0; i < 4; i++) await s.queue.add('t.a', [{ time: 1, seq: i }]);
    s.engine.start();
    expect(await s.clock.advanceUntil(() => s.queue.rows.size === 0, 60_000, 50)).toBe(true);
    const keys = s.output.sent.map((x) => x.key);
    const k2 = s.queue.acked.find((k) => k.endsWith('2'))!;
    // chunk 1 ok, chunk 2 in doubt, then chunk 2 again (in doubt first) until it succeeds, then 3, 4
    expect(keys.slice(0, 6)).toEqual([keys[0], k2, k2, k2, k2, k2]);
    expect(keys.filter((k) => k === k2)).toHaveLength(5);
    expect(s.events.risks).toEqual([k2]);
    expect(s.queue.acked).toHaveLength(4);
    await s.engine.stop(0);
  });
});
