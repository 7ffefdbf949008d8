// One syslog TCP connection: bytes in, frames out of the decoder, events committed in order.
//
// States
//   reading  - frames are decoded and queued; above HIGH_WATER_BYTES waiting for the disk (a full
//              buffer with overflow_action block) the socket is paused, so the sender feels TCP
//              backpressure instead of tdfwd growing memory; it resumes under LOW_WATER_BYTES
//   finishing - the peer closed (its last newline-framed message counts), reset the connection (an
//              unfinished frame is lost: syslog over TCP has no acknowledgement to resend it by), sent
//              what is not syslog (closed with a logged reason), or the input is stopping; what was
//              queued is still committed
//   closed    - socket closed and every queued message committed or failed (`closed` resolves)
import type { Socket } from 'node:net';
import type { EventSink } from '../../core/sink.js';
import type { InputContext } from '../types.js';
import { EventBatcher } from './batcher.js';
import { messageEvent, type MessageSettings } from './event.js';
import { FrameDecoder, FramingError, type Framing } from './framing.js';

export interface ConnectionOptions extends MessageSettings {
  framing: Framing;
  sink: EventSink;
  signal: AbortSignal;
  log: InputContext['log'];
  onCommitted: (records: number, parseErrors: number) => void;
}

const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;

export class SyslogConnection {
  readonly peer: string;
  /** The socket is closed and everything it delivered is committed (or failed and logged). */
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #opts: ConnectionOptions;
  readonly #decoder: FrameDecoder;
  readonly #batcher: EventBatcher;
  #finishing = false;

  constructor(socket: Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.#decoder = new FrameDecoder(opts.framing, opts.maxMessageSize);
    this.#batcher = new EventBatcher({
      sink: opts.sink,
      signal: opts.signal,
      onCommitted: opts.onCommitted,
      onFailed: (err, records) =>
        opts.log('error', 'syslog: messages could not be stored and are lost (syslog has no acknowledgement to resend them by)', { peer: this.peer, records, error: err.message }),
      onRoom: () => {
        if (!this.#finishing && this.#socket.isPaused()) this.#socket.resume();
      },
      lowWater: LOW_WATER_BYTES,
    });
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.closed = socketClosed.then(() => this.#batcher.idle());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => this.#onError(err));
  }

  /** The input stops: read nothing more, commit what is queued, close. */
  async stop(): Promise<void> {
    this.#finishing = true;
    this.#socket.pause();
    const pending = this.#decoder.pendingBytes;
    if (pending > 0) this.#opts.log('debug', 'syslog: stopping; an unfinished message is not stored', { peer: this.peer, bytes: pending });
    await this.#batcher.idle();
    this.#socket.destroy();
    await this.closed;
  }

  #onData(chunk: Buffer): void {
    if (this.#finishing) return;
    let frames;
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FramingError)) throw err;
      this.#opts.log('warn', `syslog: closed a connection that is not syslog over TCP: ${err.message}; check the sender's framing or set framing: newline`, { peer: this.peer });
      this.#finishing = true;
      this.#socket.destroy();
      return;
    }
    const nowMs = Date.now();
    for (const f of frames) {
      const { event, parseError } = messageEvent(f.data, f.truncatedFrom, this.#opts, nowMs);
      this.#batcher.add(event, parseError, f.data.length);
    }
    if (this.#batcher.backlog >= HIGH_WATER_BYTES) this.#socket.pause();
  }

  #onEnd(): void {
    if (this.#finishing) return;
    this.#finishing = true;
    const last = this.#decoder.end();
    if (last) {
      const { event, parseError } = messageEvent(last.data, last.truncatedFrom, this.#opts, Date.now());
      this.#batcher.add(event, parseError, last.data.length);
    } else if (this.#decoder.pendingBytes > 0) {
      this.#opts.log('warn', 'syslog: the sender closed in the middle of an octet-counted message; its start is not stored', { peer: this.peer, bytes: this.#decoder.pendingBytes });
    }
    void this.#batcher.idle().then(() => this.#socket.end());
  }

  #onError(err: NodeJS.ErrnoException): void {
    this.#finishing = true;
    const pending = this.#decoder.pendingBytes;
    this.#opts.log(pending > 0 ? 'warn' : 'debug', `syslog: connection error (${err.code ?? err.message})${pending > 0 ? '; an unfinished message is lost' : ''}`, { peer: this.peer, bytes: pending });
  }
}
