// One forward client connection: bytes in, committed events, acks out.
//
// States
//   handshake - (shared_key only) HELO sent, waiting for PING; nothing else is accepted
//   open      - reading frames; frames decoded from one burst of reads form one batch = one sink.write
//   draining  - no more reading (malformed data, failed write, or stop); the write in flight finishes
//               and its chunks are acked, then the socket is closed
//   closed
//
// Durable before acknowledged: `{ack: chunk}` is written only after the sink.write holding that
// frame's events has resolved. While a write is pending the socket is paused, so a full buffer with
// overflow_action block stops reading this client (TCP backpressure) instead of growing memory.
import type { Socket } from 'node:net';
import { packOne } from '../../codec/msgpack.js';
import type { LogEvent } from '../../core/record.js';
import type { EventSink } from '../../core/sink.js';
import type { InputContext } from '../types.js';
import { decodeEventFrame, decodePing, MAX_FRAME_BYTES } from './frame.js';
import { answerPing, newHandshake, type Handshake } from './handshake.js';
import { FrameScanner, MalformedFrameError } from './scan.js';

export interface ConnectionOptions {
  sink: EventSink;
  log: InputContext['log'];
  sharedKey: string | undefined;
  selfHostname: string;
  /** Aborted when the input stops: a write blocked on a full buffer gives up (no ack; the client retries). */
  signal: AbortSignal;
}

type State = 'handshake' | 'open' | 'draining' | 'closed';

/** A batch this large stops reading before the write is even scheduled. */
const BATCH_PAUSE_BYTES = 2 * 1024 * 1024;
/** How long a closing socket may take to flush its last acks before it is destroyed. */
const CLOSE_GRACE_MS = 2000;

export class ForwardConnection {
  readonly peer: string;
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  readonly #opts: ConnectionOptions;
  readonly #handshake: Handshake | null;
  readonly #scanner = new FrameScanner();
  #state: State;
  #pieces: Buffer[] = [];
  #pendingBytes = 0;
  #need = 1;
  #events: LogEvent[] = [];
  #acks: (string | Buffer)[] = [];
  #batchBytes = 0;
  #flushScheduled = false;
  #writing = false;

  constructor(socket: Socket, opts: ConnectionOptions) {
    this.#socket = socket;
    this.#opts = opts;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => {
      this.#state = 'closed';
    });
    socket.on('error', (err) => this.#opts.log('debug', 'forward: connection error', { peer: this.peer, error: err.message }));
    socket.on('data', (data: Buffer) => this.#onData(data));
    // The server allows half-open sockets: a client that sends its last frame and then shuts down its
    // side still gets the acks for it.
    socket.on('end', () => this.#beginDrain());
    socket.setNoDelay(true);
    if (opts.sharedKey !== undefined) {
      this.#handshake = newHandshake();
      this.#state = 'handshake';
      socket.write(this.#handshake.helo);
    } else {
      this.#handshake = null;
      this.#state = 'open';
    }
  }

  /** Stop reading, let the write in flight finish and ack, then close. */
  drain(): Promise<void> {
    this.#beginDrain();
    return this.closed;
  }

  #onData(data: Buffer): void {
    if (this.#state !== 'open' && this.#state !== 'handshake') return;
    this.#pieces.push(data);
    this.#pendingBytes += data.length;
    if (this.#pendingBytes < this.#need) return;
    const buf = this.#pieces.length === 1 ? (this.#pieces[0] as Buffer) : Buffer.concat(this.#pieces, this.#pendingBytes);
    let pos = 0;
    try {
      while (pos < buf.length && (this.#state === 'open' || this.#state === 'handshake')) {
        const end = this.#scanner.scan(buf, pos);
        if (end < 0) {
          this.#need = -end - pos;
          if (this.#need > MAX_FRAME_BYTES) {
            throw new MalformedFrameError(`a frame is larger than the ${MAX_FRAME_BYTES} bytes accepted`);
          }
          break;
        }
        this.#onFrame(buf.subarray(pos, end));
        pos = end;
        this.#need = 1;
      }
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (pos < buf.length) {
      this.#pieces = [buf.subarray(pos)];
      this.#pendingBytes = buf.length - pos;
    } else {
      this.#pieces = [];
      this.#pendingBytes = 0;
    }
    this.#scheduleFlush();
  }

  #onFrame(frame: Buffer): void {
    if (this.#state === 'handshake') {
      this.#onPing(frame);
      return;
    }
    const decoded = decodeEventFrame(frame, Math.floor(Date.now() / 1000));
    if (decoded.skipped > 0) {
      this.#opts.log('debug', 'forward: skipped entries with a nil record', { peer: this.peer, tag: decoded.tag, count: decoded.skipped });
    }
    for (const ev of decoded.events) this.#events.push(ev);
    if (decoded.chunk !== undefined) this.#acks.push(decoded.chunk);
    this.#batchBytes += frame.length;
    if (this.#batchBytes >= BATCH_PAUSE_BYTES) this.#socket.pause();
  }

  #onPing(frame: Buffer): void {
    const hs = this.#handshake as Handshake;
    const ping = decodePing(frame);
    const result = answerPing(ping, hs, this.#opts.sharedKey ?? '', this.#opts.selfHostname);
    this.#socket.write(result.pong);
    if (result.ok) {
      this.#state = 'open';
      return;
    }
    this.#opts.log('warn', 'forward: refused a client that failed the shared_key handshake; check that both ends use the same shared_key', {
      peer: this.peer,
      hostname: ping.hostname.toString('utf8'),
      reason: result.reason,
    });
    this.#beginDrain();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#writing) return;
    if (this.#events.length === 0 && this.#acks.length === 0) return;
    this.#flushScheduled = true;
    // setImmediate lets the reads of this poll phase pile up into one batch: one transaction.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#state === 'closed') return;
    const events = this.#events;
    const acks = this.#acks;
    if (events.length === 0 && acks.length === 0) {
      this.#afterFlush();
      return;
    }
    this.#events = [];
    this.#acks = [];
    this.#batchBytes = 0;
    this.#writing = true;
    this.#socket.pause();
    try {
      if (events.length > 0) await this.#opts.sink.write(events, [], this.#opts.signal);
    } catch (err) {
      this.#writing = false;
      this.#opts.log('error', 'forward: could not commit events, closing the connection without ack so the client retries', {
        peer: this.peer,
        events: events.length,
        error: (err as Error).message,
      });
      this.#close();
      return;
    }
    this.#writing = false;
    if (!this.#isClosed() && acks.length > 0) {
      this.#socket.write(acks.length === 1 ? packOne({ ack: acks[0] }) : Buffer.concat(acks.map((a) => packOne({ ack: a }))));
    }
    this.#afterFlush();
  }

  // A method, not an inline comparison: the state changes while a write is awaited.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #afterFlush(): void {
    if (this.#state === 'draining') {
      this.#close();
      return;
    }
    if (this.#state === 'closed') return;
    this.#socket.resume();
    this.#scheduleFlush();
  }

  #fail(err: unknown): void {
    if (err instanceof MalformedFrameError) {
      this.#opts.log('warn', 'forward: malformed data, closing the connection', { peer: this.peer, error: err.message });
    } else {
      this.#opts.log('error', 'forward: failed to process data, closing the connection', { peer: this.peer, error: (err as Error).message });
    }
    this.#beginDrain();
  }

  /** Frames decoded before the bad one are still committed and acked; nothing more is read. */
  #beginDrain(): void {
    if (this.#state === 'closed' || this.#state === 'draining') return;
    this.#state = 'draining';
    this.#socket.pause();
    this.#pieces = [];
    if (this.#writing || this.#flushScheduled) return; // #afterFlush closes
    if (this.#events.length > 0 || this.#acks.length > 0) {
      void this.#flush();
      return;
    }
    this.#close();
  }

  #close(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const socket = this.#socket;
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }
}
