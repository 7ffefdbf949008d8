// One connection to a forward server, client side: connect (TCP or TLS), the shared-key handshake,
// then one frame at a time, each waiting for its ack. Owns its socket and the messages read from it.
//
// States
//   connecting - TCP (and TLS) connect; a failure here is "not sent"
//   handshake  - shared_key only: waiting for HELO, then PONG; a refusal is "refused" (not sent)
//   ready      - idle, reusable for the next frame
//   busy       - a frame is being written, then its ack awaited
//   closed     - the socket is gone; never reused
//
// Where a failure happens decides what it means: before the frame's last byte was handed to the
// kernel nothing can have been imported (retry elsewhere); after it, the server may have the
// events (in doubt, re-sent later with the same chunk id).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { MalformedFrameError, valueEnd } from '../../codec/forward-scan.js';
import { decodeOne } from '../../codec/msgpack.js';
import { buildPing, checkPong, readHelo } from './handshake.js';

export interface LinkOptions {
  host: string;
  port: number;
  /** TLS connect options; plain TCP when absent. */
  tls?: ConnectionOptions;
  sharedKey?: string;
  selfHostname: string;
  /** Bound on connecting, each handshake step and writing a frame. */
  timeoutMs: number;
}

/** How one frame went. */
export type SendResult =
  | { kind: 'acked' }
  | { kind: 'not_sent'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'in_doubt'; reason: string };

/** The connection could not be made ready: `refused` is the server saying no (handshake). */
export class LinkError extends Error {
  constructor(
    readonly kind: 'not_sent' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

type Event = { type: 'message'; raw: Buffer } | { type: 'closed'; reason: string } | { type: 'timeout' };
type State = 'connecting' | 'handshake' | 'ready' | 'busy' | 'closed';

export class ForwardLink {
  readonly #socket: Socket;
  readonly #opts: LinkOptions;
  #state: State = 'connecting';
  #buf: Buffer = Buffer.alloc(0);
  readonly #events: Event[] = [];
  #waiter: ((e: Event) => void) | null = null;
  #closeReason: string | null = null;
  /** Called once when the socket closes (the pool drops the link). */
  onClose: (() => void) | null = null;

  private constructor(socket: Socket, opts: LinkOptions) {
    this.#socket = socket;
    this.#opts = opts;
    socket.on('data', (d: Buffer) => this.#onData(d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#closeReason ??= describeSocketError(err, opts);
    });
    socket.on('end', () => {
      this.#closeReason ??= 'the server closed the connection';
    });
    socket.on('close', () => {
      this.#state = 'closed';
      this.#push({ type: 'closed', reason: this.#closeReason ?? 'the connection closed' });
      this.onClose?.();
    });
  }

  /** Connects and, with a shared_key, completes the handshake. Throws LinkError. */
  static async open(opts: LinkOptions, signal?: AbortSignal): Promise<ForwardLink> {
    const socket = opts.tls
      ? tlsConnect({ ...opts.tls, host: opts.host, port: opts.port })
      : netConnect({ host: opts.host, port: opts.port });
    const link = new ForwardLink(socket, opts);
    const onAbort = () => link.destroy('stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await link.#connected(opts.tls ? 'secureConnect' : 'connect');
      socket.setNoDelay(true);
      if (opts.sharedKey !== undefined) await link.#handshake(opts.sharedKey);
      link.#state = 'ready';
      return link;
    } catch (err) {
      link.destroy('failed to open');
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get label(): string {
    return `${this.#opts.host}:${this.#opts.port}`;
  }

  /** Idle, open, and nothing unexpected read from it. */
  get reusable(): boolean {
    return this.#state === 'ready' && this.#events.length === 0 && this.#buf.length === 0 && !this.#socket.destroyed;
  }

  /**
   * Writes the frame and, when `ackId` is given, waits up to `ackTimeoutMs` for `{ack: ackId}`.
   * Never throws. After anything but `acked` the link is closed.
   */
  async send(pieces: readonly Buffer[], ackId: string | null, ackTimeoutMs: number, signal?: AbortSignal): Promise<SendResult> {
    if (!this.reusable) {
      this.destroy('not reusable');
      return { kind: 'not_sent', reason: 'the connection was closed before the frame was written' };
    }
    this.#state = 'busy';
    const onAbort = () => this.destroy('stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const written = await this.#write(pieces);
      if (written !== null) {
        this.destroy('write failed');
        return { kind: 'not_sent', reason: written };
      }
      if (ackId === null) {
        this.#state = 'ready';
        return { kind: 'acked' };
      }
      const result = await this.#awaitAck(ackId, ackTimeoutMs);
      if (result.kind === 'acked') this.#state = 'ready';
      else this.destroy('no good ack');
      return result;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** An idle connection must not keep the process alive; one in use must. */
  setIdle(idle: boolean): void {
    if (idle) this.#socket.unref();
    else this.#socket.ref();
  }

  destroy(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  /** Gracefully ends an idle connection. */
  end(): void {
    this.#socket.end();
    const t = setTimeout(() => this.#socket.destroy(), 1000);
    t.unref();
  }

  async #awaitAck(ackId: string, ackTimeoutMs: number): Promise<SendResult> {
    const e = await this.#next(ackTimeoutMs);
    if (e.type === 'timeout') {
      return { kind: 'in_doubt', reason: `no ack within ${ackTimeoutMs}ms (ack_response_timeout) after the frame was written` };
    }
    if (e.type === 'closed') return { kind: 'in_doubt', reason: `${e.reason} after the frame was written, before its ack` };
    if (readHelo(e.raw)) {
      return { kind: 'refused', reason: 'the server asks for the shared_key handshake (it sent HELO): set shared_key to its key' };
    }
    const msg: unknown = decodeOne(e.raw);
    const ack = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>)['ack'] : undefined;
    const got = typeof ack === 'string' ? ack : ack instanceof Uint8Array ? Buffer.from(ack).toString('utf8') : undefined;
    if (got === ackId) return { kind: 'acked' };
    if (got !== undefined) return { kind: 'in_doubt', reason: `the server acked chunk "${truncate(got)}" instead of "${ackId}"` };
    return { kind: 'in_doubt', reason: 'the server answered with something other than an ack' };
  }

  async #handshake(sharedKey: string): Promise<void> {
    this.#state = 'handshake';
    const first = await this.#next(this.#opts.timeoutMs);
    if (first.type !== 'message') throw new LinkError('not_sent', `${eventText(first, this.#opts.timeoutMs)} while waiting for the server's HELO`);
    const helo = readHelo(first.raw);
    if (!helo) throw new LinkError('refused', 'the server did not start the shared_key handshake (no HELO): remove shared_key, or set it on the server');
    if (helo.auth.length > 0) throw new LinkError('refused', 'the server also asks for a username and password, which tdfwd does not send');
    const ping = buildPing(helo, this.#opts.selfHostname, sharedKey);
    const err = await this.#write([ping.message]);
    if (err !== null) throw new LinkError('not_sent', err);
    const pong = await this.#next(this.#opts.timeoutMs);
    if (pong.type !== 'message') {
      // A server that closes instead of answering the PING refused it (fluentd does this on a wrong key).
      const kind = pong.type === 'closed' ? 'refused' : 'not_sent';
      throw new LinkError(kind, `${eventText(pong, this.#opts.timeoutMs)} after the PING (a wrong shared_key?)`);
    }
    const why = checkPong(pong.raw, helo, ping, this.#opts.selfHostname, sharedKey);
    if (why !== null) throw new LinkError('refused', why);
  }

  #connected(event: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new LinkError('not_sent', `no connection within ${this.#opts.timeoutMs}ms (timeout)`));
      }, this.#opts.timeoutMs);
      const ok = () => {
        cleanup();
        resolve();
      };
      const cutOff = (why: string) =>
        this.#opts.tls
          ? `the connection closed during the TLS handshake (${why}): the server may not speak TLS on this port, or refused the client certificate`
          : `the connection closed while connecting (${why})`;
      const fail = (err: NodeJS.ErrnoException) => {
        cleanup();
        const reset = err.code === 'ECONNRESET' || err.code === 'EPIPE';
        reject(new LinkError('not_sent', reset ? cutOff(err.code ?? 'reset') : describeSocketError(err, this.#opts)));
      };
      const closed = () => {
        cleanup();
        reject(new LinkError('not_sent', cutOff('closed')));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.#socket.off(event, ok);
        this.#socket.off('error', fail);
        this.#socket.off('close', closed);
      };
      this.#socket.once(event, ok);
      this.#socket.once('error', fail);
      this.#socket.once('close', closed);
    });
  }

  /** null once every byte is handed to the kernel; else why not. */
  #write(pieces: readonly Buffer[]): Promise<string | null> {
    return new Promise((resolve) => {
      if (this.#socket.destroyed) {
        resolve(this.#closeReason ?? 'the connection is closed');
        return;
      }
      const timer = setTimeout(() => {
        this.destroy(`the frame was not written within ${this.#opts.timeoutMs}ms (the server stopped reading)`);
        resolve(this.#closeReason);
      }, this.#opts.timeoutMs);
      this.#socket.cork();
      pieces.forEach((p, i) => {
        if (i < pieces.length - 1) this.#socket.write(p);
        else
          this.#socket.write(p, (err) => {
            clearTimeout(timer);
            resolve(err ? (this.#closeReason ?? err.message) : null);
          });
      });
      this.#socket.uncork();
    });
  }

  #onData(data: Buffer): void {
    this.#buf = this.#buf.length === 0 ? data : Buffer.concat([this.#buf, data]);
    try {
      for (;;) {
        if (this.#buf.length === 0) break;
        const end = valueEnd(this.#buf, 0);
        if (end < 0) break;
        this.#push({ type: 'message', raw: this.#buf.subarray(0, end) });
        this.#buf = this.#buf.subarray(end);
      }
    } catch (err) {
      const why = err instanceof MalformedFrameError ? err.message : String(err);
      this.destroy(`the server sent bytes that are not msgpack (${why})`);
    }
  }

  #push(e: Event): void {
    const w = this.#waiter;
    if (w) {
      this.#waiter = null;
      w(e);
    } else this.#events.push(e);
  }

  #next(timeoutMs: number): Promise<Event> {
    const queued = this.#events.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#state === 'closed') return Promise.resolve({ type: 'closed', reason: this.#closeReason ?? 'the connection closed' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        resolve({ type: 'timeout' });
      }, timeoutMs);
      this.#waiter = (e) => {
        clearTimeout(timer);
        resolve(e);
      };
    });
  }
}

function eventText(e: Event, timeoutMs: number): string {
  if (e.type === 'timeout') return `no answer within ${timeoutMs}ms`;
  if (e.type === 'closed') return e.reason;
  return 'an unexpected message';
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Certificate problems the user fixes with tls.ca_file. */
const UNTRUSTED = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_UNTRUSTED)$/;

/** One line naming the server and what to do. */
export function describeSocketError(err: NodeJS.ErrnoException, o: { host: string; port: number; tls?: ConnectionOptions }): string {
  const code = err.code ?? 'ERROR';
  const msg = err.message.replace(/\s+/g, ' ').trim();
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED): nothing listens there';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host ${o.host} does not resolve (${code}); check servers[].host`;
  if (code === 'ECONNRESET') return 'the server reset the connection (ECONNRESET)';
  if (UNTRUSTED.test(code)) return `the server's TLS certificate is not trusted (${code}); set tls.ca_file to the CA that signed it`;
  if (/^(CERT_|ERR_TLS_CERT_)/.test(code)) return `the server's TLS certificate was refused (${code}: ${msg})`;
  if (/^(ERR_SSL_|ERR_TLS_|EPROTO$)/.test(code)) {
    const plain = /wrong version number|packet length too long/i.test(msg);
    return `TLS handshake failed (${code})${plain ? ': the server does not speak TLS on this port; remove tls, or use its TLS port' : `: ${msg}`}`;
  }
  return `${code}: ${msg}`;
}
