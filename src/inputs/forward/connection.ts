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
// frame's events has resolved. With an encoder, a PackedForward frame's entries are encoded as
// the frame arrives, compressed on the zlib thread pool and committed with sink.writeParts;
// a batch is then a sequence of segments committed in frame order, and its acks follow them all.
// While a write is pending the socket is paused (with an encoder: once the next batch holds
// BATCH_PAUSE_BYTES), so a full buffer with overflow_action block stops reading this client (TCP
// backpressure) instead of growing memory.
import type { Socket } from 'node:net';
import { packOne } from '../../codec/msgpack.js';
import type { EntriesEncoder, EntriesResult } from '../../core/line-encoder.js';
import type { LogEvent } from '../../core/record.js';
import type { EventSink } from '../../core/sink.js';
import type { InputContext } from '../types.js';
import { decodeEventFrame, decodePing, MAX_FRAME_BYTES, readPackedFrame } from './frame.js';
import { answerPing, newHandshake, type Handshake } from './handshake.js';
import { FrameScanner, MalformedFrameError } from './scan.js';

export interface ConnectionOptions {
  sink: EventSink;
  log: InputContext['log'];
  sharedKey: string | undefined;
  selfHostname: string;
  /** Aborted when the input stops: a write blocked on a full buffer gives up (no ack; the client retries). */
  signal: AbortSignal;
  /** Encodes PackedForward entries into compressed parts; without it every frame is decoded into events. */
  encoder?: EntriesEncoder;
}

/** A PackedForward frame at the encoder; `settled` never rejects (a failure is its value). */
interface Encoding {
  tag: string;
  settled: Promise<EntriesResult | Error>;
  /** `settled` has its value. */
  ready: boolean;
  bytes: number;
}

/** Part of a batch, in frame order: events decoded here, or a frame's entries at the encoder. */
type Segment = { events: LogEvent[]; bytes: number } | Encoding;

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
  /** The batch being read: its segments in frame order, and each ack after the segment it follows. */
  #segments: Segment[] = [];
  #acks: { chunk: string | Buffer; after: number }[] = [];
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
    const nowSec = Math.floor(Date.now() / 1000);
    const encoder = this.#opts.encoder;
    const packed = encoder ? readPackedFrame(frame) : null;
    if (encoder && packed) {
      // A view into the read buffer is copied: the encoder takes the memory it is given.
      const entries = packed.inflated ? packed.entries : Buffer.from(packed.entries);
      const settled = encoder.encodeEntries({ tag: packed.tag, entries, nowSec }).then(
        (r) => r,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
      const seg: Encoding = { tag: packed.tag, settled, ready: false, bytes: frame.length };
      void settled.then(() => (seg.ready = true));
      this.#segments.push(seg);
      if (packed.chunk !== undefined) this.#acks.push({ chunk: packed.chunk, after: this.#segments.length });
    } else {
      const decoded = decodeEventFrame(frame, nowSec);
      this.#logSkipped(decoded.tag, decoded.skipped);
      const last = this.#segments.at(-1);
      if (last && 'events' in last) {
        for (const ev of decoded.events) last.events.push(ev);
        last.bytes += frame.length;
      } else this.#segments.push({ events: decoded.events, bytes: frame.length });
      if (decoded.chunk !== undefined) this.#acks.push({ chunk: decoded.chunk, after: this.#segments.length });
    }
    this.#batchBytes += frame.length;
    if (this.#batchBytes >= BATCH_PAUSE_BYTES) this.#socket.pause();
  }

  #logSkipped(tag: string, count: number): void {
    if (count > 0) this.#opts.log('debug', 'forward: skipped entries with a nil record', { peer: this.peer, tag, count });
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
    if (this.#segments.length === 0 && this.#acks.length === 0) return;
    this.#flushScheduled = true;
    // setImmediate lets the reads of this poll phase pile up into one batch: one transaction.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#writing || this.#state === 'closed') return;
    if (this.#segments.length === 0 && this.#acks.length === 0) {
      this.#afterFlush();
      return;
    }
    this.#writing = true;
    // With an encoder, the next frames are read (up to BATCH_PAUSE_BYTES) and encoded, their parts
    // compressed on the zlib thread pool, while this batch commits; without one, decoding would only
    // compete with it.
    if (!this.#opts.encoder) this.#socket.pause();
    // The batch: the frames ready now, at least the first one. Frames still being compressed are left
    // for the next batch, so committing these overlaps encoding those.
    const head = this.#segments[0];
    if (head && !('events' in head)) await head.settled;
    let n = 0;
    while (n < this.#segments.length) {
      const seg = this.#segments[n] as Segment;
      if (!('events' in seg) && !seg.ready && n > 0) break;
      n++;
    }
    const segments = this.#segments.splice(0, n);
    const acks = this.#acks.filter((a) => a.after <= n);
    this.#acks = this.#acks.filter((a) => a.after > n).map((a) => ({ chunk: a.chunk, after: a.after - n }));
    for (const seg of segments) this.#batchBytes -= seg.bytes;
    let committed = 0; // segments durable so far
    let failure: { error: Error; what: string } | null = null;
    try {
      const c = await this.#commit(segments);
      committed = c.committed;
      if (c.encodeError) failure = { error: c.encodeError, what: 'decode the entries of a frame' };
    } catch (err) {
      failure = { error: err as Error, what: 'commit events' };
    }
    this.#writing = false;
    const ackable = acks.filter((a) => a.after <= committed).map((a) => a.chunk);
    if (!this.#isClosed() && ackable.length > 0) {
      this.#socket.write(ackable.length === 1 ? packOne({ ack: ackable[0] }) : Buffer.concat(ackable.map((a) => packOne({ ack: a }))));
    }
    if (failure) {
      this.#opts.log('error', `forward: could not ${failure.what}, closing the connection without ack so the client retries`, {
        peer: this.peer,
        error: failure.error.message,
      });
      this.#close();
      return;
    }
    this.#afterFlush();
  }

  /**
   * Commits the segments in order, consecutive ones of a kind in one write; returns how many are
   * durable (fewer than all when a frame's entries could not be encoded: those before it still are).
   */
  async #commit(segments: readonly Segment[]): Promise<{ committed: number; encodeError?: Error }> {
    let done = 0;
    while (done < segments.length) {
      const first = segments[done] as Segment;
      if ('events' in first) {
        if (first.events.length > 0) await this.#opts.sink.write(first.events, [], this.#opts.signal);
        done++;
        continue;
      }
      const results: EntriesResult[] = [];
      let end = done;
      let failed: Error | null = null;
      for (; end < segments.length; end++) {
        const seg = segments[end] as Segment;
        if ('events' in seg) break;
        const r = await seg.settled;
        if (r instanceof Error) {
          failed = r;
          break;
        }
        results.push(r);
        this.#logSkipped(seg.tag, r.skipped);
      }
      const parts = results.flatMap((r) => r.parts);
      if (parts.length > 0) await this.#opts.sink.writeParts(parts, [], this.#opts.signal);
      done = end;
      if (failed) return { committed: done, encodeError: failed };
    }
    return { committed: done };
  }

  // A method, not an inline comparison: the state changes while a write is awaited.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #afterFlush(): void {
    if (this.#state === 'draining') {
      // Frames read while the last batch committed (with an encoder) are still committed and acked.
      if (this.#segments.length > 0 || this.#acks.length > 0) void this.#flush();
      else this.#close();
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
    if (this.#segments.length > 0 || this.#acks.length > 0) {
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
