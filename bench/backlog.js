#!/usr/bin/env node
// `npm run bench:backlog [-- --lines N]`: the daemon draining a large backlog (default 5M ~200-byte
// JSON lines, ~1 GB of input): `tdfwd send` fills the buffer with the endpoint down, then `tdfwd run`
// starts with a local endpoint; time until every record is imported, and the daemon's peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, mb, runTimed, startEndpointProcess } from './lib.js';

const args = process.argv.slice(2);
const lines = Number(args[args.indexOf('--lines') + 1] || 5_000_000) || 5_000_000;
const here = fileURLToPath(new URL('.', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tdfwd-bench-backlog-'));

function peakRss(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

async function main() {
  const file = join(work, 'in.log');
  spawnSync(process.execPath, [join(here, 'gen-lines.js'), file, String(lines)], { stdio: 'inherit' });
  const buffer = join(work, 'buf');
  const sent = await runTimed(['--buffer', buffer, 'send', '--tag', 'td.bench.backlog', '--format', 'json'], { stdin: createReadStream(file) });
  if (sent.code !== 0) throw new Error(`send failed: ${sent.stderr}`);
  rmSync(file, { force: true });
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const cfg = join(work, 'run.yaml');
  writeFileSync(cfg, `buffer:\n  path: ${buffer}\ninputs:\n  - { type: tail, path: "${work}/idle/*.log", tag: td.bench.idle }\noutputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: bench\nadmin:\n  listen: null\n`);
  const started = performance.now();
  const d = spawn(process.execPath, [BIN, '-c', cfg, '--log-level', 'warn', 'run'], { stdio: ['ignore', 'ignore', 'inherit'] });
  let rss = 0;
  const poll = setInterval(() => (rss = Math.max(rss, peakRss(d.pid))), 20);
  for (;;) {
    const r = await fetch(`${ep.url}/_tdfwd/stats`);
    if ((await r.json()).importedRecords >= lines) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  rss = Math.max(rss, peakRss(d.pid));
  clearInterval(poll);
  await new Promise((res) => (d.once('exit', res), d.kill('SIGTERM')));
  ep.child.kill('SIGTERM');
  console.log(`send: ${lines} lines in ${sent.seconds.toFixed(2)}s (peak RSS ${mb(sent.peakRssBytes)} MB)`);
  console.log(`daemon drained ${lines} records in ${seconds.toFixed(2)}s = ${Math.round(lines / seconds)} records/s, daemon peak RSS ${mb(rss)} MB`);
}

main()
  .catch((err) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
