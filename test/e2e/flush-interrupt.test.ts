// Ctrl-C during `tdfwd flush` against an endpoint that has not answered yet: an abort is not an
// endpoint failure. The chunk goes back to queued with no last error, nothing is logged as failing,
// and the output is not left in backoff; but the request had reached the endpoint, so it is in doubt.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint } from '../../src/endpoint/index.js';
import { runTdfwd, spawnTdfwd, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface ChunkJson {
  state: string;
  attempts: number;
  last_error: string | null;
  in_doubt_since: string | null;
  first_attempt_at: string | null;
}

async function chunks(buffer: string): Promise<ChunkJson[]> {
  const r = await runTdfwd(['--buffer', buffer, 'chunks', 'list', '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as ChunkJson[];
}

describe('Ctrl-C during flush', () => {
  it('leaves the chunk queued and in doubt, logs no failure, and keeps the output out of backoff', async () => {
    const ep = await startEndpoint({ port: 0, autoTables: true, latencyMs: 60_000 });
    cleanups.push(() => ep.close());
    const t = tempDir();
    cleanups.push(t.cleanup);
    const buffer = join(t.dir, 'buf');
    expect((await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.db.tbl'], { input: 'one\ntwo\n' })).code).toBe(0);

    const child = spawnTdfwd(['--buffer', buffer, 'flush', '--timeout', '60s'], { env: { TD_API_SERVER: ep.url, TD_API_KEY: 'k' } });
    child.stdin?.end();
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    cleanups.push(() => void child.kill('SIGKILL'));
    await waitFor(() => ep.stats().requests >= 1, 20_000); // the import is at the endpoint, unanswered
    const during = await chunks(buffer);
    expect(during).toEqual([expect.objectContaining({ state: 'inflight', attempts: 1 })]);

    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(1); // interrupted: the chunk stays buffered
    expect(stderr).toMatch(/interrupted; the rest stays buffered/);
    expect(stderr).not.toMatch(/endpoint failing|aborted|in doubt for/i);

    expect(await chunks(buffer)).toEqual([
      expect.objectContaining({ state: 'queued', attempts: 1, last_error: null, in_doubt_since: expect.any(String) }),
    ]);
    const status = await runTdfwd(['--buffer', buffer, 'status', '--json']);
    const out = (JSON.parse(status.stdout) as { outputs: { state: string; next_attempt_at: string | null }[] }).outputs[0]!;
    expect(out.state).not.toBe('backoff');
    expect(out.next_attempt_at).toBeNull();
  });
});
