#!/usr/bin/env node
// `node bench/forward-ack.js [--events N] [--in-flight K] [--runs R]` (after npm run build): how long a
// forward client waits for its acks. One client sends N events as PackedForward frames of 1000 with
// the `chunk` option to a `tdfwd run` daemon (forward input → buffer → local endpoint), in two ways:
// - all at once: every frame written without waiting for acks; `written` is when the last frame has
//   left the client (the daemon has read all but the socket buffers), `acked` the last ack;
// - windowed: at most K frames unacked (default 4, as fluent-logger / Fluent Bit clients keep a few),
//   time to the last ack.
// The target: windowed acked within 2× the all-at-once written time (acks follow the commit, and do
// not hold the client back beyond it). Each run uses a fresh daemon and buffer.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Packr, Unpackr } from 'msgpackr';
import { BIN, freePort, startEndpointProcess, waitForPort } from './lib.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const events = opt('--events', 1_000_000);
const inFlight = opt('--in-flight', 4);
const runs = opt('--runs', 1);
const withTime = args.includes('--with-time'); // records that carry their own string `time`
// `--mode packed|compressed|forward`: PackedForward (default), CompressedPackedForward (gzip, as
// Fluent Bit's out_forward with compress gzip), or Forward mode (an array of entries).
const mode = args.includes('--mode') ? args[args.indexOf('--mode') + 1] : 'packed';
// `--fsync-delay-ms N`: the daemon's fsyncs take N ms more (bench/slow-fsync.c through LD_PRELOAD, built
// with gcc), as on a cloud volume; this machine's disk flushes in ~1–3 ms.
const fsyncDelayMs = opt('--fsync-delay-ms', 0);
const perFrame = 1000;
const frames = Math.ceil(events / perFrame);
const packr = new Packr({ useRecords: false });
const work = mkdtempSync(join(tmpdir(), 'tdfwd-bench-fwd-ack-'));


/** One frame's bytes but for its chunk option: the same 1000 events in every frame. */
function frameBody() {
  const now = Math.floor(Date.now() / 1000);
  const entries = [];
  for (let i = 0; i < perFrame; i++) {
    const record = { host: `10.0.0.${i % 250}`, method: 'GET', path: '/api/v1/items', code: 200, size: i * 7, agent: 'Mozilla/5.0 (X11; Linux x86_64)', seq: i, request_id: `req-${i.toString(16).padStart(8, '0')}` };
    entries.push([now, withTime ? { time: new Date(now * 1000).toISOString(), ...record } : record]);
  }
  if (mode === 'forward') return { entries, options: {} };
  const blob = Buffer.concat(entries.map((e) => packr.pack(e)));
  return mode === 'compressed' ? { entries: gzipSync(blob), options: { compressed: 'gzip' } } : { entries: blob, options: {} };
}

/** LD_PRELOAD and FSYNC_DELAY_MS for the daemon when --fsync-delay-ms is given. */
function slowDiskEnv() {
  if (fsyncDelayMs <= 0) return {};
  const so = join(work, 'slow-fsync.so');
  const src = fileURLToPath(new URL('slow-fsync.c', import.meta.url));
  const cc = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-o', so, src, '-ldl'], { stdio: 'inherit' });
  if (cc.status !== 0) throw new Error('--fsync-delay-ms needs gcc to build bench/slow-fsync.c');
  return { LD_PRELOAD: so, FSYNC_DELAY_MS: String(fsyncDelayMs) };
}
const daemonEnv = { ...process.env, ...slowDiskEnv() };

async function startDaemon(name) {
  const ep = await startEndpointProcess(['--auto-tables', '-q']);
  const port = await freePort();
  const cfg = join(work, `${name}.yaml`);
  writeFileSync(
    cfg,
    `buffer:\n  path: ${join(work, `buf-${name}`)}\n  flush_interval: 1s\ninputs:\n  - { type: forward, port: ${port} }\n` +
      `outputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${ep.url}\n    apikey: bench\nadmin:\n  listen: null\n`,
  );
  const child = spawn(process.execPath, [BIN, '-c', cfg, '--log-level', 'warn', 'run'], { stdio: ['ignore', 'ignore', 'inherit'], env: daemonEnv });
  await waitForPort(port, 400, 25);
  return {
    port,
    stop: async () => {
      await new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));
      ep.child.kill('SIGTERM');
    },
  };
}

/** Sends every frame, at most `window` unacked; resolves with the time the last frame left and the last ack came. */
function send(port, body, window) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const unpackr = new Unpackr({ useRecords: false });
    let acked = 0;
    let sent = 0;
    let written = 0;
    let started = 0;
    let pending = Buffer.alloc(0);
    const sendMore = () => {
      while (sent < frames && sent - acked < window) {
        const last = sent === frames - 1;
        sock.write(packr.pack(['td.bench.forward', body.entries, { chunk: `c${sent}`, ...body.options }]), last ? () => (written = performance.now() - started) : undefined);
        sent++;
      }
    };
    sock.on('data', (d) => {
      pending = pending.length ? Buffer.concat([pending, d]) : d;
      try {
        acked += unpackr.unpackMultiple(pending).length;
        pending = Buffer.alloc(0);
      } catch {
        return; // an ack split across reads: wait for the rest
      }
      if (acked >= frames) {
        const ackedAt = performance.now() - started;
        sock.end();
        resolve({ written: written / 1000, acked: ackedAt / 1000 });
      } else sendMore();
    });
    sock.on('error', reject);
    sock.on('connect', () => {
      started = performance.now();
      sendMore();
    });
  });
}

async function main() {
  console.log(`forward acks: ${frames} ${mode} frames of ${perFrame} events${withTime ? ' (records with a string time)' : ''}${fsyncDelayMs ? `, fsync +${fsyncDelayMs} ms` : ''}, ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, ${new Date().toISOString()}`);
  const blob = frameBody();
  for (let r = 0; r < runs; r++) {
    const a = await startDaemon(`all-${r}`);
    const all = await send(a.port, blob, Number.POSITIVE_INFINITY);
    await a.stop();
    const w = await startDaemon(`win-${r}`);
    const win = await send(w.port, blob, inFlight);
    await w.stop();
    console.log(
      `run ${r + 1}: all at once: written ${all.written.toFixed(2)}s, acked ${all.acked.toFixed(2)}s; ` +
        `${inFlight} in flight: acked ${win.acked.toFixed(2)}s (${Math.round(events / win.acked)} events/s) = ${(win.acked / all.written).toFixed(2)}× written`,
    );
  }
}

main()
  .catch((err) => {
    console.error(`bench failed: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
