// The metrics as the daemon wires them: a real SQLite buffer, the real DeliveryEngine and td output,
// the local endpoint (failing some requests), and a scrape of the real admin server.
import { afterEach, describe, expect, it } from 'vitest';
import { TdfwdMetrics } from '../../src/admin/metrics.js';
import { startAdminServer, type AdminServer } from '../../src/admin/server.js';
import { encodeRecords } from '../../src/codec/msgpack.js';
import { parseConfigText } from '../../src/config/index.js';
import { systemClock, systemRandom } from '../../src/core/clock.js';
import { DeliveryEngine } from '../../src/delivery/engine.js';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { createOutput } from '../../src/outputs/index.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('admin metrics through the delivery engine', () => {
  it('counts what a real drain did', async () => {
    const ep: EndpointHandle = await startEndpoint({ port: 0, autoTables: true, failRate: 0.3 });
    cleanups.push(() => ep.close());
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = openStore(dir.dir, { chunkLimitRecords: 100 });
    cleanups.push(() => store.close());
    const config = parseConfigText(
      `outputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: k\n    retry: { wait: 10ms, max_wait: 50ms }\n`,
      { env: {}, source: 'test.yaml', bufferFlag: dir.dir },
    );
    const metrics = new TdfwdMetrics({ defaultMetrics: false });
    const outputs = config.outputs.map(createOutput);
    for (const o of outputs) metrics.trackOutput(o.name, 'healthy', 1);

    const records = Array.from({ length: 500 }, (_, i) => ({ time: 1_700_000_000 + i, n: i }));
    for (let i = 0; i < 5; i++) {
      const part = records.slice(i * 100, (i + 1) * 100);
      store.append([{ tag: 'td.web.access', data: encodeRecords(part), records: part.length }]);
      metrics.recordsIn('test', 'td.web.access', part.length);
    }
    await store.sealOpen();
    metrics.setBufferStats(store.stats());

    const engine = new DeliveryEngine({ queue: store, outputs, clock: systemClock, random: systemRandom, observer: metrics, pollMs: 20 });
    const result = await engine.drain(20_000);
    await engine.stop(0);
    expect(result.complete).toBe(true);
    metrics.setBufferStats(store.stats());

    const admin: AdminServer = await startAdminServer({ listen: '127.0.0.1:0', metrics, status: () => ({}), flush: () => undefined });
    cleanups.push(() => admin.close());
    const text = await (await fetch(`${admin.url}/metrics`)).text();
    const out = outputs[0]?.name ?? '';
    const ok = sample(text, `tdfwd_requests_total{output="${out}",status_class="2xx"}`);
    const failed = sample(text, `tdfwd_requests_total{output="${out}",status_class="5xx"}`);
    expect(sample(text, 'tdfwd_input_records_total{input="test",tag="td.web.access"}')).toBe(500);
    expect(sample(text, `tdfwd_delivered_records_total{output="${out}"}`)).toBe(500);
    expect(sample(text, `tdfwd_delivery_delay_seconds_count{output="${out}"}`)).toBe(ok);
    expect(ok).toBeGreaterThanOrEqual(5);
    expect(sample(text, `tdfwd_retries_total{output="${out}"}`)).toBe(failed);
    expect(sample(text, `tdfwd_output_inflight_requests{output="${out}"}`)).toBe(0);
    expect(sample(text, 'tdfwd_buffer_pending_records')).toBe(0);
    expect(sample(text, 'tdfwd_buffer_chunks{state="queued"}')).toBe(0);
  });
});
