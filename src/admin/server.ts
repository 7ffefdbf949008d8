// The daemon's admin HTTP server (`admin.listen`). Owns one node:http server and its connections; it
// holds no state of its own: every answer comes from the metrics registry or the daemon's callbacks.
//
//   GET  /metrics     Prometheus text exposition
//   GET  /api/status  the daemon's status as JSON (the shape of `tdfwd status --json`)
//   POST /api/flush   ask the daemon to deliver now (as SIGUSR1 does); 202
//   GET  /healthz     200 "ok" while the process serves requests
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, TdfwdError } from '../core/errors.js';
import type { TdfwdMetrics } from './metrics.js';

export interface AdminServerOptions {
  /** "host:port" (IPv6 as "[::1]:port"); port 0 picks a free port. */
  listen: string;
  metrics: TdfwdMetrics;
  status: () => Promise<unknown> | unknown;
  /** Start delivering now; the server answers 202 once this returns (it should not wait for the drain). */
  flush: () => Promise<unknown> | unknown;
  log?: (line: string) => void;
}

export interface AdminServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Route {
  method: 'GET' | 'POST';
  handle: (res: ServerResponse) => Promise<void>;
}

/** Split "host:port" / "[v6]:port". */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new ConfigError('admin.listen', `expected host:port like "127.0.0.1:24220" (got "${listen}")`);
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function listenError(listen: string, err: NodeJS.ErrnoException): TdfwdError {
  const why =
    err.code === 'EADDRINUSE'
      ? 'the address is already in use (another tdfwd daemon?)'
      : err.code === 'EADDRNOTAVAIL'
        ? 'that address is not on this host'
        : err.code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : `${err.code ?? 'error'}: ${err.message}`;
  return new TdfwdError(
    'IO',
    `The admin server cannot listen on ${listen}: ${why}. Set admin.listen to a free host:port, or to off to run without it.`,
  );
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const { host, port } = parseListen(opts.listen);
  const routes = new Map<string, Route>([
    ['/metrics', { method: 'GET', handle: async (res) => sendText(res, 200, opts.metrics.contentType, await opts.metrics.scrape()) }],
    ['/api/status', { method: 'GET', handle: async (res) => sendJson(res, 200, await opts.status()) }],
    [
      '/api/flush',
      {
        method: 'POST',
        handle: async (res) => {
          const result = await opts.flush();
          sendJson(res, 202, result === undefined ? { flush: 'started' } : { flush: 'started', result });
        },
      },
    ],
    ['/healthz', { method: 'GET', handle: async (res) => sendText(res, 200, 'text/plain; charset=utf-8', 'ok\n') }],
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume(); // no route reads a body; drain it so keep-alive connections stay usable
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    const route = routes.get(path);
    if (!route) return sendJson(res, 404, { error: `no such endpoint: ${path}` });
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method !== route.method) {
      return sendJson(res, 405, { error: `${path} answers ${route.method} only` }, { allow: route.method === 'GET' ? 'GET, HEAD' : route.method });
    }
    try {
      await route.handle(res);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      opts.log?.(`admin: ${req.method} ${path} failed: ${message}`);
      if (!res.headersSent) sendJson(res, 500, { error: message });
      else res.destroy();
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(opts.listen, err)));
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  server.on('error', (err) => opts.log?.(`admin: ${err.message}`));
  const addr = server.address() as AddressInfo;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  opts.log?.(`admin: listening on http://${urlHost}:${addr.port}`);
  let closed: Promise<void> | null = null;

  return {
    url: `http://${urlHost}:${addr.port}`,
    port: addr.port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
