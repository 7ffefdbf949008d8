// One request and its single answer. Every way a request ends goes through here — answered,
// dropped (down), held (accept-then-timeout) or reset (accept-then-reset) — so each is counted once in the stats and logged
// as one line: method path status records latency.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointCounters } from './stats.js';

export interface ApiError {
  error: string;
  text: string;
  severity: 'error';
}

export function apiError(error: string, text: string): ApiError {
  return { error, text, severity: 'error' };
}

export class Exchange {
  readonly method: string;
  readonly path: string;
  readonly startedAt = performance.now();
  /** Records in the body, once known (logged). */
  records: number | null = null;
  /** Set once the request passed the fault gates: from then on answers wait latencyMs. */
  delayed = false;
  #ended = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly counters: EndpointCounters,
    private readonly log: ((line: string) => void) | undefined,
  ) {
    this.method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    counters.requests++;
  }

  get ended(): boolean {
    return this.#ended;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.#end(String(status))) return;
    this.counters.answered(status);
    const text = JSON.stringify(body);
    this.res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    this.res.end(text);
  }

  /** Destroy the socket without an answer, as a dead load balancer does. */
  drop(): void {
    if (this.#end('down')) return;
    this.counters.dropped++;
    this.req.socket.destroy();
  }

  /** Never answer; the socket stays open until the client gives up, capMs passes, or close(). */
  hold(capMs: number): void {
    if (this.#end('held')) return;
    this.counters.heldImports++;
    this.counters.heldNow++;
    const socket = this.req.socket;
    const cap = setTimeout(() => socket.destroy(), capMs);
    cap.unref();
    socket.once('close', () => {
      clearTimeout(cap);
      this.counters.heldNow--;
    });
  }

  /** Reset the connection (TCP RST) after importing, without an answer. */
  reset(): void {
    if (this.#end('reset')) return;
    this.counters.resetImports++;
    this.req.socket.resetAndDestroy();
  }

  /** The client went away before an answer. */
  aborted(): void {
    this.#end('aborted');
  }

  #end(status: string): boolean {
    if (this.#ended) return true;
    this.#ended = true;
    if (this.log) {
      const ms = (performance.now() - this.startedAt).toFixed(1);
      this.log(`${this.method} ${this.path} ${status} ${this.records ?? '-'} ${ms}ms`);
    }
    return false;
  }
}
