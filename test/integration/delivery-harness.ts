// Shared by the delivery integration tests: a real chunk store in a temp dir filled with sealed chunks,
// a real td output against the local endpoint, and the engine on the system clock (or on a virtual
// clock, driven by `runVirtual`: virtual time moves only while no request is in flight).
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import type { ChunkStore } from '../../src/buffer/store.js';
import { encodeRecords } from '../../src/codec/msgpack.js';
import type { TdOutputConfig } from '../../src/config/types.js';
import { systemClock, systemRandom, type Clock } from '../../src/core/clock.js';
import { DeliveryEngine } from '../../src/delivery/engine.js';
import type { DeliveryObserver } from '../../src/delivery/events.js';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { TdOutput } from '../../src/outputs/td/output.js';
import type { VirtualClock } from '../../src/simulate/virtual-clock.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

export interface Agent {
  store: ChunkStore;
  engine: DeliveryEngine;
  keys: string[];
  records: number;
  close(): Promise<void>;
}

export type OutputOverrides = Partial<Omit<TdOutputConfig, 'retry' | 'concurrency'>> & {
  retry?: Partial<TdOutputConfig['retry']>;
  concurrency?: Partial<TdOutputConfig['concurrency']>;
};

export function tdConfig(ep: EndpointHandle, o: OutputOverrides = {}): TdOutputConfig {
  return {
    type: 'td',
    name: 'td.0',
    match: 'td.**',
    endpoint: ep.url,
    apikey: 'k',
    autoCreateTable: true,
    timeout: 5000,
    dedupWindow: 20 * 60_000,
    ...o,
    concurrency: { max: 8, adaptive: true, decreaseRatio: 0.5, ...o.concurrency },
    retry: { type: 'exponential', wait: 1000, maxWait: 4000, jitter: 'full', randomize: 0.5, timeout: 72 * 3600_000, maxAttempts: null, ...o.retry },
  };
}

/** A buffer with `chunks` sealed chunks of `perChunk` records each (records carry `agent` and `seq`). */
export async function agent(
  ep: EndpointHandle,
  o: { chunks: number; perChunk?: number; output?: OutputOverrides; observer?: DeliveryObserver; recordBytes?: number; name?: string; clock?: Clock },
): Promise<Agent> {
  const t = tempDir('tdfwd-delivery-');
  const perChunk = o.perChunk ?? 10;
  const store = openStore(t.dir, { chunkLimitRecords: perChunk });
  const name = o.name ?? 'a';
  for (let c = 0; c < o.chunks; c++) {
    const records = Array.from({ length: perChunk }, (_, i) => ({
      time: 1_700_000_000,
      agent: name,
      seq: c * perChunk + i,
      ...(o.recordBytes ? { blob: randomBytes(o.recordBytes / 2).toString('hex') } : {}),
    }));
    store.append([{ tag: 'td.db.events', data: encodeRecords(records), records: records.length }]);
  }
  await store.sealOpen();
  const keys = store.listChunks('queued', 100_000).map((r) => r.key);
  const output = new TdOutput(tdConfig(ep, o.output));
  const engine = new DeliveryEngine({ queue: store, outputs: [output], clock: o.clock ?? systemClock, random: systemRandom, pollMs: 100, ...(o.observer ? { observer: o.observer } : {}) });
  return {
    store,
    engine,
    keys,
    records: o.chunks * perChunk,
    async close() {
      await engine.stop(0);
      await store.close();
      t.cleanup();
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run an engine that is on `clock` against the real endpoint for `virtualMs` of virtual time, or until
 * `done()` holds: wait (real time) until no request is in flight, then move the clock to the next due
 * timer and fire it; repeat. So the engine only ever sees time pass while it waits on a timer, as it
 * would on the wall clock, and ten virtual seconds take milliseconds. Throws after `realTimeoutMs` of
 * real time.
 */
export async function runVirtual(
  clock: VirtualClock,
  engine: DeliveryEngine,
  virtualMs: number,
  done: () => boolean = () => false,
  realTimeoutMs = 20_000,
): Promise<void> {
  const until = clock.now() + virtualMs;
  const realDeadline = Date.now() + realTimeoutMs;
  for (;;) {
    await noneInFlight(engine, realDeadline);
    if (done()) return;
    const next = clock.nextDue();
    if (next === null || next > until) {
      await clock.runUntil(until);
      return;
    }
    await clock.runUntil(next);
  }
}

const settleTurns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

/** Wait in real time until no worker has a request in flight, and stays so after a settle. */
async function noneInFlight(engine: DeliveryEngine, realDeadline: number): Promise<void> {
  const idle = (): boolean => engine.workers.every((w) => w.inflight === 0);
  for (;;) {
    if (idle()) {
      await settleTurns(3);
      if (idle()) return;
    }
    if (Date.now() > realDeadline) throw new Error('timed out waiting for the requests in flight to finish: is the endpoint answering?');
    await sleep(1);
  }
}

/** Every key of the agents imported exactly once, and nothing else imported. */
export function importedExactlyOnce(ep: EndpointHandle, keys: readonly string[]): { missing: number; duplicated: number; extra: number } {
  const imports = ep.importsById();
  const want = new Set(keys);
  let missing = 0;
  let duplicated = 0;
  for (const k of keys) {
    const n = imports.get(k) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicated++;
  }
  const extra = [...imports.keys()].filter((k) => !want.has(k)).length;
  return { missing, duplicated, extra };
}

/**
 * Endpoints and agents closed after each test, newest first. Call once at a test file's top level:
 * it registers that file's afterEach.
 */
export function closedAfterEach(): {
  endpoint(opts?: Parameters<typeof startEndpoint>[0]): Promise<EndpointHandle>;
  track(a: Promise<Agent>): Promise<Agent>;
} {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });
  return {
    async endpoint(opts = {}) {
      const ep = await startEndpoint({ port: 0, autoTables: true, ...opts });
      cleanups.push(() => ep.close());
      return ep;
    },
    async track(a) {
      const x = await a;
      cleanups.push(() => x.close());
      return x;
    },
  };
}
