// One undici Agent per output: keep-alive connections, a request timeout after which the attempt is
// in doubt, and a small helper that turns a request into (status, headers, body text) or an Outcome.
import type { Dispatcher } from 'undici';
import { Agent } from './undici-core.js';
import { classifyError } from './classify.js';
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

export interface SendRequest {
  method: 'PUT' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal | undefined;
}

/** Perform a request; network failures come back as an Outcome (retry or in doubt), never thrown. */
export async function sendRequest(agent: Dispatcher, req: SendRequest): Promise<HttpResult | Outcome> {
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
    return classifyError(err, performance.now() - started);
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
