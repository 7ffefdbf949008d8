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

/** The endpoint's certificate chain ends in a CA this process does not trust. */
const UNTRUSTED_CERT = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** Other certificate checks: expired, not yet valid, issued for another name, revoked... */
const BAD_CERT = /^(CERT_|ERR_TLS_CERT_)/;

/** The TLS handshake failed: no request byte was sent (undici writes the request after it). */
const HANDSHAKE = /^(ERR_SSL_|ERR_TLS_|EPROTO$)/;

const TRUST_FIX = "trust its CA with the output's tls.ca_file (or NODE_EXTRA_CA_CERTS=/path/to/ca.pem), or use http:// for a local endpoint";

/** undici's words for a proxy that did not open the tunnel (CONNECT) or wanted credentials. */
const PROXY_REFUSED = /Proxy response \((\d+)\)|Proxy Authentication Required \((407)\)/;

/**
 * A network error: before the request left → retry; after (timeout, reset) → in doubt. With `proxy`
 * (its label: masked URL and where it came from), connection failures are the proxy's: through a
 * proxy tdfwd only ever connects to the proxy, which answers a failed CONNECT with a status.
 */
export function classifyError(err: unknown, latencyMs: number, proxy?: string): Outcome {
  const e = err as { code?: string; name?: string; message?: string; hostname?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? 'ERROR';
  const message = oneLine(e?.message ?? String(err));
  const retry = (reason: string): Outcome => ({ kind: 'retry', reason, backpressure: false, latencyMs });
  if (proxy !== undefined) {
    const refused = PROXY_REFUSED.exec(message);
    if (refused) {
      const status = Number(refused[1] ?? refused[2]);
      const hint = status === 407 ? ': 407 Proxy Authentication Required; put the credentials in the proxy URL (http://user:password@host:port)' : `: HTTP ${status}`;
      return retry(`the proxy ${proxy} refused the connection to the endpoint${hint}`);
    }
    if (code === 'ENOTFOUND') return retry(`the proxy's host ${e?.hostname ?? hostIn(message)} does not resolve (ENOTFOUND); check the proxy ${proxy}`);
    if (NOT_SENT.has(code)) return retry(`the proxy ${proxy} cannot be reached (${code}: ${message})`);
  }
  if (code === 'ENOTFOUND') return retry(`the endpoint's host ${e?.hostname ?? hostIn(message)} does not resolve (ENOTFOUND); check the endpoint URL`);
  if (NOT_SENT.has(code)) return retry(`${code}: ${message}`);
  if (UNTRUSTED_CERT.has(code)) return retry(`the endpoint's TLS certificate is not trusted (${code}: ${message}); ${TRUST_FIX}`);
  if (BAD_CERT.test(code)) return retry(`the endpoint's TLS certificate was refused (${code}: ${message})`);
  if (HANDSHAKE.test(code)) {
    const plain = code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(message);
    const hint = plain ? '; the endpoint does not speak TLS: if it is a plain HTTP port, write its URL with http://' : '';
    return retry(`TLS handshake failed (${code}: ${opensslReason(message)})${hint}`);
  }
  const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'TimeoutError';
  return { kind: 'in_doubt', reason: timeout ? `timeout after ${Math.round(latencyMs)}ms (${code})` : `${code}: ${message}`, latencyMs };
}

/** OpenSSL's "8060…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:" → its reason. */
function opensslReason(message: string): string {
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1]?.trim() ?? message;
}

function hostIn(message: string): string {
  return /ENOTFOUND (\S+)/.exec(message)?.[1] ?? '(unknown)';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
