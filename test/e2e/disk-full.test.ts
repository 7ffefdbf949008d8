// A full disk under the buffer, on a real (tmpfs) file system that fills up: `send` stops with a
// sentence and exit 1, and what it committed is intact and delivered; `flush` fails with a sentence and
// delivers everything once space is freed; the daemon does not crash, pauses
// its inputs (http answers 503 + Retry-After), starts again after a kill -9 while the disk is still
// full, and once space is freed goes on: every tailed line is delivered exactly once. Needs root to mount the tmpfs; skipped (with the reason) elsewhere.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { mountTmpfs, tmpfsAvailable, type Tmpfs } from '../helpers/tmpfs.js';
import { APIKEY, endpoint, exactlyOnce, metric, onCleanup, post, seqCounts, startDaemon, tdOutput, work, writeConfig } from './daemon-harness.js';

/** A tmpfs of `kb`, unmounted after the test (once its processes are gone). */
function smallDisk(kb: number): Tmpfs {
  const m = mountTmpfs(kb);
  if (!m) throw new Error('tmpfs mount refused');
  onCleanup(() => m.unmount());
  return m;
}

/** n JSON lines of ~250 bytes with seq 0..n-1; random hex, so they do not compress to nothing (~8 MB stored). */
function linesFile(dir: string, n: number): string {
  const file = join(dir, 'app.log');
  writeFileSync(file, Array.from({ length: n }, (_, seq) => JSON.stringify({ seq, msg: `line ${seq}`, pad: randomBytes(100).toString('hex') }) + '\n').join(''));
  return file;
}

/** Fills the file system holding `dir` with a file named `filler` until it refuses more. */
function fillUp(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

/** 20,000 lines sent into a buffer on a 16 MB tmpfs (room left): the start of the flush and restart cases. */
async function sentToSmallDisk(): Promise<{ dir: string; disk: Tmpfs; buffer: string; n: number }> {
  const dir = work();
  const disk = smallDisk(16 * 1024);
  const buffer = join(disk.dir, 'buf');
  const n = 20_000;
  const sent = await runTdfwd(['send', '--buffer', buffer, '--tag', 'td.app.lines', '--format', 'json'], { inputFile: linesFile(dir, n) });
  expect(sent.code).toBe(0);
  return { dir, disk, buffer, n };
}

if (!tmpfsAvailable) console.warn('disk-full tests skipped: this machine does not let the tests mount a tmpfs (needs root on Linux)');

describe.skipIf(!tmpfsAvailable)('a full disk under the buffer', () => {
  it('send exits 1 with a sentence; the lines it committed are intact, in order, and flush delivers them', async () => {
    const dir = work();
    const disk = smallDisk(3 * 1024);
    const buffer = join(disk.dir, 'buf');
    const n = 60_000;
    const r = await runTdfwd(['send', '--buffer', buffer, '--tag', 'td.app.lines', '--format', 'json'], { inputFile: linesFile(dir, n), timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the disk holding the buffer \(.*\) is full: nothing more can be committed until space is freed there/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const committed = Number(/(\d+) records were committed before the failure/.exec(r.stderr)?.[1]);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(n);

    disk.resize(100 * 1024); // space freed
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, autoTables: true });
    const f = await runTdfwd(['flush', '--buffer', buffer, '--timeout', '30s'], { env: { TD_API_SERVER: ep.url, TD_API_KEY: APIKEY } });
    expect(f.stderr).toMatch(/delivered/);
    expect(f.code).toBe(0);
    expect(exactlyOnce(seqCounts(store), committed)).toEqual([]); // the first `committed` lines, each once
  });

  it('flush on a full disk exits 1 with a sentence; once space is freed it delivers every record once', async () => {
    const { dir, disk, buffer, n } = await sentToSmallDisk();
    fillUp(disk.dir); // now the disk is full: sealing, leasing and acknowledging cannot be written
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, autoTables: true });
    const env = { TD_API_SERVER: ep.url, TD_API_KEY: APIKEY };
    const full = await runTdfwd(['flush', '--buffer', buffer, '--timeout', '5s'], { env });
    expect(full.code, full.stderr).toBe(1);
    expect(full.stderr.slice(0, 400)).toMatch(/the disk holding the buffer \(.*\) is full|the buffer cannot record delivery results/);
    expect(full.stderr).not.toMatch(/internal error|\n\s+at /);

    rmSync(join(disk.dir, 'filler'));
    const ok = await runTdfwd(['flush', '--buffer', buffer, '--timeout', '30s'], { env });
    expect(ok.code).toBe(0);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    expect(ep.stats().duplicateImports).toBe(0);
  });

  it('the daemon pauses its inputs while the disk is full, survives a kill -9 and a restart, and delivers every line once space is freed', { timeout: 120_000 }, async () => {
    const dir = work();
    const disk = smallDisk(3 * 1024);
    const n = 60_000;
    const file = linesFile(dir, n);
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, autoTables: true });
    // Nothing is delivered while the disk is full: a delivered chunk frees pages in the database, and
    // the 600 KB post below could then fit.
    ep.faults.failRate = 1;
    const config = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(disk.dir, 'buf'), flush_interval: '300ms' },
      inputs: [
        { type: 'tail', path: file, read_from_head: true, tag: 'td.app.lines', format: 'json' },
        { type: 'http', bind: '127.0.0.1', port: 0 },
      ],
      outputs: [tdOutput(ep.url)],
      admin: { listen: '127.0.0.1:0' },
    });
    const d = await startDaemon(config);
    await d.waitLog((l) => /the disk holding the buffer .* is full/.test(l.msg), 30_000);

    // 600 KB that does not compress: more than the few pages a full disk may still have free
    const full = await post(d.inputPort('http', 1), '/td.app.posted', JSON.stringify({ seq: -1, pad: randomBytes(300_000).toString('hex') }));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('1');
    expect(d.exit).toBeNull();

    // killed while the disk is full, and started again still full: it starts (inputs waiting)
    d.child.kill('SIGKILL');
    await d.exited;
    const again = await startDaemon(config);
    await again.waitLog((l) => /the disk holding the buffer .* is full/.test(l.msg), 30_000);
    expect(again.exit).toBeNull();
    const blocked = () => metric(again.adminUrl(), 'tdfwd_buffer_writes_blocked', { cause: 'disk_full' });
    await waitFor(async () => (await blocked()) === 1, 20_000); // the tail input's next commit is refused

    disk.resize(200 * 1024); // space freed: reading, sealing and delivery go on
    ep.faults.failRate = 0;
    await waitFor(() => seqCounts(store).size >= n, 60_000, 200);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
    expect((await post(again.inputPort('http', 1), '/td.app.posted', JSON.stringify({ seq: n }))).status).toBe(200);
    await waitFor(() => seqCounts(store).has(n), 20_000);
    expect(await blocked()).toBe(0);
    expect((await again.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), n + 1)).toEqual([]);
  });

  it('a chunk in flight at a kill -9, restarted on a full disk: the daemon comes up, and delivers it once space is freed', { timeout: 120_000 }, async () => {
    // Taking back the dead process's lease is a write: on a full disk it fails, and used to fail the
    // start ("stopping (start failed)"). Delivery now starts anyway and takes it back once it can.
    const { dir, disk, buffer, n } = await sentToSmallDisk();
    const store = join(dir, 'imported.ndjson');
    const ep = await endpoint({ storeFile: store, autoTables: true });
    ep.faults.latencyMs = 600_000; // requests hang: a chunk stays in flight
    const config = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: buffer, flush_interval: '300ms' },
      inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const d = await startDaemon(config);
    const inflight = async () => (await runTdfwd(['chunks', 'list', '--buffer', buffer])).stdout.includes('inflight');
    await waitFor(inflight, 20_000, 100);
    fillUp(disk.dir);
    d.child.kill('SIGKILL');
    await d.exited;

    const again = await startDaemon(config); // "running", or it throws with the daemon's log
    expect(again.exit).toBeNull();
    rmSync(join(disk.dir, 'filler'));
    ep.faults.latencyMs = 0;
    await waitFor(() => seqCounts(store).size >= n, 60_000, 200);
    expect((await again.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), n)).toEqual([]);
  });
});
