// `tdfwd migrate` as a user runs it: td-agent.conf in, YAML out (stdout or --out), errors with file and
// line, and --import-positions: a file td-agent had half read resumes under `tdfwd run` exactly where
// td-agent stopped (no line lost, none repeated), delivered to a real endpoint.
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTdfwd, waitFor } from '../helpers/cli.js';
import { APIKEY, endpoint, httpDaemonConfig, seqCounts, startDaemon, work } from './daemon-harness.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/td-agent/${name}`, import.meta.url));

function lines(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `{"seq":${i},"msg":"line ${i} of the log td-agent was tailing"}\n`;
  return s;
}

const hex16 = (n: bigint | number) => BigInt(n).toString(16).padStart(16, '0');

describe('tdfwd migrate', () => {
  it('prints the converted YAML and a summary; the default td-agent 4 config converts into one tdfwd config check accepts', async () => {
    const dir = work();
    const r = await runTdfwd(['migrate', fixture('td-agent4-default.conf')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  - type: td\n    name: output_td\n    match: td.*.*\n');
    expect(r.stderr).toBe('converted 2 inputs, 0 filters, 2 outputs; 2 parts not converted: see the "# not converted:" comments\n');
    const out = join(dir, 'tdfwd.yaml');
    writeFileSync(out, 'mine');
    const refused = await runTdfwd(['migrate', fixture('td-agent4-default.conf'), '--out', out]);
    expect([refused.code, refused.stderr]).toEqual([2, `tdfwd: ${out} already exists; add --force to replace it, or choose another --out\n`]);
    const forced = await runTdfwd(['migrate', fixture('td-agent4-default.conf'), '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(r.stdout.replace('tdfwd -c FILE config check', `tdfwd -c ${out} config check`));
    expect(statSync(out).mode & 0o777).toBe(0o600); // it may hold an API key
    const check = await runTdfwd(['-c', out, 'config', 'check'], { env: { TD_API_KEY: APIKEY } });
    expect([check.code, check.stderr]).toEqual([0, 'config OK: 2 inputs, 2 outputs\n']);
  });

  it('refuses a file it cannot read or parse with exit 2, naming the file and line', async () => {
    const dir = work();
    const bad = join(dir, 'td-agent.conf');
    writeFileSync(bad, '<source>\n  @type tail\n  path "/var/log/a.log\n');
    const r = await runTdfwd(['migrate', bad]);
    expect([r.code, r.stderr]).toEqual([2, `tdfwd: ${bad}:4: a "..." string opened at line 3 never ends\n`]);
    const missing = await runTdfwd(['migrate', join(dir, 'nope.conf')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.conf does not exist; give the path of a td-agent\.conf or fluent\.conf\n$/);
  });

  it('--import-positions: a file td-agent half read resumes under tdfwd run where td-agent stopped, no line lost or repeated', async () => {
    const dir = work();
    const store = join(dir, 'store.ndjson');
    const ep = await endpoint({ storeFile: store });
    const log = join(dir, 'app.log');
    writeFileSync(log, lines(0, 10));
    // td-agent read and shipped seq 0..3; its pos_file says so (path, offset, inode in hex).
    const readUpTo = Buffer.byteLength(lines(0, 4));
    const pos = join(dir, 'app.pos');
    writeFileSync(pos, `${join(dir, 'gone.log')}\tffffffffffffffff\t0000000000000001\n${log}\t${hex16(readUpTo)}\t${hex16(statSync(log, { bigint: true }).ino)}\n`);
    const conf = join(dir, 'td-agent.conf');
    writeFileSync(
      conf,
      `<source>
  @type tail
  path ${log}
  pos_file ${pos}
  tag td.migrated.events
  refresh_interval 1s
  <parse>
    @type json
  </parse>
</source>

<match td.*.*>
  @type tdlog
  apikey "#{ENV['TD_API_KEY']}"
  endpoint ${ep.url.replace(/^http:\/\//, '')}
  use_ssl false
  auto_create_table
  <buffer>
    @type file
    path /var/log/td-agent/buffer/td
    flush_interval 1s
    retry_wait 0.2
  </buffer>
</match>
`,
    );
    const buffer = join(dir, 'buf');
    const cfg = join(dir, 'tdfwd.yaml');
    const m = await runTdfwd(['--buffer', buffer, 'migrate', conf, '--out', cfg, '--import-positions']);
    expect([m.code, m.stderr]).toEqual([0, `converted 1 input, 0 filters, 1 output into ${cfg}; imported 1 tail position into ${buffer}\n`]);
    expect(readFileSync(cfg, 'utf8')).toContain(`buffer:\n  path: ${buffer}\n  flush_interval: 1s\n`);
    // A second import keeps the position the buffer has (it may be newer than td-agent's).
    const again = await runTdfwd(['--buffer', buffer, 'migrate', conf, '--out', cfg, '--force', '--import-positions']);
    expect(again.stderr).toContain('imported 0 tail positions into ' + buffer + ' (kept 1 tdfwd already had)');

    appendFileSync(cfg, 'admin:\n  listen: "off"\n'); // the test's only change: no admin port
    appendFileSync(log, lines(10, 12)); // written after td-agent stopped
    const d = await startDaemon(cfg, { env: { TD_API_KEY: APIKEY }, args: ['--log-level', 'debug'] });
    await waitFor(() => ep.stats().importedRecords >= 8, 30_000, 100);
    expect((await d.stop()).code).toBe(0);
    const counts = seqCounts(store);
    expect([...counts.entries()].sort((a, b) => a[0] - b[0])).toEqual([4, 5, 6, 7, 8, 9, 10, 11].map((s) => [s, 1]));
    expect(d.logs().find((l) => l.msg.startsWith('following file'))).toMatchObject({ msg: 'following file (resume)', path: log, offset: readUpTo });
  });

  it('--import-positions refuses while a daemon runs on the buffer', async () => {
    const dir = work();
    const d = await startDaemon(httpDaemonConfig(dir, { type: 'stdout', match: '**' }));
    const r = await runTdfwd(['--buffer', join(dir, 'buf'), 'migrate', fixture('nginx-host.conf'), '--import-positions']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tdfwd: another tdfwd daemon (pid ${d.pid}) is running on the buffer ${join(dir, 'buf')}; stop it first`);
    expect(r.stdout).toBe('');
  });
});
