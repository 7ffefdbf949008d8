// The HTTP input (fluentd in_http compatible): `POST /{tag}` with JSON, NDJSON, a form field or
// msgpack; answered 200 only after the records are committed. Owns the listening server and the
// requests in flight.
//
//   200  committed              400  unreadable body or tag        413  body over max_body_size
//   503  buffer full (Retry-After: 1): the overflow action rejected, or a `block` wait outlasted
//        `blockTimeoutMs`       500  anything else (logged)
//
// States: created → listening (after start) → stopped (after stop; not restartable).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpInputConfig } from '../../config/types.js';
import { TdfwdError } from '../../core/errors.js';
import { isValidTag, unixNow, type LogEvent } from '../../core/record.js';
import type { Input, InputContext } from '../types.js';
import { BadRequestError, parseRequest } from './body.js';
import { readBody, BodyTooLargeError, UnsupportedEncodingError } from './read-body.js';

export type HttpInput = Input & { readonly port: number };

export interface HttpInputOptions {
  /** How long a request waits on a full buffer (overflow_action block) before it is answered 503. */
  blockTimeoutMs?: number;
}

const DEFAULT_BLOCK_TIMEOUT_MS = 5000;

export function createHttpInput(cfg: HttpInputConfig, ctx: InputContext, opts: HttpInputOptions = {}): HttpInput {
  const blockTimeoutMs = opts.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let server: Server | null = null;
  let port = cfg.port;
  let stopped = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://input');
    const tag = tagOf(url.pathname);
    if (req.method !== 'POST' && !(req.method === 'GET' && (url.searchParams.has('json') || url.searchParams.has('msgpack')))) {
      reply(res, 405, { error: 'send events with POST /<tag>' }, { Allow: 'POST' });
      req.resume();
      return;
    }
    if (tag === null) {
      reply(res, 400, { error: 'the URL path must name the tag, e.g. POST /app.access' });
      req.resume();
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, cfg.maxBodySize);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return refuseTooLarge(req, res, err.message);
      if (err instanceof UnsupportedEncodingError) return reply(res, 415, { error: err.message });
      // The client went away mid-body: nothing to answer.
      ctx.log('debug', 'http: request body not received', { error: (err as Error).message });
      return;
    }
    let events: LogEvent[];
    try {
      const { records } = parseRequest(body, req.headers['content-type'], url.searchParams, unixNow());
      events = records.map((record) => ({ tag, record }));
    } catch (err) {
      if (err instanceof BadRequestError) return reply(res, 400, { error: err.message });
      throw err;
    }
    if (events.length > 0) {
      // A controller and a timer of our own: Node 20 may garbage-collect an AbortSignal.timeout()
      // composed with AbortSignal.any() before it fires, and the request would then wait forever.
      const waited = new AbortController();
      const timer = setTimeout(() => waited.abort(), blockTimeoutMs);
      const onStop = (): void => waited.abort();
      stopping.signal.addEventListener('abort', onStop, { once: true });
      if (stopping.signal.aborted) waited.abort();
      const signal = waited.signal;
      try {
        await ctx.sink.write(events, [], signal);
      } catch (err) {
        if (isBufferFull(err) || signal.aborted) {
          ctx.log('warn', 'http: buffer full, answered 503', { tag, records: events.length, error: (err as Error).message });
          return reply(res, 503, { error: 'the buffer is full; retry later' }, { 'Retry-After': '1' });
        }
        ctx.log('error', 'http: could not commit records', { tag, records: events.length, error: (err as Error).message });
        return reply(res, 500, { error: 'the records could not be stored; retry later' });
      } finally {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', onStop);
      }
    }
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const p = handle(req, res).catch((err: unknown) => {
      ctx.log('error', 'http: request failed', { error: (err as Error).message });
      if (!res.headersSent) reply(res, 500, { error: 'internal error' });
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  return {
    name: `http ${cfg.bind}:${cfg.port}`,
    get port() {
      return port;
    },

    async start() {
      if (server) return;
      if (stopped) throw new TdfwdError('IO', 'this http input was stopped; create a new one to listen again');
      const srv = createServer(onRequest);
      // Expect: 100-continue with a declared body over the limit is refused before it is sent.
      srv.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
        if (Number(req.headers['content-length'] ?? 0) > cfg.maxBodySize) {
          refuseTooLarge(req, res, `the body is larger than max_body_size (${cfg.maxBodySize} bytes)`);
          return;
        }
        res.writeContinue();
        onRequest(req, res);
      });
      srv.keepAliveTimeout = 10_000; // fluentd's keepalive_timeout
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => {
          reject(
            new TdfwdError(
              'IO',
              `the http input cannot listen on ${cfg.bind}:${cfg.port} (${err.code ?? err.message}); free the port or change ${ctx.configPath ?? 'inputs[]'}.port`,
            ),
          );
        });
        srv.listen(cfg.port, cfg.bind, () => resolve());
      });
      srv.on('error', (err) => ctx.log('error', 'http: server error', { error: err.message }));
      server = srv;
      const addr = srv.address();
      if (addr && typeof addr === 'object') port = addr.port;
      ctx.log('info', 'http: listening', { bind: cfg.bind, port });
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      const srv = server;
      server = null;
      if (!srv) return;
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      srv.closeIdleConnections();
      // Requests that can commit still commit and get their 200; one blocked on a full buffer gets 503.
      stopping.abort();
      await Promise.allSettled([...inFlight]);
      srv.closeAllConnections();
      await closed;
    },
  };
}

/** fluentd: the path without its leading slash, `/` turned into `.`: `/app/web` and `/app.web` are `app.web`. */
function tagOf(pathname: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const tag = path.replace(/^\/+/, '').replace(/\/+$/, '').split('/').join('.');
  return tag !== '' && isValidTag(tag) ? tag : null;
}

function isBufferFull(err: unknown): boolean {
  return err instanceof TdfwdError && err.code === 'BUFFER_FULL';
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** 413 and close: the rest of the body is not read (Node would otherwise drain it for keep-alive). */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, message: string): void {
  reply(res, 413, { error: `${message}; split the batch into smaller requests` }, { Connection: 'close' });
  res.once('finish', () => req.socket.destroy());
}
