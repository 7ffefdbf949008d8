import { describe, expect, it } from 'vitest';
import { OTHER_TAGS, TagLabels, statusClass } from '../../src/admin/labels.js';
import { TdfwdMetrics } from '../../src/admin/metrics.js';
import type { SealedChunk } from '../../src/core/chunk.js';

const T0 = 1_700_000_000_000;

function chunk(over: Partial<SealedChunk> = {}): SealedChunk {
  return {
    id: 1,
    key: '0123456789abcdef0123456789abcdef',
    tag: 'app.web',
    records: 10,
    rawBytes: 1000,
    payload: Buffer.alloc(0),
    createdAt: T0,
    attempts: 1,
    firstAttemptAt: T0,
    inDoubtSince: null,
    ...over,
  };
}

/** The value of one sample line of the text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('statusClass', () => {
  it('classes answers by status and failures by what happened', () => {
    expect(statusClass({ kind: 'success', status: 200, latencyMs: 1 })).toBe('2xx');
    expect(statusClass({ kind: 'retry', reason: 'HTTP 503', status: 503, backpressure: true, latencyMs: 1 })).toBe('5xx');
    expect(statusClass({ kind: 'retry', reason: 'HTTP 429', status: 429, backpressure: true, latencyMs: 1 })).toBe('4xx');
    expect(statusClass({ kind: 'park', reason: 'HTTP 400', status: 400, latencyMs: 1 })).toBe('4xx');
    expect(statusClass({ kind: 'park', reason: 'bad table name', latencyMs: 0 })).toBe('error');
    expect(statusClass({ kind: 'pause', reason: 'HTTP 401', status: 401, latencyMs: 1 })).toBe('4xx');
    expect(statusClass({ kind: 'split', reason: 'HTTP 413', status: 413, latencyMs: 1 })).toBe('4xx');
    expect(statusClass({ kind: 'retry', reason: 'ECONNREFUSED: connect', backpressure: false, latencyMs: 1 })).toBe('network');
    expect(statusClass({ kind: 'in_doubt', reason: 'timeout after 60000ms (UND_ERR_HEADERS_TIMEOUT)', latencyMs: 1 })).toBe('timeout');
    expect(statusClass({ kind: 'in_doubt', reason: 'ECONNRESET: socket hang up', latencyMs: 1 })).toBe('network');
    expect(statusClass({ kind: 'in_doubt', reason: 'HTTP 504: gateway timeout', latencyMs: 1 })).toBe('5xx');
  });
});

describe('TagLabels', () => {
  it('admits the first tags and folds the rest into _other', () => {
    const labels = new TagLabels(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((t) => labels.label(t))).toEqual(['a', 'b', OTHER_TAGS, 'a', OTHER_TAGS, 'b']);
  });
});

describe('TdfwdMetrics', () => {
  it('counts inputs with capped tag labels', async () => {
    const m = new TdfwdMetrics({ defaultMetrics: false, maxTagLabels: 1 });
    m.recordsIn('forward', 'app.a', 5);
    m.recordsIn('forward', 'app.b', 2);
    m.recordsIn('forward', 'app.c', 1);
    m.parseErrors('tail');
    m.unroutedRecords('nowhere', 4);
    const text = await m.scrape();
    expect(sample(text, 'tdfwd_input_records_total{input="forward",tag="app.a"}')).toBe(5);
    expect(sample(text, 'tdfwd_input_records_total{input="forward",tag="_other"}')).toBe(3);
    expect(sample(text, 'tdfwd_input_parse_errors_total{input="tail"}')).toBe(1);
    expect(sample(text, 'tdfwd_unrouted_records_total{tag="nowhere"}')).toBe(4);
  });

  it('exports buffer stats, with the oldest pending age from the clock', async () => {
    let now = T0;
    const m = new TdfwdMetrics({ defaultMetrics: false, now: () => now });
    m.setBufferStats({
      chunks: { open: 1, sealing: 0, queued: 3, inflight: 2, parked: 1 },
      pendingRecords: 600,
      pendingBytes: 60_000,
      parkedRecords: 100,
      storedBytes: 12_000,
      oldestPendingCreatedAt: T0 - 10_000,
    });
    now = T0 + 5_000; // the age grows between refreshes
    const text = await m.scrape();
    expect(sample(text, 'tdfwd_buffer_chunks{state="queued"}')).toBe(3);
    expect(sample(text, 'tdfwd_buffer_chunks{state="sealing"}')).toBe(0);
    expect(sample(text, 'tdfwd_buffer_pending_records')).toBe(600);
    expect(sample(text, 'tdfwd_buffer_pending_bytes')).toBe(60_000);
    expect(sample(text, 'tdfwd_buffer_parked_records')).toBe(100);
    expect(sample(text, 'tdfwd_buffer_stored_bytes')).toBe(12_000);
    expect(sample(text, 'tdfwd_buffer_oldest_pending_age_seconds')).toBe(15);
  });

  it('counts retries, in-doubt, parked, split and duplicate-risk chunks per output', async () => {
    const m = new TdfwdMetrics({ defaultMetrics: false, now: () => T0 });
    m.attempt('td', chunk({ attempts: 1 }), 0);
    m.outcome('td', chunk(), { kind: 'in_doubt', reason: 'timeout after 60000ms (TimeoutError)', latencyMs: 60_000 }, 'released');
    m.duplicateRisk('td');
    m.attempt('td', chunk({ attempts: 2, inDoubtSince: T0 }), 0);
    m.outcome('td', chunk(), { kind: 'park', reason: 'HTTP 400', status: 400, latencyMs: 5 }, 'parked');
    m.attempt('td', chunk({ id: 2, attempts: 1 }), 0);
    m.outcome('td', chunk({ id: 2 }), { kind: 'split', reason: 'HTTP 413', status: 413, latencyMs: 5 }, 'split');
    const text = await m.scrape();
    expect(sample(text, 'tdfwd_retries_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_chunks_in_doubt_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_chunks_duplicate_risk_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_chunks_parked_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_chunks_split_total{output="td"}')).toBe(1);
    expect(sample(text, 'tdfwd_requests_total{output="td",status_class="timeout"}')).toBe(1);
    expect(sample(text, 'tdfwd_requests_total{output="td",status_class="4xx"}')).toBe(2);
    expect(sample(text, 'tdfwd_request_duration_seconds_count{output="td"}')).toBe(3);
    expect(sample(text, 'tdfwd_output_inflight_requests{output="td"}')).toBe(0);
  });

  it('keeps separate registries per instance', async () => {
    const a = new TdfwdMetrics({ defaultMetrics: false });
    const b = new TdfwdMetrics();
    a.recordsIn('stdin', 'x', 1);
    expect(sample(await b.scrape(), 'tdfwd_input_records_total{input="stdin",tag="x"}')).toBeUndefined();
    expect(await b.scrape()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(await a.scrape()).not.toMatch(/process_cpu_user_seconds_total/);
  });
});
