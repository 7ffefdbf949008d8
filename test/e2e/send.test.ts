// `tdfwd send` as a user pipes into it: formats, bad input, usage errors, a signal mid-stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runTdfwd, spawnTdfwd, waitFor } from '../helpers/cli.js';
import { openStore, recordsIn } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});
function buffer(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return join(t.dir, 'buf');
}

const records = recordsIn;

describe('tdfwd send', () => {
  it('a tag without a Treasure Data table is refused before anything is buffered: exit 2', async () => {
    const buf = buffer();
    for (const tag of ['td.web', 'td.a.b.c']) {
      const r = await runTdfwd(['--buffer', buf, 'send', '--tag', tag], { input: 'one line\n', env: { TD_API_KEY: 'k-0123456789' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tdfwd: --tag: output td \\(match "td\\.\\*\\*"\\) cannot send it: tag "${tag.replaceAll('.', '\\.')}" has`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const ok = await runTdfwd(['--buffer', buf, 'send', '--tag', 'td.Web.access'], { input: 'one line\n' });
    expect(ok.code).toBe(0);
    expect((await records(buf)).map((x) => x.message)).toEqual(['one line']);
  });

  it('keeps unparseable lines with _parse_error and counts them', async () => {
    const buf = buffer();
    const r = await runTdfwd(['--buffer', buf, 'send', '--tag', 'td.a.b', '--format', 'json'], { input: '{"ok":1}\nnot json\n[1,2]\n{"ok":2}' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('4 records committed');
    expect(r.stderr).toContain('2 parse errors');
    const recs = await records(buf);
    expect(recs.map((x) => x.ok ?? x.message)).toEqual([1, 'not json', '[1,2]', 2]);
    expect(recs[1]!._parse_error).toMatch(/invalid JSON/);
    for (const x of recs) expect(Number.isInteger(x.time)).toBe(true);
  });

  it('takes the time from --time-key', async () => {
    const buf = buffer();
    const r = await runTdfwd(['--buffer', buf, 'send', '--tag', 'td.a.b', '--format', 'ltsv', '--time-key', 'ts'], {
      input: 'ts:2024-01-02T03:04:05Z\tuser:alice\nts:1700000000123\tuser:bob\n',
    });
    expect(r.code).toBe(0);
    const recs = await records(buf);
    expect(recs.map((x) => x.time)).toEqual([1704164645, 1700000000]);
    expect(recs[0]!.user).toBe('alice');
  });

  it.each([
    [['send', '--format', 'json'], /--tag/],
    [['send', '--tag', 'td.a.b', '--format', 'yaml'], /--format: unknown format "yaml"/],
    [['send', '--tag', 'bad tag'], /--tag: "bad tag" is not a valid tag/],
    [['send', '--tag', 'td.a.b', '--format', 'regexp:(unclosed'], /--format/],
  ])('usage error %j exits 2 with a sentence', async (args, message) => {
    const r = await runTdfwd(['--buffer', buffer(), ...args], { input: 'x\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('on SIGTERM commits every line read so far, says so and exits 1', async () => {
    const buf = buffer();
    const child = spawnTdfwd(['--buffer', buf, 'send', '--tag', 'td.a.b']);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.write('one\ntwo\nthree\n');
    // The lines are read (and committed) while stdin stays open; then the signal comes.
    await waitFor(async () => {
      const s = openStore(buf);
      const n = s.stats().pendingRecords;
      await s.close();
      return n === 3;
    }, 15_000);
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain('3 records committed');
    expect(stderr).toMatch(/interrupted/);
    expect((await records(buf)).map((x) => x.message)).toEqual(['one', 'two', 'three']);
  });
});

describe('tdfwd send across block boundaries', () => {
  // Standard input is read three ways (src/inputs/byte-source.ts): a socket (a spawned child's stdin)
  // and a pipe through net.Socket's reused buffer, a regular file by fs.read into one; each read is
  // copied into the reader's reused block buffer, so a view kept too long would corrupt later lines.
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i++) lines.push(JSON.stringify({ seq: i, pad: i === 12_345 ? 'x'.repeat(2_500_000) : 'y'.repeat(i % 300) }));
  const text = Buffer.from(lines.join('\n') + '\n{"seq":30000,"last":"no newline"}');

  function sendFrom(kind: 'socket' | 'pipe' | 'file', buf: string): ChildProcess {
    const args = ['--buffer', buf, 'send', '--tag', 'td.a.b', '--format', 'json'];
    if (kind === 'socket') {
      const child = spawnTdfwd(args);
      // odd write sizes, so blocks and lines never line up
      for (let off = 0, k = 0; off < text.length; k++) {
        const n = [1, 7, 4093, 65_537, 1_048_577][k % 5] as number;
        child.stdin!.write(text.subarray(off, off + n));
        off += n;
      }
      child.stdin!.end();
      return child;
    }
    const file = join(dirname(buf), 'input.json');
    writeFileSync(file, text);
    if (kind === 'pipe') return spawn('sh', ['-c', 'cat "$0" | exec "$@"', file, process.execPath, BIN, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const fd = openSync(file, 'r');
    cleanups.push(() => closeSync(fd));
    return spawn(process.execPath, [BIN, ...args], { env: cleanEnv(), stdio: [fd, 'pipe', 'pipe'] });
  }

  it.each(['socket', 'pipe', 'file'] as const)(
    'from a %s: keeps line order across read and block boundaries and an over-long line that spans blocks',
    async (kind) => {
      const buf = buffer();
      const child = sendFrom(kind, buf);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise((r) => child.once('exit', r));
      expect(code).toBe(0);
      expect(stderr).toContain('30001 records committed');
      expect(stderr).toMatch(/1 lines longer than 1 MiB were truncated/);
      const recs = await records(buf);
      expect(recs).toHaveLength(30_001);
      for (let i = 0; i < 30_001; i++) {
        if (i === 12_345) continue;
        const r = recs[i]!;
        if (r.seq !== i || (i < 30_000 && r.pad !== 'y'.repeat(i % 300))) throw new Error(`record ${i} is ${JSON.stringify(r).slice(0, 200)}`);
      }
      expect(recs[12_345]!._parse_error).toBeDefined(); // the truncated JSON line is kept, as a parse error
      expect(recs[30_000]!.last).toBe('no newline');
    },
    60_000,
  );
});
