// tdfwd_input_parse_errors_total on the daemon's real admin /metrics: every input that parses lines
// counts the lines it kept as `{message, _parse_error}`, under its own input label.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/cli.js';
import { endpoint, metric, startDaemon, storedRows, tdOutput, work, writeConfig } from './daemon-harness.js';

/** `good` JSON lines and `bad` malformed ones (each starting with "{", so a multiline start too), interleaved. */
function mixed(prefix: string, good: number, bad: number): string {
  const out: string[] = [];
  for (let i = 0; i < Math.max(good, bad); i++) {
    if (i < good) out.push(`{"src":"${prefix}","seq":${i}}`);
    if (i < bad) out.push(`{"src":"${prefix}","broken":${i}`);
  }
  return out.join('\n') + '\n';
}

describe('tdfwd run: parse errors', () => {
  it('counts the malformed lines of tail (encoder and multiline paths) and stdin inputs per input', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const plain = join(dir, 'plain.log');
    const multi = join(dir, 'multi.log');
    writeFileSync(plain, mixed('plain', 7, 3));
    writeFileSync(multi, mixed('multi', 5, 4));
    const file = writeConfig(join(dir, 'tdfwd.yaml'), {
      buffer: { path: join(dir, 'buf'), flush_interval: '300ms' },
      inputs: [
        { type: 'tail', path: plain, tag: 'td.pe.plain', format: 'json', read_from_head: true },
        { type: 'tail', path: multi, tag: 'td.pe.multi', format: 'json', read_from_head: true, multiline_start: '^\\{', multiline_flush_interval: '200ms' },
        { type: 'stdin', tag: 'td.pe.stdin', format: 'json' },
      ],
      outputs: [tdOutput(ep.url)],
      admin: { listen: '127.0.0.1:0' },
    });
    const d = await startDaemon(file, { keepStdin: true });
    const stdin = d.child.stdin;
    if (!stdin) throw new Error('no stdin pipe');
    await new Promise<void>((r) => stdin.write(mixed('stdin', 6, 2), () => r()));

    const total = 7 + 3 + 5 + 4 + 6 + 2;
    await waitFor(() => storedRows(store).length === total, 20_000);
    const stored = storedRows(store);
    expect(stored.filter((r) => '_parse_error' in r.record)).toHaveLength(3 + 4 + 2);

    const admin = d.adminUrl();
    const name = 'tdfwd_input_parse_errors_total';
    expect(await metric(admin, name, { input: 'tail.0' })).toBe(3);
    expect(await metric(admin, name, { input: 'tail.1' })).toBe(4);
    expect(await metric(admin, name, { input: 'stdin.2' })).toBe(2);
    expect(await metric(admin, name)).toBe(3 + 4 + 2);
    expect((await d.stop()).code).toBe(0);
  });
});
