// The status-code policy, in one visible block (as Fluent Bit's out_http does), and the network-error
// policy. Pure functions: a response or an error in, an Outcome out.
import { parseRetryAfter, type Outcome } from '../core/outcome.js';

export type Profile = 'td' | 'http';

export function classifyStatus(
  profile: Profile,
  status: number,
  retryAfter: string | undefined,
  latencyMs: number,
  nowMs: number,
  detail = '',
): Outcome {
  const reason = `HTTP ${status}${detail && detail !== `HTTP ${status}` ? `: ${detail}` : ''}`;
  if (status >= 200 && status < 300) return { kind: 'success', status, latencyMs };
  switch (status) {
    case 401:
    case 403:
      return { kind: 'pause', reason, status, latencyMs };
    case 413:
      return { kind: 'split', reason, status, latencyMs };
    case 429:
    case 503: {
      const ms = parseRetryAfter(retryAfter, nowMs);
      return { kind: 'retry', reason, status, backpressure: true, latencyMs, ...(ms !== undefined ? { retryAfterMs: ms } : {}) };
    }
    case 504:
      // A gateway timeout: the load balancer gave up, the endpoint may have imported it (2019).
      return { kind: 'in_doubt', reason, latencyMs };
    case 408:
    case 425:
    case 409: // http output: the key is still in flight at the endpoint; retry later
      return { kind: 'retry', reason, status, backpressure: false, latencyMs };
  }
  if (status >= 500) return { kind: 'retry', reason, status, backpressure: false, latencyMs };
  if (status >= 400) return { kind: 'park', reason, status, latencyMs };
  // 1xx/3xx: not a success the endpoint vouches for.
  return profile === 'td' ? { kind: 'retry', reason, status, backpressure: false, latencyMs } : { kind: 'park', reason, status, latencyMs };
}

/** Error codes meaning the request never left this host: safe to retry, not in doubt. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

/** A network error: before the request left → retry; after (timeout, reset) → in doubt. */
export function classifyError(err: unknown, latencyMs: number): Outcome {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? 'ERROR';
  const message = e?.message ?? String(err);
  if (NOT_SENT.has(code)) return { kind: 'retry', reason: `${code}: ${message}`, backpressure: false, latencyMs };
  const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'TimeoutError';
  return { kind: 'in_doubt', reason: timeout ? `timeout after ${Math.round(latencyMs)}ms (${code})` : `${code}: ${message}`, latencyMs };
}
