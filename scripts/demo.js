#!/usr/bin/env node
// `npm run demo`: the main job end to end on an embedded default, no account needed.
// Starts `tdfwd endpoint` (a local Streaming-Import-compatible server), pipes sample logs through
// `tdfwd send`, shows `tdfwd status`, runs `tdfwd flush`, and shows what arrived. Then rehearses an
// outage: an endpoint failing half the requests and importing-then-hanging others still receives
// every record exactly once, because every re-send carries the chunk's key. Last, the daemon as an
// operator runs it: `tdfwd run` tails a log file through a rotation and takes HTTP posts, the records
// arrive, /api/status shows the outputs, and SIGTERM stops it cleanly.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/tdfwd.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tdfwd-demo-'));
const say = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);

function startEndpoint(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'endpoint', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr.resume();
    child.on('exit', (code) => reject(new Error(`endpoint exited with ${code}: ${out}`)));
  });
}

function tdfwd(args, env, input) {
  const r = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, input, stdio: [input ? 'pipe' : 'ignore', 'inherit', 'inherit'] });
  return r.status;
}

function sampleLines(n, offset = 0) {
  const paths = ['/', '/login', '/api/orders', '/api/users/42', '/static/app.js'];
  const lines = [];
  for (let i = 0; i < n; i++) {
    const k = i + offset;
    lines.push(JSON.stringify({ host: `192.0.2.${k % 250}`, method: k % 7 === 0 ? 'POST' : 'GET', path: paths[k % paths.length], code: k % 40 === 0 ? 503 : 200, size: (k * 131) % 5000, seq: k }));
  }
  return lines.join('\n') + '\n';
}

async function stats(url) {
  const res = await fetch(`${url}/_tdfwd/stats`);
  return res.json();
}

/** `tdfwd run` with a config; resolves once it logs that it runs, with its http input port and admin URL. */
function startDaemon(config) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '-c', config, 'run'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let port = null;
    let admin = null;
    child.stderr.on('data', (d) => {
      err += d;
      for (const line of String(d).split('\n')) {
        if (!line.startsWith('{')) continue;
        const l = JSON.parse(line);
        if (l.msg === 'http: listening') port = l.port;
        if (typeof l.admin === 'string') admin = l.admin;
        if (String(l.msg).startsWith('tdfwd daemon running')) resolve({ child, port, admin });
      }
    });
    child.on('exit', (code) => reject(new Error(`the daemon exited with ${code}: ${err}`)));
  });
}

async function waitImported(url, n, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const s = await stats(url);
    if (s.importedRecords >= n) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the endpoint did not import ${n} records in time`);
}

async function daemonDemo() {
  say('6. the daemon (tdfwd run): tail a log file through a rotation, take HTTP posts, deliver');
  const store = join(work, 'daemon-imported.ndjson');
  const ep = await startEndpoint(['--store', store]);
  const log = join(work, 'app.log');
  writeFileSync(log, '');
  const config = join(work, 'daemon.yaml');
  writeFileSync(
    config,
    [
      'buffer:',
      `  path: ${join(work, 'daemon-buffer')}`,
      '  flush_interval: 1s',
      'inputs:',
      `  - { type: tail, path: "${log}", tag: td.demo.app, format: json, refresh_interval: 1s, rotate_wait: 2s }`,
      '  - { type: http, bind: 127.0.0.1, port: 0 }',
      'outputs:',
      `  - { type: td, match: "td.**", endpoint: "${ep.url}", apikey: demo-write-key }`,
      'admin:',
      '  listen: 127.0.0.1:0',
      '',
    ].join('\n'),
  );
  console.log(readFileSync(config, 'utf8'));
  const started = Date.now();
  const d = await startDaemon(config);
  console.log(`daemon pid ${d.child.pid}; http input on port ${d.port}; admin at ${d.admin}`);
  appendFileSync(log, sampleLines(3_000, 200_000)); // the app writes...
  await new Promise((r) => setTimeout(r, 500));
  renameSync(log, `${log}.1`); // ...logrotate renames the file...
  appendFileSync(log, sampleLines(2_000, 203_000)); // ...and the app opens a new one
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${d.port}/td.demo.posted`, { method: 'POST', body: JSON.stringify({ seq: i, via: 'http' }) });
    console.log(`POST /td.demo.posted -> ${res.status}`);
  }
  const s = await waitImported(ep.url, 5_003);
  console.log(`endpoint imported ${s.importedRecords} records (${JSON.stringify(s.recordsByTable)}) ${((Date.now() - started) / 1000).toFixed(1)} s after the daemon started`);
  const status = await (await fetch(`${d.admin}/api/status`)).json();
  console.log(`/api/status: pending_records ${status.pending_records}, outputs ${JSON.stringify(status.outputs.map((o) => ({ name: o.name, state: o.state })))}`);
  const exited = new Promise((r) => d.child.once('exit', r));
  d.child.kill('SIGTERM');
  console.log(`SIGTERM -> daemon exit ${await exited}`);
  ep.child.kill('SIGTERM');
}

async function main() {
  const env = { TDFWD_BUFFER: join(work, 'buffer'), TD_API_KEY: 'demo-write-key' };
  try {
    say('1. start a local Streaming Import endpoint (tdfwd endpoint)');
    const store = join(work, 'imported.ndjson');
    const ep = await startEndpoint(['--store', store]);
    console.log(`endpoint at ${ep.url}, storing imported records in ${store}`);

    say('2. pipe 50,000 JSON log lines into the durable buffer (tdfwd send)');
    if (tdfwd(['send', '--tag', 'td.demo.access', '--format', 'json'], env, sampleLines(50_000)) !== 0) throw new Error('send failed');

    say('3. what is buffered (tdfwd status)');
    tdfwd(['status'], env);

    say('4. deliver it (tdfwd flush)');
    if (tdfwd(['flush'], { ...env, TD_API_SERVER: ep.url }) !== 0) throw new Error('flush failed');
    const s1 = await stats(ep.url);
    console.log(`endpoint imported ${s1.importedRecords} records into ${s1.tables.join(', ')} in ${s1.imports} requests`);
    const first = readFileSync(store, 'utf8').split('\n').slice(0, 2);
    console.log('first records as imported:');
    for (const l of first) console.log(`  ${l}`);
    ep.child.kill('SIGTERM');

    say('5. rehearse an outage: 50% of imports fail, 20% are imported but never answered');
    const bad = await startEndpoint(['--fail-rate', '0.5', '--accept-then-timeout', '0.2']);
    const env2 = { ...env, TDFWD_BUFFER: join(work, 'buffer2'), TD_API_SERVER: bad.url };
    const cfg = join(work, 'outage.yaml');
    spawnSync('sh', ['-c', `cat > ${cfg}`], {
      input: `buffer:\n  path: ${env2.TDFWD_BUFFER}\n  chunk_limit_records: 2000\noutputs:\n  - type: td\n    match: "td.**"\n    endpoint: ${bad.url}\n    apikey: demo-write-key\n    timeout: 1s\n    retry: { wait: 100ms, max_wait: 1s }\n`,
    });
    tdfwd(['--config', cfg, 'send', '--tag', 'td.demo.outage', '--format', 'json'], env2, sampleLines(20_000, 100_000));
    const code = tdfwd(['--config', cfg, 'flush', '--timeout', '2m'], env2);
    const s2 = await stats(bad.url);
    console.log(
      `flush exit ${code}; endpoint saw ${s2.requests} requests (${JSON.stringify(s2.byStatus)}), imported ${s2.importedRecords} of 20000 records,` +
        ` ${s2.dedupHits} re-sends recognised by their key, ${s2.duplicateRecords} duplicate records`,
    );
    bad.child.kill('SIGTERM');

    await daemonDemo();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
