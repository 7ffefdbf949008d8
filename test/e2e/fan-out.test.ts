// `routing: copy` as a user runs it: `send` with a config whose two td outputs both match the tag,
// `flush` while the second endpoint fails (the first gets its copy, the flush exits 1 naming the
// other), `status` and `chunks list` show the copy waiting for its output, and a flush after the
// fault is lifted delivers it there, once, without re-sending to the first.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint } from '../../src/endpoint/index.js';
import { runTdfwd } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe('routing: copy', () => {
  it('every matching output gets its own copy; status and chunks list show the one still waiting', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const primary = await startEndpoint({ port: 0, autoTables: true });
    const archive = await startEndpoint({ port: 0, autoTables: true });
    cleanups.push(() => primary.close(), () => archive.close());
    archive.faults.forceStatus = { status: 503, headers: {} };
    const cfg = join(t.dir, 'tdfwd.yaml');
    const retry = '{ wait: 100ms, max_wait: 200ms }';
    writeFileSync(
      cfg,
      `routing: copy
buffer: { path: ${join(t.dir, 'buf')} }
outputs:
  - { type: td, name: primary, match: "td.**", endpoint: "${primary.url}", apikey: k, retry: ${retry} }
  - { type: td, name: archive, match: "td.**", endpoint: "${archive.url}", apikey: k, retry: ${retry} }
`,
    );
    const c = ['-c', cfg];
    expect((await runTdfwd([...c, 'send', '--tag', 'td.db.tbl', '--format', 'json'], { input: '{"n":1}\n{"n":2}\n{"n":3}\n' })).code).toBe(0);

    const first = await runTdfwd([...c, 'flush', '--timeout', '2s']);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/archive/);
    expect(primary.stats()).toMatchObject({ imports: 1, importedRecords: 3 });
    expect(archive.stats().imports).toBe(0);

    const status = JSON.parse((await runTdfwd([...c, 'status', '--json'])).stdout) as { outputs: { name: string; copies?: object }[] };
    expect(status.outputs.find((o) => o.name === 'archive')?.copies).toEqual({ queued: 1, inflight: 0, parked: 0 });
    expect(status.outputs.find((o) => o.name === 'primary')?.copies).toBeUndefined();
    const text = await runTdfwd([...c, 'status']);
    expect(text.stdout).toMatch(/copies \(routing: copy\), by output:\n\s+archive\s+queued 1/);
    const list = JSON.parse((await runTdfwd([...c, 'chunks', 'list', '--json'])).stdout) as { output: string | null; records: number }[];
    expect(list).toEqual([expect.objectContaining({ output: 'archive', records: 3 })]);

    archive.faults.forceStatus = null;
    const second = await runTdfwd([...c, 'flush', '--timeout', '10s']);
    expect(second.code).toBe(0);
    expect(archive.stats()).toMatchObject({ imports: 1, importedRecords: 3 });
    expect(primary.stats().imports).toBe(1);
    expect([...primary.importsById().keys()]).not.toEqual([...archive.importsById().keys()]);
    expect((await runTdfwd([...c, 'chunks', 'list'])).stdout).toBe('no chunks\n');
  });

  it('rejects an unknown routing with a sentence naming the key', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const cfg = join(t.dir, 'tdfwd.yaml');
    writeFileSync(cfg, 'routing: broadcast\n');
    const r = await runTdfwd(['-c', cfg, 'config', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/routing: .*first_match.*copy/);
  });
});
