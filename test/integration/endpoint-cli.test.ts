// The flag layer of `tdfwd endpoint` (the spawned command is covered by the lead's e2e tests).
import { describe, expect, it } from 'vitest';
import { describeEndpoint, resolveEndpointOptions, shortDuration } from '../../src/cli/endpoint.js';
import { UsageError } from '../../src/core/errors.js';

const defaults = { port: '0', host: '127.0.0.1', dedupWindow: '20m', failRate: '0', latency: '0ms', acceptThenTimeout: '0', acceptThenReset: '0', maxBody: '64MiB' };

describe('tdfwd endpoint flags', () => {
  it('resolves flags into endpoint options', () => {
    const o = resolveEndpointOptions({ ...defaults, dedupWindow: '50ms', failRate: '0.25', latency: '1.5s', acceptThenReset: '0.1', capacity: '100', store: '/tmp/x.ndjson', autoTables: true }, {});
    expect(o).toMatchObject({ port: 0, dedupWindowMs: 50, failRate: 0.25, acceptThenReset: 0.1, latencyMs: 1500, capacityRps: 100, storeFile: '/tmp/x.ndjson', autoTables: true, apikey: null, maxBodyBytes: 64 * 1024 * 1024 });
    expect(resolveEndpointOptions(defaults, { TDFWD_ENDPOINT_APIKEY: 'k1' }).apikey).toBe('k1');
    expect(resolveEndpointOptions({ ...defaults, apikey: 'k2' }, { TDFWD_ENDPOINT_APIKEY: 'k1' }).apikey).toBe('k2');
  });

  it('names the flag in a usage error', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ dedupWindow: 'soon' }, '--dedup-window'],
      [{ latency: '5x' }, '--latency'],
      [{ failRate: '1.5' }, '--fail-rate'],
      [{ acceptThenTimeout: 'half' }, '--accept-then-timeout'],
      [{ acceptThenReset: '-1' }, '--accept-then-reset'],
      [{ capacity: '0' }, '--capacity'],
      [{ port: '70000' }, '--port'],
      [{ maxBody: 'big' }, '--max-body'],
    ];
    for (const [flags, name] of cases) {
      const run = () => resolveEndpointOptions({ ...defaults, ...flags }, {});
      expect(run, name).toThrow(UsageError);
      expect(run, name).toThrow(name);
    }
  });

  it('prints a start line the demo and tests can parse', () => {
    const line = describeEndpoint('http://127.0.0.1:4321', { dedupWindowMs: 20 * 60_000, failRate: 0.8, latencyMs: 500, capacityRps: 50 });
    expect(line).toBe('tdfwd endpoint listening on http://127.0.0.1:4321 (dedup window 20m, fail rate 0.8, latency 500ms, capacity 50 rps, any apikey)');
    expect(/listening on (http:\/\/\S+)/.exec(line)?.[1]).toBe('http://127.0.0.1:4321');
    expect(shortDuration(90 * 60_000)).toBe('1h30m');
  });
});
