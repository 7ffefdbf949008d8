// A buffer that belongs to another user: every command that opens it says whose it is and what to
// do, and exits 2. Permissions do not apply to root, so as root the commands run as `nobody` against
// a buffer root owns (node's spawn with uid/gid); as another user, /root stands for a directory that
// is not theirs.
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTdfwd, type RunOptions } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

/** A directory that exists and that this test's commands may not use, with its owner's name. */
function foreignBuffer(): { dir: string; owner: string; as: Pick<RunOptions, 'uid' | 'gid'> } | null {
  if (isRoot) {
    const t = tempDir('tdfwd-owner-');
    cleanups.push(t.cleanup);
    chmodSync(t.dir, 0o755); // nobody must reach the buffer inside, and read the config
    const dir = join(t.dir, 'buf');
    return { dir, owner: 'root', as: { uid: NOBODY, gid: NOBODY } };
  }
  if (!existsSync('/root') || statSync('/root').uid !== 0) return null;
  try {
    accessSync('/root', constants.W_OK);
    return null; // writable after all: nothing to test here
  } catch {
    return { dir: '/root', owner: 'root', as: {} };
  }
}

describe('a buffer that belongs to another user', () => {
  it.skipIf(foreignBuffer() === null)('status, chunks, flush, send and run say whose it is, and exit 2', async () => {
    const f = foreignBuffer();
    if (!f) return;
    if (isRoot) {
      // A real buffer, made by root, as the daemon leaves it (0700 directory, 0600 buffer.db).
      const made = await runTdfwd(['--buffer', f.dir, 'send', '--tag', 'td.a.b'], { input: '{"a":1}\n' });
      expect(made.code).toBe(0);
      expect(statSync(f.dir).mode & 0o777).toBe(0o700);
    }
    let configDir = join(f.dir, '..');
    if (f.dir === '/root') {
      const t = tempDir();
      cleanups.push(t.cleanup);
      configDir = t.dir;
    }
    const config = join(configDir, 'tdfwd.yaml');
    writeFileSync(config, `buffer: { path: ${f.dir} }\ninputs: [{ type: http, port: 0 }]\noutputs: [{ type: stdout, match: "**" }]\nadmin: { listen: "off" }\n`, { mode: 0o644 });
    const env = { TD_API_KEY: 'k', TD_API_SERVER: 'http://127.0.0.1:9' };
    const commands: string[][] = [
      ['--buffer', f.dir, 'status'],
      ['--buffer', f.dir, 'status', '--json'],
      ['--buffer', f.dir, 'chunks', 'list'],
      ['--buffer', f.dir, 'flush', '--timeout', '1s'],
      ['--buffer', f.dir, 'send', '--tag', 'td.a.b'],
      ['-c', config, 'run'],
    ];
    for (const args of commands) {
      const r = await runTdfwd(args, { ...f.as, env, input: '{"b":2}\n', timeoutMs: 20_000 });
      expect(r.stderr.trim(), args.join(' ')).toBe(`tdfwd: the buffer ${f.dir} belongs to user ${f.owner} (uid 0): run as that user (sudo -u ${f.owner} tdfwd ${args.join(' ')}) or pass --buffer DIR`);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });

  it.skipIf(!isRoot)('a buffer directory that cannot be created says so, and how to create it', async () => {
    const t = tempDir('tdfwd-owner-');
    cleanups.push(t.cleanup);
    chmodSync(t.dir, 0o755);
    const dir = join(t.dir, 'state', 'tdfwd');
    const r = await runTdfwd(['--buffer', dir, 'send', '--tag', 'td.a.b'], { uid: NOBODY, gid: NOBODY, input: '{"a":1}\n' });
    expect(r.stderr.trim()).toBe(`tdfwd: the buffer directory ${dir} cannot be created: ${t.dir} belongs to user root (uid 0); create it for this user (sudo install -d -m 0700 -o nobody ${dir}) or pass --buffer DIR`);
    expect(r.code).toBe(2);
  });

  it.skipIf(!isRoot)('an own buffer without write permission names its mode', async () => {
    const t = tempDir('tdfwd-owner-');
    cleanups.push(t.cleanup);
    chmodSync(t.dir, 0o755);
    const dir = join(t.dir, 'buf');
    mkdirSync(dir, { mode: 0o500 });
    chownSync(dir, NOBODY, NOBODY);
    const r = await runTdfwd(['--buffer', dir, 'send', '--tag', 'td.a.b'], { uid: NOBODY, gid: NOBODY, input: '{"a":1}\n' });
    expect(r.stderr.trim()).toBe(`tdfwd: the buffer ${dir} is not readable and writable by this user (mode 0500): fix its permissions (tdfwd creates it 0700, buffer.db 0600) or pass --buffer DIR`);
    expect(r.code).toBe(2);
  });
});

if (!isRoot && foreignBuffer() === null) {
  describe('a buffer that belongs to another user', () => {
    it.skip('skipped: not root (cannot run as nobody) and no /root directory that is not ours to stand in', () => {});
  });
}
