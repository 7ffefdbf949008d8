// One aggregator of a forward output: its health and its idle connections.
//
// Health (per server, so a failing aggregator does not pause the others):
//   up ──send fails──▶ failed until T (exponential, retry.wait doubled per consecutive failure, capped
//    ▲                 at retry.max_wait, equal jitter) ──T passes──▶ usable again for a probe
//    └──send succeeds── (failures back to 0)
//   up ──heartbeat fails──▶ unreachable ──heartbeat succeeds──▶ up (unless still failed until T)
// A server is usable when it is neither unreachable nor failed-until-later. The output chooses among
// usable servers only; the delivery engine's own backoff applies when none is usable.
//
// Connections: one per request in flight; after an ack a connection goes back to the idle list and
// is reused, closed after IDLE_CLOSE_MS without use, and all are closed by close().
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { RetryConfig } from '../../config/types.js';
import type { ForwardServerConfig } from './config.js';
import { describeSocketError, ForwardLink, type LinkOptions } from './link.js';

/** A probe that ended its TLS connection is destroyed after this long if the server has not closed it. */
const CLOSE_PROBE_MS = 1000;
/** An idle connection is closed after this long (aggregators close idle clients too). */
export const IDLE_CLOSE_MS = 30_000;

export class ForwardServer {
  readonly cfg: ForwardServerConfig;
  readonly label: string;
  readonly #linkOpts: LinkOptions;
  readonly #retry: RetryConfig;
  readonly #random: () => number;
  readonly #idle = new Map<ForwardLink, NodeJS.Timeout>();
  #failures = 0;
  #failedUntil = 0;
  #unreachable = false;
  #lastError: string | null = null;
  #heartbeatInFlight = false;
  #closed = false;

  constructor(cfg: ForwardServerConfig, linkOpts: LinkOptions, retry: RetryConfig, random: () => number) {
    this.cfg = cfg;
    this.label = `${cfg.host}:${cfg.port}`;
    this.#linkOpts = linkOpts;
    this.#retry = retry;
    this.#random = random;
  }

  usable(now: number): boolean {
    return !this.#unreachable && now >= this.#failedUntil;
  }

  /** When a failed server may be tried again (ms epoch), or null when that is up to heartbeats / now. */
  get failedUntil(): number {
    return this.#failedUntil;
  }

  get unreachable(): boolean {
    return this.#unreachable;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** Why it is not usable, for the reason of an attempt that found no server. */
  downReason(now: number): string {
    if (this.#unreachable) return `${this.label} fails its heartbeat (${this.#lastError ?? 'unreachable'})`;
    if (now < this.#failedUntil) return `${this.label} failed (${this.#lastError ?? 'error'}), next try in ${Math.ceil((this.#failedUntil - now) / 1000)}s`;
    return `${this.label} is up`;
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#failedUntil = 0;
    this.#unreachable = false;
    this.#lastError = null;
  }

  onFailure(now: number, reason: string): void {
    this.#failures++;
    this.#lastError = reason;
    const base = Math.min(this.#retry.maxWait, this.#retry.wait * 2 ** Math.min(30, this.#failures - 1));
    this.#failedUntil = now + base / 2 + (this.#random() * base) / 2;
    this.#dropIdle();
  }

  /** A connection ready for a frame: an idle one, else a new one (throws LinkError). */
  async acquire(signal?: AbortSignal): Promise<ForwardLink> {
    for (const [link, timer] of this.#idle) {
      this.#idle.delete(link);
      clearTimeout(timer);
      if (link.reusable) {
        link.setIdle(false);
        return link;
      }
      link.destroy('stale');
    }
    return ForwardLink.open(this.#linkOpts, signal);
  }

  /** Back to the idle list after a successful frame. */
  release(link: ForwardLink): void {
    if (this.#closed || !link.reusable) {
      link.destroy('released');
      return;
    }
    const timer = setTimeout(() => {
      this.#idle.delete(link);
      link.end();
    }, IDLE_CLOSE_MS);
    timer.unref();
    link.onClose = () => {
      const t = this.#idle.get(link);
      if (t) clearTimeout(t);
      this.#idle.delete(link);
    };
    link.setIdle(true);
    this.#idle.set(link, timer);
  }

  get idleConnections(): number {
    return this.#idle.size;
  }

  /**
   * A connect probe (fluentd's `heartbeat_type tcp`; `transport` for a TLS server: the probe completes
   * the TLS handshake, so the server sees no failed handshake at every beat): reachable or not, within
   * timeoutMs.
   */
  heartbeat(timeoutMs: number): void {
    if (this.#heartbeatInFlight || this.#closed) return;
    this.#heartbeatInFlight = true;
    const tls = this.#linkOpts.tls;
    const socket = tls ? tlsConnect({ ...tls, host: this.cfg.host, port: this.cfg.port }) : netConnect({ host: this.cfg.host, port: this.cfg.port });
    socket.unref(); // a probe never keeps the process alive
    const done = (ok: boolean, why?: string) => {
      if (!this.#heartbeatInFlight) return;
      this.#heartbeatInFlight = false;
      clearTimeout(timer);
      if (ok && tls) {
        // end(), not destroy(): our TLS Finished must reach the server, or its handshake fails after all
        socket.end();
        setTimeout(() => socket.destroy(), CLOSE_PROBE_MS).unref();
      } else socket.destroy();
      if (this.#closed) return;
      if (ok) this.#unreachable = false;
      else {
        if (!this.#unreachable) this.#dropIdle();
        this.#unreachable = true;
        this.#lastError = why ?? 'unreachable';
      }
    };
    const timer = setTimeout(() => done(false, `no ${tls ? 'TLS' : 'TCP'} connection within ${timeoutMs}ms`), timeoutMs);
    timer.unref();
    socket.once(tls ? 'secureConnect' : 'connect', () => done(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done(false, 'connection refused');
      else done(false, tls ? describeSocketError(err, { host: this.cfg.host, port: this.cfg.port, tls }) : (err.code ?? err.message));
    });
  }

  close(): void {
    this.#closed = true;
    this.#dropIdle();
  }

  #dropIdle(): void {
    for (const [link, timer] of this.#idle) {
      clearTimeout(timer);
      link.destroy('closing');
    }
    this.#idle.clear();
  }
}
