#!/usr/bin/env node
// `npm run bench [-- --lines N] [-- --large]`: the throughput and memory of the main path, against
// the storage limit measured in the same run. Writes bench/results/<date>-<host>.json and prints a
// Markdown table for bench/README.md.
//
// 1. storage limit: the input's bytes written straight into SQLite as 1 MiB blobs (WAL, synchronous=FULL)
// 2. tdfwd send --format json, and --format none, of N ~200-byte JSON lines (lines/s, MB/s, peak RSS)
// 3. tdfwd flush of that backlog to a local `tdfwd endpoint` (records/s, peak RSS)
// 4. send --format json + flush of the lines without and with their own ISO `time` string first,
//    alternately `--repeat` times (3): the best of each shape and their ratio (`--shapes plain` skips it).
// --large repeats send+flush with a backlog of about 1 GB (5M lines) to show RSS does not grow with it.
import Database from 'better-sqlite3';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mb, runTimed, startEndpointProcess } from './lib.js';

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const lines = Number(flag('--lines', '1000000'));
const shapes = flag('--shapes', 'plain,time').split(',');
const repeat = Number(flag('--repeat', '3'));
const large = args.includes('--large');
const work = mkdtempSync(join(tmpdir(), 'tdfwd-bench-'));
const here = fileURLToPath(new URL('.', import.meta.url));

function generate(n, shape = 'plain') {
  const file = join(work, `lines-${n}-${shape}.json`);
  spawnSync(process.execPath, [join(here, 'gen-lines.js'), file, String(n), ...(shape === 'time' ? ['--time'] : [])], { stdio: 'inherit' });
  return file;
}

function storageLimit(file) {
  const dir = join(work, 'sqlite-limit');
  mkdirSync(dir);
  const db = new Database(join(dir, 'limit.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  const data = readFileSync(file);
  const started = performance.now();
  for (let off = 0; off < data.length; off += 1 << 20) insert.run(data.subarray(off, Math.min(off + (1 << 20), data.length)));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, bytes: data.length };
}

async function sendRun(file, format, buffer) {
  const r = await runTimed(['--buffer', buffer, 'send', '--tag', 'td.bench.events', '--format', format], { stdin: createReadStream(file) });
  if (r.code !== 0) throw new Error(`send failed: ${r.stderr}`);
  return r;
}

async function flushRun(buffer, url) {
  const r = await runTimed(['--buffer', buffer, 'flush', '--timeout', '30m'], { env: { TD_API_SERVER: url, TD_API_KEY: 'bench' } });
  if (r.code !== 0) throw new Error(`flush failed: ${r.stderr}`);
  const m = /delivered (\d+) records/.exec(r.stderr);
  return { ...r, records: m ? Number(m[1]) : 0 };
}

async function sendAndFlush(n, label) {
  const file = generate(n);
  const bytes = statSync(file).size;
  const limit = storageLimit(file);
  const results = { label, lines: n, input_bytes: bytes, storage_limit: { seconds: limit.seconds, lines_per_s: n / limit.seconds, mb_per_s: bytes / 1048576 / limit.seconds } };
  for (const format of ['json', 'none']) {
    const buffer = join(work, `buf-${label}-${format}`);
    const s = await sendRun(file, format, buffer);
    results[`send_${format}`] = { seconds: s.seconds, lines_per_s: n / s.seconds, mb_per_s: bytes / 1048576 / s.seconds, peak_rss_mb: Number(mb(s.peakRssBytes)) };
    if (format === 'json') {
      const ep = await startEndpointProcess(['--auto-tables']);
      try {
        const f = await flushRun(buffer, ep.url);
        results.flush = { seconds: f.seconds, records: f.records, records_per_s: f.records / f.seconds, peak_rss_mb: Number(mb(f.peakRssBytes)) };
      } finally {
        ep.child.kill('SIGTERM');
      }
    }
    rmSync(buffer, { recursive: true, force: true });
  }
  results.send_json.vs_storage_limit = results.send_json.lines_per_s / results.storage_limit.lines_per_s;
  rmSync(file, { force: true });
  if (shapes.includes('time')) results.time_shape = await timeShape(n, label);
  return results;
}

/** One send --format json + flush of a file into a fresh buffer. */
async function sendFlushOnce(file, buffer) {
  const s = await sendRun(file, 'json', buffer);
  const ep = await startEndpointProcess(['--auto-tables']);
  try {
    const f = await flushRun(buffer, ep.url);
    return { send_seconds: s.seconds, flush_seconds: f.seconds, seconds: s.seconds + f.seconds, send_rss_mb: Number(mb(s.peakRssBytes)), flush_rss_mb: Number(mb(f.peakRssBytes)) };
  } finally {
    ep.child.kill('SIGTERM');
    rmSync(buffer, { recursive: true, force: true });
  }
}

/**
 * send --format json + flush of the lines without and with their own `time` string, alternately
 * `repeat` times (the machine's load changes from minute to minute): the best of each, and their ratio.
 */
async function timeShape(n, label) {
  const files = { plain: generate(n, 'plain'), time: generate(n, 'time') };
  const best = {};
  const all = { plain: [], time: [] };
  for (let r = 0; r < repeat; r++) {
    for (const shape of ['plain', 'time']) {
      const one = await sendFlushOnce(files[shape], join(work, `buf-${label}-shape-${shape}`));
      all[shape].push(Number(one.seconds.toFixed(2)));
      if (!best[shape] || one.seconds < best[shape].seconds) best[shape] = one;
    }
  }
  const bytes = { plain: statSync(files.plain).size, time: statSync(files.time).size };
  for (const f of Object.values(files)) rmSync(f, { force: true });
  return { repeat, input_bytes: bytes, best, all_seconds: all, send_flush_vs_plain: best.time.seconds / best.plain.seconds };
}

function table(r) {
  const f = (x) => Math.round(x).toLocaleString('en-US');
  return [
    `| ${r.label}: ${f(r.lines)} lines, ${mb(r.input_bytes)} MB | seconds | lines/s (records/s) | MB/s | peak RSS MB |`,
    '|---|---:|---:|---:|---:|',
    `| storage limit (1 MiB blobs, WAL, FULL) | ${r.storage_limit.seconds.toFixed(2)} | ${f(r.storage_limit.lines_per_s)} | ${r.storage_limit.mb_per_s.toFixed(0)} | – |`,
    `| send --format json | ${r.send_json.seconds.toFixed(2)} | ${f(r.send_json.lines_per_s)} | ${r.send_json.mb_per_s.toFixed(0)} | ${r.send_json.peak_rss_mb} |`,
    `| send --format none | ${r.send_none.seconds.toFixed(2)} | ${f(r.send_none.lines_per_s)} | ${r.send_none.mb_per_s.toFixed(0)} | ${r.send_none.peak_rss_mb} |`,
    `| flush → local endpoint | ${r.flush.seconds.toFixed(2)} | ${f(r.flush.records_per_s)} | – | ${r.flush.peak_rss_mb} |`,
    `| send json vs storage limit | | ${(r.send_json.vs_storage_limit * 100).toFixed(0)}% | | |`,
    ...(r.time_shape
      ? [
          `| send json + flush, best of ${r.time_shape.repeat} alternate runs: plain lines (${mb(r.time_shape.input_bytes.plain)} MB) | ${r.time_shape.best.plain.seconds.toFixed(2)} | ${f(r.lines / r.time_shape.best.plain.seconds)} | | ${r.time_shape.best.plain.send_rss_mb} |`,
          `| the same lines with a string time (${mb(r.time_shape.input_bytes.time)} MB) | ${r.time_shape.best.time.seconds.toFixed(2)} | ${f(r.lines / r.time_shape.best.time.seconds)} | | ${r.time_shape.best.time.send_rss_mb} |`,
          `| send+flush with time vs without | | ${((r.time_shape.send_flush_vs_plain - 1) * 100).toFixed(0)}% slower (all runs: ${r.time_shape.all_seconds.plain.join(', ')} s / ${r.time_shape.all_seconds.time.join(', ')} s) | | |`,
        ]
      : []),
  ].join('\n');
}

async function main() {
  const machine = { host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, mem_gb: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() };
  console.log(`tdfwd bench on ${machine.cpus} × ${machine.cpu}, ${machine.mem_gb} GiB, node ${machine.node}, ${machine.date}`);
  const runs = [await sendAndFlush(lines, 'default')];
  if (large) runs.push(await sendAndFlush(5_000_000, 'large'));
  const out = { machine, runs };
  const dir = join(here, 'results');
  if (!existsSync(dir)) mkdirSync(dir);
  const name = join(dir, `${machine.date.slice(0, 10)}-${machine.host}.json`);
  writeFileSync(name, JSON.stringify(out, null, 2) + '\n');
  for (const r of runs) console.log(`\n${table(r)}`);
  console.log(`\nresults: ${name}`);
}

main()
  .catch((err) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
