// A fleet of `tdfwd flush` processes, each with its own buffer and backlog, against one endpoint that
// goes down and comes back: the outage costs a few probes per agent, not a request per chunk, and
// every record arrives exactly once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint } from '../../src/endpoint/index.js';
import { jsonLines, runTdfwd, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const AGENTS = 4;
const LINES = 2000;
const PER_CHUNK = 20; // 100 chunks per agent
const OUTAGE_MS = 6000;

describe('a fleet through an outage', () => {
  it(`${AGENTS} flush processes with ${LINES / PER_CHUNK} chunks each: few requests while down, everything once after`, async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const ep = await startEndpoint({ port: 0, autoTables: true });
    cleanups.push(() => ep.close());
    const configs = await Promise.all(
      Array.from({ length: AGENTS }, async (_, i) => {
        const cfg = join(t.dir, `agent${i}.yaml`);
        writeFileSync(
          cfg,
          `buffer:\n  path: ${join(t.dir, `buf${i}`)}\n  chunk_limit_records: ${PER_CHUNK}\noutputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: k\n    timeout: 5s\n    retry: { wait: 1s, max_wait: 4s }\n`,
        );
        const sent = await runTdfwd(['-c', cfg, 'send', '--tag', `td.fleet.agent${i}`, '--format', 'json'], { input: jsonLines(LINES, i * LINES) });
        expect(sent.code, sent.stderr).toBe(0);
        return cfg;
      }),
    );
    ep.faults.down = true;
    const flushes = configs.map((cfg) => runTdfwd(['-c', cfg, 'flush', '--timeout', '30s'], { timeoutMs: 40_000 }));
    // process start-up varies with the machine's load: the outage is timed from the first probe
    await waitFor(() => ep.stats().requests >= 1, 20_000);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = ep.stats().requests;
    ep.faults.down = false;
    const results = await Promise.all(flushes);
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const s = ep.stats();
    console.log(`[fleet] ${AGENTS} agents × ${LINES / PER_CHUNK} chunks: ${during} requests during the ${OUTAGE_MS / 1000} s outage; ${s.requests} in all`);
    expect(during).toBeLessThanOrEqual(AGENTS * 10); // ~one probe per backoff interval per agent, not 400
    expect(s.importedRecords).toBe(AGENTS * LINES);
    expect(s.uniqueIds).toBe((AGENTS * LINES) / PER_CHUNK);
    expect(s.duplicateImports).toBe(0);
    expect(s.maxImportsPerId).toBe(1);
    for (let i = 0; i < AGENTS; i++) expect(s.recordsByTable[`fleet.agent${i}`]).toBe(LINES);
  }, 60_000);
});
