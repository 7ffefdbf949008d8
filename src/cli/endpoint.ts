// `tdfwd endpoint`: runs the local Streaming-Import-compatible endpoint until SIGTERM/SIGINT.
// Prints one "listening on URL (...)" line to stdout at start (tests and the demo parse the URL),
// request log lines to stderr, and the final stats as one JSON line on stdout at exit.
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseDuration, parseSize } from '../core/units.js';
import { DEFAULT_DEDUP_WINDOW_MS, startEndpoint, type EndpointOptions } from '../endpoint/index.js';
import { action } from './action.js';

interface EndpointFlags {
  port: string;
  host: string;
  apikey?: string;
  dedupWindow: string;
  failRate: string;
  latency: string;
  acceptThenTimeout: string;
  acceptThenReset: string;
  capacity?: string;
  store?: string;
  maxBody: string;
  autoTables?: boolean;
  quiet?: boolean;
}

function duration(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: expected a duration like "500ms", "30s" or "20m", got "${value}".`);
  return ms;
}

function fraction(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`${flag}: expected a fraction between 0 and 1 like "0.2", got "${value}".`);
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port: expected a port number 0-65535 (0 = any free port), got "${value}".`);
  return n;
}

function positive(flag: string, value: string, example: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag}: expected a positive number like "${example}", got "${value}".`);
  return n;
}

function size(flag: string, value: string): number {
  const n = parseSize(value);
  if (n === undefined || n <= 0) throw new UsageError(`${flag}: expected a size like "64MiB", got "${value}".`);
  return n;
}

/** "20m", "1h30m", "500ms": short, and what a user would have typed. */
export function shortDuration(ms: number): string {
  if (ms > 0 && ms < 1000) return `${ms}ms`;
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.length ? parts.join('') : '0s';
}

export function resolveEndpointOptions(f: EndpointFlags, env: NodeJS.ProcessEnv = process.env): EndpointOptions {
  const opts: EndpointOptions = {
    port: port(f.port),
    host: f.host,
    apikey: f.apikey ?? (env.TDFWD_ENDPOINT_APIKEY || null),
    dedupWindowMs: duration('--dedup-window', f.dedupWindow),
    failRate: fraction('--fail-rate', f.failRate),
    latencyMs: duration('--latency', f.latency),
    acceptThenTimeout: fraction('--accept-then-timeout', f.acceptThenTimeout),
    acceptThenReset: fraction('--accept-then-reset', f.acceptThenReset),
    maxBodyBytes: size('--max-body', f.maxBody),
    autoTables: f.autoTables ?? false,
  };
  if (f.capacity !== undefined) opts.capacityRps = positive('--capacity', f.capacity, '100');
  if (f.store !== undefined) opts.storeFile = f.store;
  return opts;
}

export function describeEndpoint(url: string, o: EndpointOptions): string {
  const parts = [`dedup window ${shortDuration(o.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS)}`];
  if (o.failRate) parts.push(`fail rate ${o.failRate}`);
  if (o.latencyMs) parts.push(`latency ${shortDuration(o.latencyMs)}`);
  if (o.acceptThenTimeout) parts.push(`accept-then-timeout ${o.acceptThenTimeout}`);
  if (o.acceptThenReset) parts.push(`accept-then-reset ${o.acceptThenReset}`);
  if (o.capacityRps) parts.push(`capacity ${o.capacityRps} rps`);
  if (o.storeFile) parts.push(`store ${o.storeFile}`);
  if (o.autoTables) parts.push('auto tables');
  parts.push(o.apikey ? 'apikey required' : 'any apikey');
  return `tdfwd endpoint listening on ${url} (${parts.join(', ')})`;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(sig);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export function registerEndpoint(program: Command): void {
  program
    .command('endpoint')
    .description('run a local Streaming-Import-compatible endpoint to try tdfwd without an account and to rehearse outages')
    .option('--port <n>', 'port to listen on (0 = any free port)', '8080')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--apikey <key>', 'require "Authorization: TD1 <key>" (env TDFWD_ENDPOINT_APIKEY; unset = any key)')
    .option('--dedup-window <dur>', 'a unique_id imported within this window is not imported again', '20m')
    .option('--fail-rate <r>', 'fraction of import requests answered 500', '0')
    .option('--latency <dur>', 'delay before answering each import request', '0ms')
    .option('--accept-then-timeout <r>', 'fraction of import requests imported but never answered', '0')
    .option('--accept-then-reset <r>', 'fraction of import requests imported, then reset (TCP RST) without an answer', '0')
    .option('--capacity <rps>', 'requests per second before answering 429 with Retry-After: 1')
    .option('--store <file>', 'append every imported record to FILE as NDJSON')
    .option('--max-body <size>', 'largest compressed request body (larger: 413)', '64MiB')
    .option('--auto-tables', 'create unknown tables on import instead of answering 404')
    .option('-q, --quiet', 'no request log on stderr')
    .action(
      action(async (flags: EndpointFlags) => {
        const opts = resolveEndpointOptions(flags);
        if (!flags.quiet) opts.log = (line) => process.stderr.write(`${line}\n`);
        const ep = await startEndpoint(opts).catch((err: NodeJS.ErrnoException) => {
          if (err.syscall === 'open') throw new UsageError(`--store: cannot open "${opts.storeFile}" (${err.code}); give a writable file path.`);
          if (err.code === 'EADDRINUSE') throw new UsageError(`--port: ${opts.host}:${opts.port} is already in use; pick another port or --port 0.`);
          if (err.code === 'EACCES') throw new UsageError(`--port: not allowed to listen on ${opts.host}:${opts.port}; use a port above 1024.`);
          throw err;
        });
        process.stdout.write(`${describeEndpoint(ep.url, opts)}\n`);
        await untilSignal();
        await ep.close();
        process.stdout.write(`${JSON.stringify(ep.stats())}\n`);
        return 0;
      }),
    );
}
