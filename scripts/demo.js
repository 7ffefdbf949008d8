#!/usr/bin/env node
// `npm run demo`: the main job end to end on an embedded default, no account needed.
// Starts `tdfwd endpoint` (a local Streaming-Import-compatible server), pipes sample logs through
// `tdfwd send`, shows `tdfwd status`, runs `tdfwd flush`, and shows what arrived. Then rehearses an
// outage: an endpoint failing half the requests and importing-then-hanging others still receives
// every record exactly once, because every re-send carries the chunk's key.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`demo failed: ${err.message}`);
  process.exit(1);
});
