// A reader that goes away (`tdfwd chunks export ID | head -1`): every command ends quietly, exit 0,
// nothing on stderr. The real bin/tdfwd is spawned with a stdout pipe whose reading end is closed.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTdfwd, spawnTdfwd } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
}

/**
 * Spawn tdfwd and close its stdout: at once (`afterLines` 0), or once that many lines have arrived
 * (as `head -n` does).
 */
function runWithClosedStdout(args: string[], afterLines = 0): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawnTdfwd(args);
    let stderr = '';
    let seen = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.stdin?.end();
    const out = child.stdout;
    if (!out) throw new Error('no stdout pipe');
    if (afterLines === 0) out.destroy();
    else {
      out.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.split('\n').length > afterLines) out.destroy();
      });
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, firstLine: seen.split('\n')[0] ?? '' });
    });
  });
}

let dir: string;
let cleanup: () => void;
let buffer: string;
let key: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  buffer = join(dir, 'buf');
  let lines = '';
  for (let i = 0; i < 50_000; i++) lines += `{"seq":${i},"msg":"a line long enough to fill the pipe ${i}"}\n`;
  const sent = await runTdfwd(['--buffer', buffer, 'send', '--tag', 'td.app.events', '--format', 'json'], { input: lines });
  expect(sent.code).toBe(0);
  const list = await runTdfwd(['--buffer', buffer, 'chunks', 'list', '--json']);
  key = (JSON.parse(list.stdout) as { key: string }[])[0]!.key;
}, 60_000);

afterAll(() => cleanup());

describe('a closed stdout ends every command quietly', () => {
  it('chunks export ID | head -1: the first record, then exit 0 and no stack trace', async () => {
    const r = await runWithClosedStdout(['--buffer', buffer, 'chunks', 'export', key], 1);
    expect(JSON.parse(r.firstLine)).toMatchObject({ seq: 0 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  // Each command's stderr: nothing, or only its own summary line (config check), never a stack trace.
  const commands: [string, () => string[], RegExp?][] = [
    ['status', () => ['--buffer', buffer, 'status']],
    ['status --json', () => ['--buffer', buffer, 'status', '--json']],
    ['chunks list', () => ['--buffer', buffer, 'chunks', 'list']],
    ['chunks show', () => ['--buffer', buffer, 'chunks', 'show', key]],
    ['chunks export', () => ['--buffer', buffer, 'chunks', 'export', key]],
    ['config check', () => ['--buffer', buffer, 'config', 'check'], /^config OK: [^\n]*\n$/],
    ['simulate --json', () => ['simulate', '--agents', '5', '--incident-duration', '5m', '--policy', 'tdfwd', '--jobs', '1', '--json']],
    ['endpoint', () => ['endpoint', '--port', '0']],
    ['--help', () => ['--help']],
  ];
  for (const [name, args, summary] of commands) {
    it(`${name}: exit 0, nothing on stderr but the command's own summary`, async () => {
      const r = await runWithClosedStdout(args());
      if (summary) expect(r.stderr).toMatch(summary);
      else expect(r.stderr).toBe('');
      expect(r.signal).toBeNull();
      expect(r.code).toBe(0);
    });
  }
});
