// `tdfwd send -c FILE` applies the config's filters, as the daemon's inputs do: the records it buffers
// are the filtered ones, and its summary counts the ones the filters dropped.
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTdfwd } from '../helpers/cli.js';
import { recordsIn } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

const records = recordsIn;

describe('tdfwd send with filters', () => {
  it('buffers the filtered records (fast JSON path and plain lines) and counts the dropped ones', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const buf = join(t.dir, 'buf');
    const cfg = join(t.dir, 'tdfwd.yaml');
    writeFileSync(
      cfg,
      `buffer: { path: ${buf} }\n` +
        'filters:\n' +
        '  - { type: record, match: "td.app.*", set: { host: "${hostname}", table: "${tag_parts[2]}" }, remove: [secret] }\n' +
        '  - { type: grep, match: "**", exclude: [{ key: path, pattern: "^/health" }] }\n' +
        'outputs:\n  - { type: stdout, match: "**" }\n',
    );
    const lines = [
      { path: '/a', secret: 's1', n: 1 },
      { path: '/health', n: 2 },
      { path: '/b', n: 3 },
      { path: '/healthz', secret: 's4', n: 4 },
    ].map((r) => JSON.stringify(r));
    const r = await runTdfwd(['-c', cfg, 'send', '--tag', 'td.app.web', '--format', 'json'], { input: lines.join('\n') + '\n' });
    expect(r.stderr).toMatch(/2 records committed .*2 dropped by filters/);
    expect(r.code).toBe(0);
    const got = await records(buf);
    expect(got.map(({ time: _t, ...rest }) => rest)).toEqual([
      { path: '/a', n: 1, host: hostname(), table: 'web' },
      { path: '/b', n: 3, host: hostname(), table: 'web' },
    ]);
    expect(got.every((x) => Number.isInteger(x.time))).toBe(true);

    // a tag the record filter does not match: only grep applies
    const r2 = await runTdfwd(['-c', cfg, 'send', '--tag', 'other.tag'], { input: 'GET /health\n/health\nhello\n' });
    expect(r2.code).toBe(0);
    expect(r2.stderr).toMatch(/3 records committed/);
    expect(r2.stderr).not.toMatch(/dropped by filters/);
  });
});
