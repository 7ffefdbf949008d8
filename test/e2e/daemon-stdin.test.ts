// The daemon's stdin input under a busy pipe: chunks seal by size and are delivered while stdin is
// still being fed, not only once it ends (as the tail and forward inputs already do).
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, startDaemon, tdOutput, work, writeConfig } from './daemon-harness.js';

/** Lines of ~120 bytes, numbered from `from`. */
function lines(from: number, n: number): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += `{"seq":${i},"host":"10.0.0.${i % 250}","path":"/api/v1/items","code":200,"agent":"Mozilla/5.0 (X11)"}\n`;
  return s;
}

/** Write and wait until the pipe takes more (backpressure), so the feed is as fast as the reader. */
function write(stdin: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stdin.write(text, (err) => (err ? reject(err) : undefined))) resolve();
    else stdin.once('drain', resolve);
  });
}

describe('tdfwd run: stdin input', () => {
  it('delivers records while stdin is still being fed as fast as the daemon reads it', async () => {
    const dir = work();
    const ep = await endpoint({ autoTables: true });
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      // Default chunk limits; the timer never seals here (1h): only sealing by size can deliver before stdin ends.
      buffer: { path: join(dir, 'buf'), flush_interval: '1h' },
      inputs: [{ type: 'stdin', tag: 'td.std.busy', format: 'json' }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const d = await startDaemon(file, { keepStdin: true });
    const stdin = d.child.stdin;
    if (!stdin) throw new Error('no stdin pipe');

    // Feed without pause until the endpoint has imported something, or a bounded amount or time.
    const perWrite = 1000;
    const maxLines = 3_000_000;
    const deadline = Date.now() + 30_000;
    let written = 0;
    while (ep.stats().importedRecords === 0 && written < maxLines && Date.now() < deadline) {
      await write(stdin, lines(written, perWrite));
      written += perWrite;
    }
    const importedWhileOpen = ep.stats().importedRecords;
    expect(importedWhileOpen, `nothing was imported while ${written} lines were fed`).toBeGreaterThan(0);
    expect(importedWhileOpen).toBeLessThan(written);

    // Everything fed arrives once stdin ends and the daemon stops (open chunks are sealed at stop).
    stdin.end();
    await d.waitLog((l) => l.msg.includes('end of stdin after'), 60_000);
    expect(d.logs().find((l) => l.msg.includes('end of stdin after'))?.msg).toContain(`after ${written} lines`);
    expect((await d.stop(60_000)).code).toBe(0);
    await waitFor(() => ep.stats().importedRecords >= written, 30_000);
    expect(ep.stats().importedRecords).toBe(written);
    expect(ep.stats().duplicateImports).toBe(0);
  });

  it('SIGTERM while the writer keeps the pipe open: the lines read are delivered and the process exits at once', async () => {
    // Standard input is read through a socket of tdfwd's own (src/inputs/byte-source.ts); once the
    // input stopped it reads no more, and the open pipe must not hold the process until run's exit
    // grace (3 s) nor lose what was read.
    const dir = work();
    const ep = await endpoint({ autoTables: true });
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(dir, 'buf'), flush_interval: '1h' },
      inputs: [{ type: 'stdin', tag: 'td.std.open', format: 'json' }],
      outputs: [tdOutput(ep.url)],
      admin: { listen: 'off' },
    });
    const d = await startDaemon(file, { keepStdin: true });
    await write(d.child.stdin!, lines(0, 500));
    await new Promise((r) => setTimeout(r, 500)); // pacing: the daemon reads what the pipe holds
    const exit = await d.stop(10_000);
    expect(exit.code).toBe(0);
    // run.ts logs this when anything holds the process past the daemon's stop (and exits 3 s later).
    expect(d.logs().map((l) => l.msg)).not.toContainEqual(expect.stringContaining('something kept the process alive'));
    await waitFor(() => ep.stats().importedRecords >= 500, 10_000);
    expect(ep.stats().importedRecords).toBe(500);
  });
});
