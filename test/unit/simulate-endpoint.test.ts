import { describe, expect, it } from 'vitest';
import { EndpointModel, type EndpointModelOptions } from '../../src/simulate/endpoint-model.js';
import { seededRandom } from '../../src/simulate/random.js';
import { Timeline } from '../../src/simulate/scenario.js';

const MIN = 60_000;

function model(over: Partial<EndpointModelOptions> = {}, scenario: Partial<ConstructorParameters<typeof Timeline>[0]> = {}): EndpointModel {
  const timeline = new Timeline({ name: 'incident', warmupMs: 10 * MIN, durationMs: 60 * MIN, capacityFactor: 0.2, failRate: 0, acceptThenTimeout: 0, ...scenario }, 0);
  return new EndpointModel(
    { capacityRps: 10, queueLimit: 300, lbTimeoutMs: 60_000, dedupWindowMs: 20 * MIN, rttMs: 50, overloadStatus: 503, overloadRetryAfterS: null, binMs: 10_000, ...over },
    timeline,
    seededRandom(7),
  );
}

describe('EndpointModel', () => {
  it('queues work above capacity: latency grows with the load, then the queue limit turns requests away', () => {
    const ep = model({ queueLimit: 50 });
    const answers = Array.from({ length: 60 }, (_, i) => ep.request(i, 1, 0));
    // 10 req/s: the n-th request finishes after n × 100 ms, plus the round trip
    expect(answers[0]).toMatchObject({ status: 200, latencyMs: 150 });
    expect(answers[9]).toMatchObject({ status: 200, latencyMs: 1050 });
    expect(answers.filter((a) => a.status === 200)).toHaveLength(50);
    expect(answers[55]).toMatchObject({ status: 503, latencyMs: 50 });
    expect(ep.counters).toMatchObject({ requests: 60, processed: 50, rejected: 10 });
    expect(ep.wouldAdmit(0)).toBe(false);
    // five seconds later the server has done 50 requests' work: room again
    expect(ep.wouldAdmit(5_000)).toBe(true);
  });

  it('cuts a request whose queue wait passes the load balancer timeout AFTER importing it', () => {
    const ep = model({ queueLimit: 10_000 });
    const t = 10 * MIN; // incident: 2 req/s
    const answers = Array.from({ length: 130 }, (_, i) => ep.request(i, 5, t));
    const cut = answers.filter((a) => a.status === 504);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.every((a) => a.latencyMs === 60_000)).toBe(true);
    // 2 req/s: request i finishes after (i + 1) × 500 ms, plus 50 ms round trip
    expect(answers[118]?.status).toBe(200);
    expect(answers[119]?.status).toBe(504);
    expect(ep.counters.cut).toBe(cut.length);
    // every request was imported, including the ones the agent saw as 504
    expect(ep.ledger.imports).toBe(130);
    // a re-send of a cut chunk within the dedup window imports nothing
    const later = t + 2 * MIN;
    ep.request(125, 5, later);
    expect(ep.ledger.imports).toBe(130);
    expect(ep.ledger.dedupHits).toBe(1);
  });

  it('imports a unique_id again once the dedup window has passed, counting the duplicated records', () => {
    const ep = model();
    expect(ep.request(1, 100, 0).status).toBe(200);
    expect(ep.request(1, 100, 19 * MIN).status).toBe(200);
    expect(ep.ledger.duplicateRecords).toBe(0);
    expect(ep.request(1, 100, 21 * MIN).status).toBe(200);
    expect(ep.ledger).toMatchObject({ imports: 2, dedupHits: 1, duplicateImports: 1, duplicateRecords: 100, duplicatedChunks: 1, maxImportsPerChunk: 2 });
    expect(ep.request(1, 100, 42 * MIN).status).toBe(200);
    expect(ep.ledger).toMatchObject({ duplicateRecords: 200, duplicatedChunks: 1, maxImportsPerChunk: 3 });
  });

  it('fails the configured fraction during the incident, refuses connections during an outage', () => {
    const failing = model({}, { failRate: 0.8 });
    const statuses = Array.from({ length: 500 }, (_, i) => failing.request(i, 1, 10 * MIN + i * 1000).status);
    const failed = statuses.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(350);
    expect(failed).toBeLessThan(450);
    expect(failing.ledger.imports).toBe(500 - failed);

    const down = model({}, { name: 'outage' });
    expect(down.request(1, 1, 10 * MIN)).toMatchObject({ status: null });
    expect(down.counters.refused).toBe(1);
    expect(down.request(1, 1, 70 * MIN).status).toBe(200);
  });

  it('counts requests per bin and answers overload with the configured status and Retry-After', () => {
    const ep = model({ queueLimit: 1, overloadStatus: 429, overloadRetryAfterS: 5 });
    ep.request(1, 1, 0);
    expect(ep.request(2, 1, 0)).toMatchObject({ status: 429, retryAfter: '5' });
    expect(ep.turnAway(40, 12_000)).toMatchObject({ status: 429 });
    expect(ep.bins[0]).toBe(2);
    expect(ep.bins[1]).toBe(40);
  });
});
