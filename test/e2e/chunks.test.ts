// `tdfwd chunks` as a user runs it: a 400 parks a chunk, `chunks list` shows it with its reason,
// `chunks show` decodes it, `chunks retry` re-queues it with the same key, and once the fault is lifted a
// flush delivers it. Also: export of open chunks, drop confirmation, unknown ids, bad --state.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { cleanEnv, runTdfwd, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

const DIST = fileURLToPath(new URL('../../dist/cli/', import.meta.url));
const wired = readFileSync(join(DIST, 'commands.js'), 'utf8').includes('registerChunks');

// Until `chunks` is registered in src/cli/commands.ts, run the real program with it added.
const SHIM = `
const { buildProgram } = await import(${JSON.stringify(join(DIST, 'main.js'))});
const { registerChunks } = await import(${JSON.stringify(join(DIST, 'chunks.js'))});
const program = buildProgram();
registerChunks(program);
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); } catch (e) { if (e?.code?.startsWith?.('commander.')) process.exitCode = e.exitCode === 0 ? 0 : 2; else throw e; }
`;

function tdfwd(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  if (wired || args[2] !== 'chunks') return runTdfwd(args, { env });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SHIM, '--', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function setup(): Promise<{ buffer: string; ep: EndpointHandle; env: Record<string, string> }> {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const ep = await startEndpoint({ port: 0, autoTables: true });
  cleanups.push(() => ep.close());
  return { buffer: join(t.dir, 'buf'), ep, env: { TD_API_SERVER: ep.url, TD_API_KEY: 'k' } };
}

describe('tdfwd chunks', () => {
  it('400 → parked and listed; show decodes it; retry re-queues the same key; delivered after the fault is lifted', async () => {
    const { buffer, ep, env } = await setup();
    const b = ['--buffer', buffer];
    expect((await runTdfwd([...b, 'send', '--tag', 'td.db.tbl', '--format', 'json'], { env, input: '{"n":1}\n{"n":2}\n{"n":3}\n' })).code).toBe(0);
    ep.faults.forceStatus = { status: 400, headers: {} };
    const flushed = await tdfwd([...b, 'flush', '--timeout', '10s'], env);
    expect(flushed.code).toBe(1);
    expect(flushed.stderr).toMatch(/parked/);

    const list = await tdfwd([...b, 'chunks', 'list', '--state', 'parked', '--json'], env);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: number; key: string; state: string; records: number; attempts: number; park_reason: string }[];
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ state: 'parked', records: 3, attempts: 1 });
    expect(row!.park_reason).toMatch(/HTTP 400/);
    const table = await tdfwd([...b, 'chunks', 'list'], env);
    expect(table.stdout).toMatch(/ID\s+KEY\s+TAG\s+STATE\s+OUTPUT\s+RECORDS\s+BYTES\s+ATTEMPTS\s+AGE/);
    expect(table.stdout).toMatch(/parked .*HTTP 400/);

    const show = await tdfwd([...b, 'chunks', 'show', row!.key.slice(0, 10)], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(row!.key);
    expect(show.stdout).toMatch(/first try\s+\d{4}-/);
    expect(show.stdout).toContain('"n":2');

    const exported = await tdfwd([...b, 'chunks', 'export', String(row!.id)], env);
    expect(exported.stdout.trim().split('\n').map((l) => JSON.parse(l).n)).toEqual([1, 2, 3]);

    const retry = await tdfwd([...b, 'chunks', 'retry', String(row!.id)], env);
    expect(retry.code).toBe(0);
    const queued = JSON.parse((await tdfwd([...b, 'chunks', 'list', '--json'], env)).stdout) as { key: string; state: string }[];
    expect(queued).toEqual([expect.objectContaining({ key: row!.key, state: 'queued' })]);

    ep.faults.forceStatus = null;
    expect((await tdfwd([...b, 'flush', '--timeout', '10s'], env)).code).toBe(0);
    expect(ep.importsById().get(row!.key)).toBe(1);
    expect(JSON.parse((await tdfwd([...b, 'chunks', 'list', '--json'], env)).stdout)).toEqual([]);
  });

  it('exports an open chunk; drop wants --yes off a terminal (exit 2), then drops; unknown ids exit 1', async () => {
    const { buffer, env } = await setup();
    const b = ['--buffer', buffer];
    await runTdfwd([...b, 'send', '--tag', 'td.a.b'], { env, input: 'one\ntwo\n' });
    const list = JSON.parse((await tdfwd([...b, 'chunks', 'list', '--json'], env)).stdout) as { id: number; state: string }[];
    expect(list).toEqual([expect.objectContaining({ state: 'open' })]);
    const id = String(list[0]!.id);
    const out = await tdfwd([...b, 'chunks', 'export', id], env);
    expect(out.stdout.trim().split('\n').map((l) => JSON.parse(l).message)).toEqual(['one', 'two']);

    const refused = await tdfwd([...b, 'chunks', 'drop', id], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect((await tdfwd([...b, 'chunks', 'drop', id, '--yes'], env)).code).toBe(0);
    expect(JSON.parse((await tdfwd([...b, 'chunks', 'list', '--json'], env)).stdout)).toEqual([]);

    const missing = await tdfwd([...b, 'chunks', 'show', '999'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no chunk "999" in the buffer/);
    expect(missing.stderr).not.toMatch(/at .*\.js:\d+/);
    const bad = await tdfwd([...b, 'chunks', 'list', '--state', 'lost'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--state: expected one of/);
    const neither = await tdfwd([...b, 'chunks', 'retry'], env);
    expect(neither.code).toBe(2);
  });
});
