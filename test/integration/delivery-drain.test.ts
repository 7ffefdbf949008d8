// DeliveryEngine.drain sees what was sealed just before it was called: the daemon's stop seals the
// open chunks and drains at once, and a queue read cached a few ms earlier must not end the drain
// with everything left in the buffer (CI saw a SIGTERM deliver nothing, exit 0).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../src/codec/msgpack.js';
import { parseConfigText } from '../../src/config/load.js';
import { systemClock, systemRandom } from '../../src/core/clock.js';
import { DeliveryEngine } from '../../src/delivery/engine.js';
import { createOutput } from '../../src/outputs/index.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('DeliveryEngine.drain', () => {
  it('delivers a chunk sealed right after the queue was last read', async () => {
    let received = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
    const t = tempDir('tdfwd-drain-');
    const config = parseConfigText(`outputs:\n  - { type: http, name: a, match: "**", url: "${url}" }\n`, { env: {}, source: 'drain.yaml', bufferFlag: t.dir });
    const store = openStore(t.dir);
    // The system clock, held still while the chunk is sealed: the engine's queue read stays "just now".
    let frozen: number | null = null;
    const clock = { ...systemClock, now: () => frozen ?? systemClock.now() };
    const engine = new DeliveryEngine({ queue: store, outputs: config.outputs.map(createOutput), clock, random: systemRandom, pollMs: 50, routing: config.routing });
    cleanups.push(async () => {
      await engine.stop(0);
      await store.close();
      t.cleanup();
    });
    frozen = systemClock.now();
    expect(engine.unroutedTags()).toEqual([]); // the engine has just read the (empty) queue
    expect(store.append([{ tag: 'app.x', data: encodeRecords([{ time: 1, n: 1 }]), records: 1 }])).toEqual({ ok: true });
    await store.sealOpen();
    const draining = engine.drain(5000); // its first look happens now, at the frozen time
    frozen = null;
    const result = await draining;
    expect(result).toMatchObject({ complete: true, end: 'done' });
    expect(received).toBe(1);
    expect(store.stats().pendingRecords).toBe(0);
  });
});
