// `tdfwd simulate` as a user runs it (from the build: `npm test` builds first): a small fleet through a
// short incident, --json parsed, the --out chart checked; usage errors name the flag and exit 2.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTdfwd, type RunResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function tdfwd(args: string[]): Promise<RunResult> {
  return runTdfwd(args, { timeoutMs: 60_000 });
}

function work(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const SMALL = ['--agents', '20', '--incident-duration', '30m', '--flush-interval', '10s', '--seed', '3'];

describe('tdfwd simulate', () => {
  it('--json prints one object per policy; --out writes an SVG with one path per policy and the capacity line', async () => {
    const svg = join(work(), 'chart.svg');
    const r = await tdfwd(['simulate', ...SMALL, '--json', '--out', svg, '--jobs', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(reports.map((x) => x.policy)).toEqual(['tdfwd', 'periodic', 'fluentd']);
    for (const x of reports) {
      for (const key of ['peak_rps_over_capacity', 'total_requests', 'duplicate_imports', 'max_delivery_delay_s']) expect(typeof x[key]).toBe('number');
      expect(x.drain_seconds === null || typeof x.drain_seconds === 'number').toBe(true);
    }
    const [tdfwdReport, periodic] = reports as [{ peak_rps_over_capacity: number; duplicate_imports: number }, { peak_rps_over_capacity: number; duplicate_imports: number }];
    expect(periodic.peak_rps_over_capacity).toBeGreaterThan(3);
    expect(tdfwdReport.peak_rps_over_capacity).toBeLessThan(periodic.peak_rps_over_capacity);
    expect(tdfwdReport.duplicate_imports).toBeLessThan(periodic.duplicate_imports);

    expect(existsSync(svg)).toBe(true);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
    const paths = [...text.matchAll(/<path data-policy="([a-z]+)"/g)].map((m) => m[1]);
    expect(paths).toEqual(['tdfwd', 'periodic', 'fluentd']);
    expect(text).toContain('data-series="capacity"');
    expect(text).toContain('requests/s');
  });

  it('prints a readable table with the model description; a single policy can be chosen', async () => {
    const r = await tdfwd(['simulate', ...SMALL, '--scenario', 'outage', '--incident-duration', '10m', '--policy', 'tdfwd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/20 agents, one chunk each per 10s/);
    expect(r.stdout).toMatch(/outage for 10m: connection refused/);
    expect(r.stdout).toMatch(/^policy\s+peak\/capacity\s+requests/m);
    expect(r.stdout).toMatch(/^tdfwd\s+\d+\.\d\dx/m);
    expect(r.stdout).not.toMatch(/^periodic/m);
  });

  it('the outage of 200 agents runs with the default --jobs (every policy in a worker thread)', async () => {
    const r = await tdfwd(['simulate', '--scenario', 'outage', '--agents', '200', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.stdout) as { policy: string; chunks_sealed: number }[];
    expect(reports.map((x) => x.policy)).toEqual(['tdfwd', 'periodic', 'fluentd']);
    for (const x of reports) expect(x.chunks_sealed).toBeGreaterThan(0);
  });

  it('usage errors name the flag and exit 2', async () => {
    const bad = await tdfwd(['simulate', '--policy', 'tdfwd,nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--policy: unknown policy "nope"/);
    const dur = await tdfwd(['simulate', '--incident-duration', 'soon']);
    expect(dur.code).toBe(2);
    expect(dur.stderr).toMatch(/--incident-duration: expected a positive duration/);
    expect(bad.stderr).not.toMatch(/at .*\.js/);
  });
});
