// The result of one delivery attempt, as a value (never an exception), in the manner of Vector's
// RetryAction and Fluent Bit's FLB_OK / FLB_RETRY / FLB_ERROR. Outputs return it; delivery acts on it.

export type Outcome =
  /** The endpoint has the chunk: delete it. */
  | { kind: 'success'; status: number; latencyMs: number }
  /**
   * Not imported, try again later (429, 5xx, 408, 425, 409, refused connection). `backpressure` marks
   * answers that mean "too much load" (429, 503) and shrink concurrency.
   */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number; backpressure: boolean; latencyMs: number }
  /** The body may have reached the endpoint (timeout or reset after sending): re-send with the same key. */
  | { kind: 'in_doubt'; reason: string; latencyMs: number }
  /** Rejected for good (a 4xx that retrying cannot fix): park the chunk with the reason. */
  | { kind: 'park'; reason: string; status?: number; latencyMs: number }
  /** Credentials refused (401/403): pause the whole output, keep the data, do not park. */
  | { kind: 'pause'; reason: string; status: number; latencyMs: number }
  /** Payload too large (413): split the chunk in two and send the halves. */
  | { kind: 'split'; reason: string; status: number; latencyMs: number };

export type OutcomeKind = Outcome['kind'];

/** Parse a Retry-After header (delta-seconds or an HTTP date) into milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
