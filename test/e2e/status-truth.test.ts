// `tdfwd status` shows only what is known of an output: unknown before any attempt, the recorded state
// and when it was recorded, idle once a recorded backoff is over and no process is delivering.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

interface OutputJson {
  state: string;
  next_attempt_at: string | null;
  recorded_at: string | null;
  last_state?: string;
}

async function setup(): Promise<{ buffer: string; ep: EndpointHandle; env: Record<string, string> }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const ep = await startEndpoint({ port: 0, autoTables: true });
  cleanups.push(() => ep.close());
  const buffer = join(t.dir, 'buf');
  expect((await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.db.tbl'], { input: 'one\ntwo\n' })).code).toBe(0);
  return { buffer, ep, env: { TD_API_SERVER: ep.url, TD_API_KEY: 'k' } };
}

async function output(buffer: string): Promise<OutputJson> {
  const r = await runTdfwd(['--buffer', buffer, 'status', '--json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { outputs: OutputJson[] }).outputs[0]!;
}

describe('status truthfulness', () => {
  it('unknown before any attempt; healthy as of the flush that delivered', async () => {
    const { buffer, env } = await setup();
    expect(await output(buffer)).toMatchObject({ state: 'unknown', recorded_at: null });
    const text = await runTdfwd(['--buffer', buffer, 'status']);
    expect(text.stdout).toMatch(/^td\s+td\s+td\.\*\*\s+unknown\s/m);

    const before = Date.now();
    expect((await runTdfwd(['--buffer', buffer, 'flush', '--timeout', '10s'], { env })).code).toBe(0);
    const o = await output(buffer);
    expect(o.state).toBe('healthy');
    expect(Date.parse(o.recorded_at ?? '')).toBeGreaterThanOrEqual(before - 1000);
    expect((await runTdfwd(['--buffer', buffer, 'status'])).stdout).toMatch(/healthy .*\d{4}-\d\d-\d\dT[\d:.]+Z \(.* ago\)/);
  });

  it('a backoff left by a flush that ended turns idle once its next attempt is past', async () => {
    const { buffer, ep, env } = await setup();
    ep.faults.forceStatus = { status: 500, headers: {} };
    expect((await runTdfwd(['--buffer', buffer, 'flush', '--timeout', '1s'], { env })).code).toBe(1);
    const left = await output(buffer);
    expect(['backoff', 'idle']).toContain(left.state);
    expect(left.recorded_at).not.toBeNull();

    let o = left;
    await waitFor(async () => (o = await output(buffer)).state === 'idle', 30_000, 200);
    expect(o).toMatchObject({ state: 'idle', last_state: 'backoff', next_attempt_at: null, recorded_at: left.recorded_at });
    const text = await runTdfwd(['--buffer', buffer, 'status']);
    expect(text.stdout).toMatch(/^td\s+td\s+td\.\*\*\s+idle\s/m);
    expect(text.stdout).toMatch(/idle: left td in backoff and no process is delivering/);
  });
});
