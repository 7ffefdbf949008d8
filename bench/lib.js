// Shared helpers for the benchmarks: spawn a command, watch its peak RSS, time it.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/tdfwd.js', import.meta.url));

/** Peak RSS (VmHWM) of a live process in bytes, or 0 once it is gone. */
function peakRss(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Run `node bin/tdfwd.js ...args` with stdin from a stream (or none); resolve with wall time, peak
 * RSS (polled from /proc every 20 ms), exit code and output.
 */
export function runTimed(args, { env = {}, stdin = null } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let rss = 0;
    const poll = setInterval(() => (rss = Math.max(rss, peakRss(child.pid))), 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (stdin) stdin.pipe(child.stdin);
    child.on('error', reject);
    child.on('exit', () => (rss = Math.max(rss, peakRss(child.pid))));
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, seconds: (performance.now() - started) / 1000, peakRssBytes: rss, stdout, stderr });
    });
  });
}

export function startEndpointProcess(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'endpoint', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    killOnExit(child);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`endpoint exited ${code}: ${out}`)));
  });
}

/** A child the bench started ends with the bench, also when a run fails half-way. */
export function killOnExit(child) {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

export const mb = (n) => (n / 1024 / 1024).toFixed(1);

/** Resolves once something accepts TCP connections on 127.0.0.1:port (true), or false after `tries` tries `stepMs` apart. */
export async function waitForPort(port, tries = 400, stepMs = 25) {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise((r) => {
      const s = connect(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

/** A TCP port free on 127.0.0.1 right now (for a daemon input to listen on). */
export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
