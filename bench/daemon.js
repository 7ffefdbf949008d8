#!/usr/bin/env node
// `npm run bench:daemon [-- --lines N]`: the daemon's two hot inputs, end to end.
// 1. tail → buffer → local endpoint: N ~200-byte JSON lines in one file, read_from_head, format json;
//    time from the daemon's start until the endpoint has imported every line (lines/s), daemon peak RSS.
// 2. forward: one client sends N events as PackedForward frames of 1000 events with `chunk` acks
//    (8 frames in flight); time until the last ack (events/s committed), then until imported.
// Both run twice: plain records, and the same records with their own ISO `time` string first
// (`--shapes plain` skips the second); the time shape's seconds are printed against the plain one's.
// `--shapes plain,filters` runs tail with the plain records through two filters (a `record` filter
// adding hostname, a `grep` exclude on path that keeps every line, so the import count is the same).
// bench/forward-ack.js measures how long acks keep a client with only a few frames in flight waiting.
// 3. stdin: the same N lines piped into the daemon's stdin as fast as it reads them; records imported
//    before the end of input (delivery must not wait for it), and the delivered rate.
// 4. idle: a tail + forward + http config (and the admin server), nothing flowing; RSS after 10 s.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { accessRecord } from './access-record.js';
import { BIN, freePort, killOnExit, mb, startEndpointProcess, waitForPort } from './lib.js';

const args = process.argv.slice(2);
const lines = Number(args[args.indexOf('--lines') + 1] || 1_000_000) || 1_000_000;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const shapes = (args.includes('--shapes') ? args[args.indexOf('--shapes') + 1] : 'plain,time').split(',');
const repeat = Number(args.includes('--repeat') ? args[args.indexOf('--repeat') + 1] : 2) || 1;
// `--prof DIR`: the daemon writes a V8 CPU profile of its (one) thread into DIR.
const profDir = args.includes('--prof') ? args[args.indexOf('--prof') + 1] : null;
// `--node-args "--flag …"`: extra node options for the daemon (experiments: heap and JIT flags).
const nodeArgs = args.includes('--node-args') ? args[args.indexOf('--node-args') + 1].split(' ').filter(Boolean) : [];
const work = mkdtempSync(join(tmpdir(), 'tdfwd-bench-daemon-'));
const here = fileURLToPath(new URL('.', import.meta.url));
const packr = new Packr({ useRecords: false });


function peakRss(pid) {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
}

async function imported(url) {
  const r = await fetch(`${url}/_tdfwd/stats`);
  return (await r.json()).importedRecords;
}

async function waitImported(url, n, timeoutMs = 600_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if ((await imported(url)) >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`endpoint did not import ${n} records in time`);
}

function startDaemon(configText, name, stdin = 'ignore') {
  const cfg = join(work, `${name}.yaml`);
  writeFileSync(cfg, configText);
  const child = spawn(process.execPath, [...nodeArgs, ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), BIN, '-c', cfg, '--log-level', 'warn', 'run'], {
    stdio: [stdin, 'ignore', 'pipe'],
  });
  killOnExit(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  let rss = 0;
  const poll = setInterval(() => (rss = Math.max(rss, peakRss(child.pid))), 20);
  return {
    child,
    peak: () => Math.max(rss, peakRss(child.pid)),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          clearInterval(poll);
          resolve(stderr);
        });
        child.kill('SIGTERM');
      }),
  };
}

/** The `filters` shape's filters: the issue's pair; the exclude matches no bench line (every one is imported). */
const FILTERS_YAML = `filters:\n  - { type: record, match: "td.**", set: { hostname: "\${hostname}" } }\n  - { type: grep, match: "td.**", exclude: [{ key: path, pattern: "^/healthz$" }] }\n`;

const outputYaml = (url) => `outputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${url}\n    apikey: bench\n`;

/** Each run gets its own buffer: a rerun's new file may get the old one's inode, and the old buffer's
 * tail position (same inode, offset at its end) would then rightly say there is nothing left to read. */
let tailRuns = 0;

async function tailRun(shape) {
  const file = join(work, `app-${shape}.log`);
  spawnSync(process.execPath, [join(here, 'gen-lines.js'), file, String(lines), ...(shape === 'time' ? ['--time'] : [])], { stdio: 'inherit' });
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const filters = shape === 'filters' ? FILTERS_YAML : '';
  const d = startDaemon(
    `buffer:\n  path: ${join(work, `buf-tail-${shape}-${++tailRuns}`)}\n  flush_interval: 1s\ninputs:\n  - { type: tail, path: "${file}", tag: td.bench.tail, format: json, read_from_head: true }\n${filters}${outputYaml(ep.url)}admin:\n  listen: null\n`,
    `tail-${shape}`,
  );
  const started = performance.now();
  await waitImported(ep.url, lines);
  const seconds = (performance.now() - started) / 1000;
  const rss = d.peak();
  await d.stop();
  ep.child.kill('SIGTERM');
  rmSync(file, { force: true });
  return { shape, lines, seconds, lines_per_s: lines / seconds, peak_rss_mb: Number(mb(rss)) };
}

async function stdinRun() {
  const file = join(work, 'stdin.log');
  spawnSync(process.execPath, [join(here, 'gen-lines.js'), file, String(lines)], { stdio: 'inherit' });
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const d = startDaemon(
    `buffer:\n  path: ${join(work, 'buf-stdin')}\n  flush_interval: 1s\ninputs:\n  - { type: stdin, tag: td.bench.stdin, format: json }\n${outputYaml(ep.url)}admin:\n  listen: null\n`,
    'stdin',
    'pipe',
  );
  d.child.stdin.on('error', () => {});
  const started = performance.now();
  let ended = 0;
  let atEnd = -1;
  const fed = new Promise((resolve) => {
    const src = createReadStream(file);
    src.pipe(d.child.stdin);
    // The last bytes are in the pipe (the daemon reads through the kernel's 64 KiB pipe buffer).
    src.on('end', () => resolve((ended = performance.now())));
  });
  fed.then(async () => (atEnd = await imported(ep.url)));
  await waitImported(ep.url, lines);
  const seconds = (performance.now() - started) / 1000;
  await fed;
  while (atEnd < 0) await new Promise((r) => setTimeout(r, 10));
  const rss = d.peak();
  await d.stop();
  ep.child.kill('SIGTERM');
  rmSync(file, { force: true });
  const feedSeconds = (ended - started) / 1000;
  return { lines, feed_seconds: feedSeconds, imported_at_end_of_input: atEnd, seconds, lines_per_s: lines / seconds, peak_rss_mb: Number(mb(rss)) };
}

async function idleRun() {
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const [fwd, http, admin] = [await freePort(), await freePort(), await freePort()];
  const d = startDaemon(
    `buffer:\n  path: ${join(work, 'buf-idle')}\ninputs:\n  - { type: tail, path: "${join(work, 'idle')}/*.log", tag: td.bench.idle, format: json }\n` +
      `  - { type: forward, port: ${fwd} }\n  - { type: http, port: ${http} }\n${outputYaml(ep.url)}admin:\n  listen: 127.0.0.1:${admin}\n`,
    'idle',
  );
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`http://127.0.0.1:${admin}/api/status`).then(() => true, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 10_000));
  const status = readFileSync(`/proc/${d.child.pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
  const peak = d.peak();
  await d.stop();
  ep.child.kill('SIGTERM');
  return { rss_after_10s_mb: Number(mb(rss)), peak_rss_mb: Number(mb(peak)) };
}

async function forwardRun(shape) {
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const port = await freePort();
  const d = startDaemon(
    `buffer:\n  path: ${join(work, `buf-fwd-${shape}`)}\n  flush_interval: 1s\ninputs:\n  - { type: forward, port: ${port} }\n${outputYaml(ep.url)}admin:\n  listen: null\n`,
    `forward-${shape}`,
  );
  await waitForPort(port, 200, 50);
  const perFrame = 1000;
  const frames = Math.ceil(lines / perFrame);
  const now = Math.floor(Date.now() / 1000);
  const entries = [];
  for (let i = 0; i < perFrame; i++) {
    entries.push(packr.pack([now, accessRecord(i, { time: shape === 'time' })]));
  }
  const blob = Buffer.concat(entries);
  const sock = connect(port, '127.0.0.1');
  const unpackr = new Unpackr({ useRecords: false });
  let acked = 0;
  let sent = 0;
  const started = performance.now();
  await new Promise((resolve, reject) => {
    const sendMore = () => {
      while (sent < frames && sent - acked < 8) {
        sock.write(packr.pack(['td.bench.forward', blob, { chunk: `c${sent}` }]));
        sent++;
      }
    };
    let pending = Buffer.alloc(0);
    sock.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      const msgs = unpackr.unpackMultiple(pending);
      pending = Buffer.alloc(0);
      acked += msgs.length;
      if (acked >= frames) resolve();
      else sendMore();
    });
    sock.on('error', reject);
    sock.on('connect', sendMore);
  });
  const ackSeconds = (performance.now() - started) / 1000;
  sock.end();
  await waitImported(ep.url, frames * perFrame);
  const seconds = (performance.now() - started) / 1000;
  const rss = d.peak();
  await d.stop();
  ep.child.kill('SIGTERM');
  const events = frames * perFrame;
  return { shape, events, ack_seconds: ackSeconds, events_per_s_committed: events / ackSeconds, seconds_to_import: seconds, events_per_s_imported: events / seconds, peak_rss_mb: Number(mb(rss)) };
}

async function main() {
  const machine = { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, mem_gb: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  console.log(`tdfwd daemon bench on ${machine.cpus} × ${machine.cpu}, node ${machine.node}, ${machine.date}`);
  const vs = (r, all, key) => (r.shape === 'plain' || !all[0] ? '' : ` (${(((r[key] / all[0][key]) - 1) * 100).toFixed(0)}% vs plain)`);
  // The shapes run alternately `--repeat` times (the machine's load changes from minute to minute);
  // the best run of each shape is kept, and compared.
  const tail = [];
  for (let r = 0; r < (only !== null && only !== 'tail' ? 0 : repeat); r++) {
    for (const shape of shapes) {
      const t = await tailRun(shape);
      console.log(`tail → endpoint, ${shape} records: ${t.lines} lines in ${t.seconds.toFixed(2)}s = ${Math.round(t.lines_per_s)} lines/s, daemon peak RSS ${t.peak_rss_mb} MB`);
      const k = tail.findIndex((x) => x.shape === shape);
      if (k < 0) tail.push(t);
      else if (t.seconds < tail[k].seconds) tail[k] = t;
    }
  }
  for (const t of tail) if (t.shape !== 'plain') console.log(`tail, best of ${repeat}: ${t.shape} records ${t.seconds.toFixed(2)}s${vs(t, tail, 'seconds')}`);
  const forward = [];
  for (const shape of only !== null && only !== 'forward' ? [] : shapes.filter((s) => s !== 'filters')) {
    const fwd = await forwardRun(shape);
    forward.push(fwd);
    console.log(
      `forward, ${shape} records: ${fwd.events} events committed (acked) in ${fwd.ack_seconds.toFixed(2)}s${vs(fwd, forward, 'ack_seconds')} = ${Math.round(fwd.events_per_s_committed)} events/s;` +
        ` imported after ${fwd.seconds_to_import.toFixed(2)}s = ${Math.round(fwd.events_per_s_imported)} events/s; daemon peak RSS ${fwd.peak_rss_mb} MB`,
    );
  }
  const stdin = only !== null && only !== 'stdin' ? null : await stdinRun();
  if (stdin) console.log(
    `stdin → endpoint: ${stdin.lines} lines fed in ${stdin.feed_seconds.toFixed(2)}s, ${stdin.imported_at_end_of_input} imported by the end of input;` +
      ` all imported after ${stdin.seconds.toFixed(2)}s = ${Math.round(stdin.lines_per_s)} lines/s; daemon peak RSS ${stdin.peak_rss_mb} MB`,
  );
  const idle = only !== null && only !== 'idle' ? null : await idleRun();
  if (idle) console.log(`idle (tail + forward + http + admin, nothing flowing): RSS ${idle.rss_after_10s_mb} MB after 10 s (peak ${idle.peak_rss_mb} MB)`);
  const out = join(here, 'results', `${machine.date.slice(0, 10)}-${machine.host}-daemon.json`);
  if (only || profDir || nodeArgs.length > 0) return;
  writeFileSync(out, JSON.stringify({ machine, tail, forward, stdin, idle }, null, 2) + '\n');
  console.log(`results: ${out}`);
}

main()
  .catch((err) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 1000).unref(); // the children of the failed run end with it (killOnExit)
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
