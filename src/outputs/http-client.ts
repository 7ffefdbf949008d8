// One undici dispatcher per output: keep-alive connections, a request timeout after which the attempt
// is in doubt, the output's TLS options, and its proxy (chosen once: proxy.ts); and a small helper that
// turns a request into (status, headers, body text) or an Outcome.
//
// Direct connections use undici-core's Agent (the lean path). Through a proxy, undici's ProxyAgent:
// https:// endpoints are reached through a CONNECT tunnel (TLS end to end, the proxy sees only the
// host name); http:// endpoints are sent to the proxy as absolute-URI requests, as curl does (many
// proxies refuse CONNECT to port 80).
import type { Dispatcher } from 'undici';
import type { ClientTlsConfig } from '../config/tls.js';
import { ConfigError } from '../core/errors.js';
import { Agent, publicUndici } from './undici-core.js';
import { classifyError } from './classify.js';
import { chooseProxy, type ProxyChoice } from './proxy.js';
import { clientTlsOptions } from './tls-options.js';
import type { Outcome } from '../core/outcome.js';

export interface HttpResult {
  status: number;
  retryAfter: string | undefined;
  body: string;
  latencyMs: number;
}

export function makeAgent(timeoutMs: number, connections = 16): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    connections,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  });
}

export interface TransportOptions {
  /** The endpoint the output sends to (its proxy is chosen for this URL). */
  url: string;
  timeoutMs: number;
  connections: number;
  tls?: ClientTlsConfig | undefined;
  /** The `proxy` key: a URL, or 'off'; undefined: from the environment. */
  proxy?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Names the output's keys in a config error (`outputs[0]`). */
  where?: string;
}

/** An output's connection pool, and the proxy it goes through (null: direct). */
export interface Transport {
  readonly dispatcher: Dispatcher;
  readonly proxy: ProxyChoice | null;
  send(req: SendRequest): Promise<HttpResult | Outcome>;
  close(): Promise<void>;
}

/** The keys of an HTTP output (td, http) that shape its connections. */
export interface HttpOutputKeys {
  name: string;
  timeout: number;
  concurrency: { max: number };
  tls?: ClientTlsConfig | undefined;
  proxy?: string | undefined;
}

/** An HTTP output's transport to `url`: two connections per request it may have in flight (at least 4). */
export function outputTransport(config: HttpOutputKeys, url: string, env: NodeJS.ProcessEnv): Transport {
  return makeTransport({
    url,
    timeoutMs: config.timeout,
    connections: Math.max(4, config.concurrency.max * 2),
    tls: config.tls,
    proxy: config.proxy,
    env,
    where: `output ${config.name}`,
  });
}

export function makeTransport(o: TransportOptions): Transport {
  const where = o.where ?? 'output';
  const decision = chooseProxy(o.url, o.proxy, o.env ?? process.env);
  if (decision !== null && 'error' in decision) throw new ConfigError(decision.variable, decision.error);
  const tls = clientTlsOptions(o.tls, `${where}.tls`);
  const connectTimeout = Math.min(o.timeoutMs, 10_000);
  const common = { keepAliveTimeout: 30_000, connections: o.connections, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs };
  let dispatcher: Dispatcher;
  if (decision === null) {
    dispatcher = new Agent({ ...common, connect: { timeout: connectTimeout, ...tls } });
  } else {
    const { ProxyAgent, Pool } = publicUndici();
    dispatcher = new ProxyAgent({
      ...common,
      uri: decision.url,
      proxyTunnel: false, // only for http:// endpoints: https:// ones always tunnel
      requestTls: { timeout: connectTimeout, ...tls },
      proxyTls: { timeout: connectTimeout },
      // The connection to the proxy (CONNECT waits at most the request timeout for its answer).
      clientFactory: (origin, opts) => new Pool(origin, { ...opts, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs }),
    });
  }
  const proxy = decision;
  const timeouts = { headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs };
  return {
    dispatcher,
    proxy,
    send: (req) => sendRequest(dispatcher, req, { proxy, timeouts }),
    close: () => dispatcher.close(),
  };
}

export interface SendRequest {
  method: 'PUT' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal | undefined;
}

/** Perform a request; network failures come back as an Outcome (retry or in doubt), never thrown. */
export async function sendRequest(
  agent: Dispatcher,
  req: SendRequest,
  via: { proxy: ProxyChoice | null; timeouts?: { headersTimeout: number; bodyTimeout: number } } = { proxy: null },
): Promise<HttpResult | Outcome> {
  const started = performance.now();
  try {
    const url = new URL(req.url);
    const res = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: req.signal,
      // Per request too: the proxy path's absolute-URI client is made by undici without our options.
      ...via.timeouts,
    });
    const text = await res.body.text();
    const ra = res.headers['retry-after'];
    return {
      status: res.statusCode,
      retryAfter: Array.isArray(ra) ? ra[0] : ra,
      body: text.length > 500 ? `${text.slice(0, 500)}…` : text,
      latencyMs: performance.now() - started,
    };
  } catch (err) {
    return classifyError(err, performance.now() - started, via.proxy?.label);
  }
}

export function isOutcome(r: HttpResult | Outcome): r is Outcome {
  return (r as Outcome).kind !== undefined;
}

/** A short detail from an error body: its JSON `error`/`message`, or its first line. */
export function bodyDetail(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: unknown; message?: unknown };
    const m = j.message ?? j.error;
    if (typeof m === 'string') return m;
  } catch {
    // not JSON
  }
  return body.split('\n')[0]?.slice(0, 200) ?? '';
}
