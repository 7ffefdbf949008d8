// Shared harness of the daemon e2e tests: writes a config file, spawns the real `bin/tdfwd.js run`,
// follows its JSON log lines on stderr (ports of inputs bound to port 0, the admin URL), and makes
// sure every process it started is killed after each test (SIGKILL fallback).
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startEndpoint, type EndpointHandle } from '../../src/endpoint/index.js';
import { runTdfwd, spawnTdfwd, waitFor } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** An API key long enough that log masking never touches ordinary words. */
export const APIKEY = 'e2e-daemon-test-apikey-0123456789';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DaemonProc {
  child: ChildProcess;
  pid: number;
  configFile: string;
  stderr(): string;
  logs(): LogLine[];
  /** Resolves with the first log line (from the start) matching pred. */
  waitLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<Exit>;
  exit: Exit | null;
  /** The port the i-th input (`<type>.<i>`) listens on, from its latest "listening" log line. */
  inputPort(type: 'http' | 'forward' | 'syslog', i: number): number;
  adminUrl(): string;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait for the exit. */
  stop(timeoutMs?: number): Promise<Exit>;
}

const cleanups: (() => Promise<void> | void)[] = [];
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  await Promise.all(
    [...children].map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('close', r)) : undefined)),
  );
  children.clear();
  while (cleanups.length) await cleanups.pop()?.();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function work(): string {
  const t = tempDir('tdfwd-daemon-e2e-');
  cleanups.push(t.cleanup);
  return t.dir;
}

export async function endpoint(opts: Parameters<typeof startEndpoint>[0] = {}): Promise<EndpointHandle> {
  const ep = await startEndpoint({ port: 0, ...opts });
  cleanups.push(() => ep.close());
  return ep;
}

/** A port nothing listens on right now (bound to 0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = addr && typeof addr === 'object' ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A port taken by a listening server (closed after the test): for "port already in use" cases. */
export function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      onCleanup(() => new Promise<void>((r) => server.close(() => r())));
      resolve({ server, port: addr && typeof addr === 'object' ? addr.port : 0 });
    });
  });
}

/** JSON is YAML: the config file is written as JSON. */
export function writeConfig(file: string, config: unknown): string {
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

export function tdOutput(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'td', match: 'td.**', endpoint: url, apikey: APIKEY, retry: { wait: '200ms', max_wait: '1s' }, ...extra };
}

/**
 * The config most daemon tests start from, written to DIR/tdfwd.yaml: an http input on a free port, one
 * output, the buffer in DIR/buf (`buffer` adds keys), no admin port; `extra` adds or replaces top-level keys.
 */
export function httpDaemonConfig(dir: string, output: Record<string, unknown>, buffer: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string {
  return writeConfig(join(dir, 'tdfwd.yaml'), {
    buffer: { path: join(dir, 'buf'), ...buffer },
    inputs: [{ type: 'http', bind: '127.0.0.1', port: 0 }],
    outputs: [output],
    admin: { listen: 'off' },
    ...extra,
  });
}

/** Spawn `tdfwd -c FILE run`; resolves once it logs that it runs (rejects if it exits first). */
export interface SpawnOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Leave the daemon's stdin open (for a stdin input); by default it is closed at once. */
  keepStdin?: boolean;
}

export async function startDaemon(configFile: string, opts: SpawnOptions = {}): Promise<DaemonProc> {
  const d = spawnDaemon(configFile, opts);
  const running = d.waitLog((l) => l.msg.startsWith('tdfwd daemon running'), 30_000);
  const exited = d.exited.then((e) => {
    throw new Error(`the daemon exited (${e.code ?? e.signal}) before running:\n${d.stderr()}`);
  });
  await Promise.race([running, exited]);
  return d;
}

export function spawnDaemon(configFile: string, opts: SpawnOptions = {}): DaemonProc {
  const child = spawnTdfwd([...(opts.args ?? []), '-c', configFile, 'run'], { env: opts.env ?? {} });
  children.add(child);
  child.stdin?.on('error', () => {});
  if (!opts.keepStdin) child.stdin?.end();
  let err = '';
  const lines: LogLine[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const s = chunk.toString();
    err += s;
    partial += s;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        const l = JSON.parse(p) as LogLine;
        if (typeof l.msg === 'string') lines.push(l);
      } catch {
        // not a log line (e.g. a plain error message)
      }
    }
  });
  child.stdout?.resume();
  const d: DaemonProc = {
    child,
    pid: child.pid ?? -1,
    configFile,
    exit: null,
    stderr: () => err,
    logs: () => lines,
    exited: new Promise<Exit>((resolve) => {
      child.once('close', (code, signal) => {
        d.exit = { code, signal };
        resolve(d.exit);
      });
    }),
    async waitLog(pred, timeoutMs = 20_000) {
      let found: LogLine | undefined;
      await waitFor(() => (found = lines.find(pred)) !== undefined, timeoutMs).catch(() => {
        throw new Error(`no matching log line within ${timeoutMs} ms; stderr:\n${err}`);
      });
      return found as LogLine;
    },
    inputPort(type, i) {
      const l = lines.filter((x) => x.input === `${type}.${i}` && x.msg === `${type}: listening`).pop();
      if (!l) throw new Error(`${type}.${i} has not logged its port; stderr:\n${err}`);
      return Number(l.port);
    },
    adminUrl() {
      const l = lines.find((x) => typeof x.admin === 'string' && x.msg.startsWith('admin listening'));
      if (!l) throw new Error(`no admin URL logged; stderr:\n${err}`);
      return String(l.admin);
    },
    signal(sig) {
      if (d.exit === null) child.kill(sig);
    },
    async stop(timeoutMs = 30_000) {
      d.signal('SIGTERM');
      const timer = setTimeout(() => d.signal('SIGKILL'), timeoutMs);
      const e = await d.exited;
      clearTimeout(timer);
      return e;
    },
  };
  return d;
}

export interface StoredRow {
  database: string;
  table: string;
  unique_id: string;
  record: Record<string, unknown>;
}

/** The rows the endpoint has written to its store file; a last line it is still writing is left for the next read. */
export function storedRows(file: string): StoredRow[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StoredRow);
}

/** Seqs stored; with a count of each for exactly-once checks. */
export function seqCounts(file: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of storedRows(file)) {
    const s = Number(r.record.seq);
    m.set(s, (m.get(s) ?? 0) + 1);
  }
  return m;
}

/** Every seq in [0, n) exactly once: returns what is wrong, or [] when all is well. */
export function exactlyOnce(counts: ReadonlyMap<number, number>, n: number): string[] {
  const missing: number[] = [];
  const dup: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = counts.get(i) ?? 0;
    if (c === 0) missing.push(i);
    else if (c > 1) dup.push(i);
  }
  const extra = [...counts.keys()].filter((k) => !(k >= 0 && k < n));
  const out: string[] = [];
  if (missing.length) out.push(`${missing.length} missing (first ${missing.slice(0, 10).join(',')})`);
  if (dup.length) out.push(`${dup.length} duplicated (first ${dup.slice(0, 10).join(',')})`);
  if (extra.length) out.push(`${extra.length} unexpected seqs (first ${extra.slice(0, 10).join(',')})`);
  return out;
}

export async function status(buffer: string): Promise<{ pending_records: number; chunks: Record<string, number> }> {
  const r = await runTdfwd(['--buffer', buffer, 'status', '--json']);
  if (r.code !== 0) throw new Error(`tdfwd status failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { pending_records: number; chunks: Record<string, number> };
}

/** A counter or gauge from the daemon's /metrics, summed over the label sets that match. */
export async function metric(adminUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function post(port: number, path: string, body: string | Buffer, contentType = 'application/json'): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
}

export function bufferDir(dir: string): string {
  return join(dir, 'buf');
}
