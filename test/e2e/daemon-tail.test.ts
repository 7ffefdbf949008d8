// The daemon tailing a file that a writer appends to while it is rotated (rename), copy-truncated,
// and while the daemon itself is killed with SIGKILL: every line arrives exactly once.
import { appendFileSync, copyFileSync, renameSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, exactlyOnce, metric, seqCounts, startDaemon, status, tdOutput, work, writeConfig, type DaemonProc } from './daemon-harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function lines(from: number, n: number): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += `{"seq":${i},"msg":"line ${i} of the tailed log"}\n`;
  return s;
}

function tailConfig(dir: string, log: string, url: string, admin: boolean, buffer: Record<string, unknown> = {}): string {
  return writeConfig(join(dir, 'tdfwd.yaml'), {
    buffer: { path: join(dir, 'buf'), flush_interval: '1s', ...buffer },
    inputs: [{ type: 'tail', path: log, tag: 'td.tail.events', format: 'json', refresh_interval: '200ms', rotate_wait: '2s', read_from_head: true }],
    outputs: [tdOutput(url)],
    admin: { listen: admin ? '127.0.0.1:0' : 'off' },
    shutdown_timeout: '10s',
  });
}

describe('tdfwd run: tail', () => {
  it('100k lines through two rename rotations and a copytruncate arrive exactly once', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const log = join(dir, 'app.log');
    const d = await startDaemon(tailConfig(dir, log, ep.url, true));
    const admin = d.adminUrl();
    const recordsIn = () => metric(admin, 'tdfwd_input_records_total', { input: 'tail.0' });

    const N = 100_000;
    const BATCH = 1000;
    const rotations = new Map([
      [Math.floor(N / 3 / BATCH) * BATCH, `${log}.1`],
      [Math.floor((2 * N) / 3 / BATCH) * BATCH, `${log}.2`],
    ]);
    const truncateAt = Math.floor((5 * N) / 6 / BATCH) * BATCH;
    const committedAt: string[] = []; // committed/written at each rename: how far behind the daemon was
    // A rename is logged as a rotation when a poll sees the new file at the path, or as "moved away"
    // when a poll or a glob refresh falls between the rename and the next append (no file there yet).
    const renamesSeen = (): number =>
      d.logs().filter((l) => l.msg.startsWith('file was rotated') || l.msg.startsWith('file was deleted or moved away')).length;
    for (let seq = 0; seq < N; seq += BATCH) {
      appendFileSync(log, lines(seq, BATCH)); // opens the path each time, as a logger reopening after rotation
      const written = seq + BATCH;
      const rotated = rotations.get(written);
      if (rotated) {
        // A tailer that polls can only follow a file it has seen at the path at least once: one created
        // and renamed away between two polls is invisible to it (it lives on under a name the config
        // does not follow). Real logs live at the path for hours; here a file lives there for a fraction
        // of a second, and under CPU load the daemon's poll can be longer than that. So before renaming,
        // wait until the daemon has seen the file at the path (not until it has read it: it may lag).
        const seenBefore = [...rotations.keys()].filter((k) => k < written).length;
        if (seenBefore === 0) await waitFor(async () => (await recordsIn()) > 0, 20_000);
        else await waitFor(() => renamesSeen() >= seenBefore, 20_000);
        committedAt.push(`${await recordsIn()}/${written}`);
        renameSync(log, rotated); // logrotate's default: the next append creates a new file
      }
      if (written === truncateAt) {
        // copytruncate loses, by nature, lines the tailer had not read yet when the file is cut and lines
        // written between the copy and the truncate. So: wait until the daemon has committed every line
        // written so far, copy and truncate with no write in between, and write again only once the
        // daemon has seen the truncation (it detects it by the size dropping below its position).
        let seen = 0;
        await waitFor(async () => (seen = await recordsIn()) === written, 30_000).catch(() => {
          throw new Error(`before the copytruncate the daemon had committed ${seen} of the ${written} lines written; its log:\n${d.stderr().slice(-3000)}`);
        });
        copyFileSync(log, `${log}.3`);
        truncateSync(log, 0);
        await d.waitLog((l) => l.msg.startsWith('file was truncated'), 20_000);
      }
      await sleep(10); // a steady writer, not one burst
    }
    await waitFor(() => ep.stats().importedRecords >= N, 60_000, 200);
    expect((await d.stop()).code).toBe(0);
    expect(exactlyOnce(seqCounts(store), N)).toEqual([]);
    expect(ep.stats().duplicateRecords).toBe(0);
    expect(renamesSeen()).toBeGreaterThanOrEqual(2);
    console.log(`tail: lines committed/written at the renames: ${committedAt.join(', ')}`);
  });

  it('three kill -9 while a writer appends: after a restart and SIGTERM nothing is lost or duplicated', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    // answers take a while, so some kills land between the import and its answer: the re-send after
    // the restart carries the same key and the endpoint's dedup answers it without importing again
    const ep = await endpoint({ storeFile: store, latencyMs: 150 });
    const log = join(dir, 'app.log');
    const file = tailConfig(dir, log, ep.url, false, { chunk_limit_records: 2000 }); // many chunks, several in flight

    // The writer goes on until the final daemon runs, so every kill happens while lines are appended.
    let written = 0;
    let writing = true;
    let writerError: unknown = null;
    const writer = (async () => {
      while (writing) {
        appendFileSync(log, lines(written, 100));
        written += 100;
        await sleep(10);
      }
    })().catch((err: unknown) => (writerError = err));

    let d: DaemonProc;
    for (let round = 0; round < 3; round++) {
      const before = ep.stats().importedRecords;
      d = await startDaemon(file);
      // kill while it works: after it delivered something in this life, at a point that varies
      await waitFor(() => ep.stats().importedRecords > before, 30_000);
      await sleep(100 + round * 250);
      d.signal('SIGKILL');
      expect((await d.exited).signal).toBe('SIGKILL');
    }
    d = await startDaemon(file);
    const atRestart = ep.stats().importedRecords;
    await waitFor(() => ep.stats().importedRecords > atRestart, 30_000);
    writing = false;
    await writer;
    expect(writerError).toBeNull();
    const N = written;
    await waitFor(() => ep.stats().importedRecords >= N, 60_000, 200);
    expect((await d.stop()).code).toBe(0);

    expect(exactlyOnce(seqCounts(store), N)).toEqual([]);
    const stats = ep.stats();
    expect(stats.duplicateRecords).toBe(0);
    expect(stats.importedRecords).toBe(N);
    console.log(`kill -9 x3: ${N} lines, ${stats.imports} imports, ${stats.dedupHits} dedup hits, ${stats.keysSeen} keys seen`);
    expect((await status(join(dir, 'buf'))).pending_records).toBe(0);
  });
});
