// `--log-level`: one check for every command, before any work starts: exit 2, a message naming the
// flag and the values it takes.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_LEVELS } from '../../src/cli/globals.js';
import { createLogger } from '../../src/daemon/logger.js';
import { runTdfwd } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const { dir, cleanup } = tempDir();
afterAll(() => cleanup());
const buffer = join(dir, 'buf');

describe('--log-level', () => {
  const commands: string[][] = [['status'], ['run'], ['flush', '--timeout', '1s'], ['send', '--tag', 'td.a.b'], ['config', 'check'], ['chunks', 'list']];
  for (const cmd of commands) {
    it(`rejects an unknown level for \`${cmd.join(' ')}\`, before or after the command, with exit 2`, async () => {
      for (const args of [['--log-level', 'verbose', ...cmd], [...cmd, '--log-level', 'verbose']]) {
        const r = await runTdfwd(['--buffer', buffer, ...args], { input: 'a line\n' });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/^tdfwd: /); // like every other message of ours, not commander's "error:"
        expect(r.stderr).toContain('--log-level');
        expect(r.stderr).toContain('verbose');
        expect(r.stderr).toContain(LOG_LEVELS.join(', '));
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
    });
  }

  it('accepts a known level for a one-off command', async () => {
    const r = await runTdfwd(['--buffer', buffer, '--log-level', 'debug', 'status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('buffer', buffer);
  });

  it("every level it accepts is one the daemon's logger takes", () => {
    for (const level of LOG_LEVELS) expect(createLogger(level, []).level).toBe(level);
  });
});
