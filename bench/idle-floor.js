// The idle floor: RSS of a node process that only loads the libraries the daemon loads (and opens an
// in-memory SQLite database), with none of tdfwd's own code, measured like the idle row of
// bench/daemon.js (VmRSS after a settle time), with the V8 settings bin/tdfwd.js makes before the
// program loads (src/cli/runtime-flags.ts). It answers "how much of the idle daemon is tdfwd?": each
// library alone over a bare node; the four the project must use (commander, undici, msgpackr,
// better-sqlite3) together; then all of them together.
//
//   node bench/idle-floor.js [--settle-ms 8000]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
};
const settleMs = Number(arg('--settle-ms', '8000'));

// What the daemon imports from each package (src/outputs/undici-core.ts loads two undici files only).
const LOADS = {
  zod: "await import('zod')",
  'undici (Agent + request only)': "require('undici/lib/dispatcher/agent.js'); require('undici/lib/api/index.js')",
  'prom-client': "await import('prom-client')",
  pino: "await import('pino')",
  yaml: "await import('yaml')",
  msgpackr: "await import('msgpackr')",
  commander: "await import('commander')",
  'better-sqlite3 (+ :memory: db)': "{ const D = (await import('better-sqlite3')).default; new D(':memory:').exec('create table t(x)'); }",
  tinyglobby: "await import('tinyglobby')",
};

// What bin/tdfwd.js sets before the program loads (the young generation kept at its start size).
const V8_SETTINGS = "import v8 from 'node:v8'; v8.setFlagsFromString('--liftoff-only'); v8.setFlagsFromString('--semi-space-growth-factor=1');";
const REQUIRED = ['commander', 'undici (Agent + request only)', 'msgpackr', 'better-sqlite3 (+ :memory: db)'];

function rssAfter(code) {
  const src = `${V8_SETTINGS} import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(root + 'x.js')});\n${code}\nprocess.stdout.write('ready\\n'); setTimeout(() => {}, 600000);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', src], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', () => {
      setTimeout(() => {
        const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]);
        child.kill('SIGKILL');
        resolve(kb / 1024);
      }, settleMs);
    });
  });
}

const bare = await rssAfter('');
console.log(`idle floor on ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, node ${process.version}, ${new Date().toISOString()}`);
console.log(`${'bare node'.padEnd(34)} ${bare.toFixed(1).padStart(6)} MB`);
for (const [name, code] of Object.entries(LOADS)) {
  const mb = await rssAfter(code);
  console.log(`${('+ ' + name).padEnd(34)} ${mb.toFixed(1).padStart(6)} MB  (+${(mb - bare).toFixed(1)})`);
}
const required = await rssAfter(REQUIRED.map((name) => LOADS[name]).join(';\n'));
console.log(`${'the four required ones together'.padEnd(34)} ${required.toFixed(1).padStart(6)} MB  (+${(required - bare).toFixed(1)})`);
const all = await rssAfter(Object.values(LOADS).join(';\n'));
console.log(`${'all of them, no tdfwd code'.padEnd(34)} ${all.toFixed(1).padStart(6)} MB  (+${(all - bare).toFixed(1)})`);
