// One forward client connection: bytes in, committed events, acks out.
//
// States
//   handshake - (shared_key only) HELO sent, waiting for PING; nothing else is accepted
//   open      - reading frames; each frame's entries go to the encoder as the frame arrives
//   draining  - no more reading (malformed data, failed write, or stop); the writes in flight finish
//               and their chunks are acked, then the socket is closed
//   closed
//
// Durable before acknowledged: `{ack: chunk}` is written only after the sink.writeParts holding that
// frame's records has resolved. Every frame, of any mode, is one encoder job (small frames of one tag
// read in one burst share a job, so Message-mode clients do not pay a compression per event); a
// batch is the jobs ready when it is taken, and the next batch is taken while it waits for the disk
// (up to MAX_WRITES_IN_FLIGHT): batches commit in frame order and their acks go out in that order,
// each once its write is durable. The socket is paused while the frames not yet taken hold
// BATCH_PAUSE_BYTES, so a full buffer with overflow_action block stops reading this client (TCP
// backpressure) instead of growing memory.
import type { Socket } from 'node:net';
import { packOne } from '../../codec/msgpack.js';
import type { Encoder, EntriesResult } from '../../core/encoder.js';
import type { EventSink } from '../../core/sink.js';
import type { InputContext } from '../types.js';
import { decodePing, MAX_FRAME_BYTES, readEntriesFrame } from '../../codec/forward-frame.js';
import { FrameAssembly } from './frame-assembly.js';
import { answerPing, newHandshake, type Handshake } from './handshake.js';
import { FrameScanner, MalformedFrameError } from '../../codec/forward-scan.js';

export interface ConnectionOptions {
  sink: EventSink;
  log: InputContext['log'];
  sharedKey: string | undefined;
  selfHostname: string;
  /** Aborted when the input stops: a write blocked on a full buffer gives up (no ack; the client retries). */
  signal: AbortSignal;
  /** Turns each frame's entries into compressed parts (the daemon's). */
  encoder: Encoder;
}

/** Frames' entries at the encoder; `settled` never rejects (a failure is its value). */
interface Segment {
  tag: string;
  settled: Promise<EntriesResult | Error>;
  /** `settled` has its value; `failed`: it is an error (the frame's entries could not be encoded). */
  ready: boolean;
  failed: boolean;
  /** Bytes of the frames it holds. */
  bytes: number;
}

/** Entries of small frames of one tag read in this burst, not given to the encoder yet. */
interface Gathered {
  tag: string;
  entries: Buffer[];
  entryBytes: number;
  frameBytes: number;
}

type State = 'handshake' | 'open' | 'draining' | 'closed';

/** A batch this large stops reading before the write is even scheduled. */
const BATCH_PAUSE_BYTES = 2 * 1024 * 1024;
/** Batches of one connection committed and waiting for their fsync at once. */
const MAX_WRITES_IN_FLIGHT = 4;
/** Frames with fewer entry bytes than this share an encoder job with the next ones of their tag (same burst). */
const GATHER_BYTES = 64 * 1024;
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
  /** A partial frame's bytes, held for the next reads. */
  readonly #partial = new FrameAssembly();
  /** Bytes the frame at the start of #partial needs in all (1: no partial frame). */
  #need = 1;
  /** The batch being read: its segments in frame order, and each ack after the segment it follows. */
  #segments: Segment[] = [];
  #gathered: Gathered | null = null;
  #acks: { chunk: string | Buffer; after: number }[] = [];
  #batchBytes = 0;
  #flushScheduled = false;
  /** A flush is choosing its batch (waiting for the first frame's compression). */
  #taking = false;
  /** Batches written or being written whose acks are not sent yet, and the last one's ack step. */
  #inFlight = 0;
  #ackTail: Promise<void> = Promise.resolve();
  /** A batch failed: the connection closes and acks nothing more. */
  #failed = false;

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
    let buf = data;
    if (this.#partial.held > 0) {
      this.#partial.append(data);
      if (this.#partial.held < this.#need) return;
      buf = this.#partial.view();
    }
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
      this.#encodeGathered(); // the frames before the bad one are still committed and acked
      this.#fail(err);
      return;
    }
    this.#encodeGathered(); // before `buf` is reused: the gathered entries are views of it
    this.#partial.keep(buf, pos, this.#need);
    this.#scheduleFlush();
  }

  #onFrame(frame: Buffer): void {
    if (this.#state === 'handshake') {
      this.#onPing(frame);
      return;
    }
    const { tag, entries, chunk } = readEntriesFrame(frame);
    const g = this.#gathered;
    const small = entries.length < GATHER_BYTES;
    if (g && (g.tag !== tag || !small || g.entryBytes + entries.length > GATHER_BYTES)) this.#encodeGathered();
    if (small) {
      const into = this.#gathered ?? (this.#gathered = { tag, entries: [], entryBytes: 0, frameBytes: 0 });
      into.entries.push(entries);
      into.entryBytes += entries.length;
      into.frameBytes += frame.length;
    } else this.#encode(tag, entries, frame.length);
    // The ack follows the segment holding the frame (the gathered one is the next segment).
    if (chunk !== undefined) this.#acks.push({ chunk, after: this.#segments.length + (this.#gathered ? 1 : 0) });
    this.#batchBytes += frame.length;
    if (this.#batchBytes >= BATCH_PAUSE_BYTES) this.#socket.pause();
  }

  #encodeGathered(): void {
    const g = this.#gathered;
    if (!g) return;
    this.#gathered = null;
    this.#encode(g.tag, g.entries.length === 1 ? (g.entries[0] as Buffer) : Buffer.concat(g.entries, g.entryBytes), g.frameBytes);
  }

  /** One encoder job (it reads `entries` before it returns: a view of the read buffer is fine). */
  #encode(tag: string, entries: Buffer, frameBytes: number): void {
    const settled = this.#opts.encoder.encodeEntries({ tag, entries, nowSec: Math.floor(Date.now() / 1000) }).then(
      (r) => r,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    const seg: Segment = { tag, settled, ready: false, failed: false, bytes: frameBytes };
    void settled.then((r) => {
      seg.ready = true;
      seg.failed = r instanceof Error;
    });
    this.#segments.push(seg);
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
    if (this.#flushScheduled || this.#taking || this.#inFlight >= MAX_WRITES_IN_FLIGHT) return;
    if (this.#segments.length === 0 && this.#acks.length === 0) return;
    this.#flushScheduled = true;
    // setImmediate lets the reads of this poll phase pile up into one batch: one transaction.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  /**
   * Takes the next batch (the segments ready now, at least the first one) and starts its
   * write; its acks are sent when it is durable, after the acks of the batches before it. The next
   * batch is taken at once: it commits while this one waits for the disk (group commit in the writer).
   */
  async #flush(): Promise<void> {
    if (this.#taking || this.#inFlight >= MAX_WRITES_IN_FLIGHT || this.#state === 'closed' || this.#failed) return;
    if (this.#segments.length === 0 && this.#acks.length === 0) {
      this.#afterFlush();
      return;
    }
    this.#taking = true;
    // Segments still being compressed are left for the next batch, so committing these overlaps encoding those.
    const head = this.#segments[0];
    if (head) await head.settled;
    let n = head ? 1 : 0;
    while (n < this.#segments.length && (this.#segments[n] as Segment).ready) n++;
    const segments = this.#segments.splice(0, n);
    // A frame whose entries could not be encoded ends the connection: nothing after it is committed.
    if (segments.some((seg) => seg.failed)) this.#failed = true;
    const acks = this.#acks.filter((a) => a.after <= n);
    this.#acks = this.#acks.filter((a) => a.after > n).map((a) => ({ chunk: a.chunk, after: a.after - n }));
    for (const seg of segments) this.#batchBytes -= seg.bytes;
    this.#taking = false;
    this.#inFlight++;
    const written = this.#write(segments);
    const before = this.#ackTail;
    this.#ackTail = written.then(async (r) => {
      await before;
      this.#inFlight--;
      this.#finishBatch(acks, r);
    });
    if (this.#state === 'open' && this.#batchBytes < BATCH_PAUSE_BYTES) this.#socket.resume();
    this.#scheduleFlush();
  }

  /** The batch's write: how many segments are durable, and what failed; never rejects. */
  async #write(segments: readonly Segment[]): Promise<{ committed: number; failure: { error: Error; what: string } | null }> {
    try {
      const c = await this.#commit(segments);
      return { committed: c.committed, failure: c.encodeError ? { error: c.encodeError, what: 'encode the entries of a frame' } : null };
    } catch (err) {
      return { committed: 0, failure: { error: err as Error, what: 'commit events' } };
    }
  }

  /** A batch is durable (or failed), and so are the ones before it: its acks go out. */
  #finishBatch(acks: readonly { chunk: string | Buffer; after: number }[], r: { committed: number; failure: { error: Error; what: string } | null }): void {
    if (this.#isClosed()) return; // an earlier batch failed: nothing after it is acked
    const ackable = acks.filter((a) => a.after <= r.committed).map((a) => a.chunk);
    if (!this.#isClosed() && ackable.length > 0) {
      this.#socket.write(ackable.length === 1 ? packOne({ ack: ackable[0] }) : Buffer.concat(ackable.map((a) => packOne({ ack: a }))));
    }
    if (r.failure) {
      this.#failed = true;
      const { error, what } = r.failure;
      const malformed = error instanceof MalformedFrameError;
      this.#opts.log(malformed ? 'warn' : 'error', `forward: ${malformed ? 'malformed data' : `could not ${what}`}, closing the connection without ack so the client retries`, {
        peer: this.peer,
        error: error.message,
      });
      this.#close();
      return;
    }
    this.#afterFlush();
  }

  /**
   * Commits the segments' parts in one write; returns how many segments are durable (fewer than all
   * when a frame's entries could not be encoded: those before it still are).
   */
  async #commit(segments: readonly Segment[]): Promise<{ committed: number; encodeError?: Error }> {
    const results: EntriesResult[] = [];
    let failed: Error | null = null;
    for (const seg of segments) {
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
    return failed ? { committed: results.length, encodeError: failed } : { committed: results.length };
  }

  // A method, not an inline comparison: the state changes while a write is awaited.
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  #afterFlush(): void {
    if (this.#state === 'draining') {
      // Frames read while the last batch committed are still committed and acked.
      if (this.#segments.length > 0 || this.#acks.length > 0) void this.#flush();
      else if (this.#inFlight === 0 && !this.#taking) this.#close();
      return;
    }
    if (this.#state === 'closed') return;
    if (this.#batchBytes < BATCH_PAUSE_BYTES) this.#socket.resume();
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
    this.#partial.keep(Buffer.alloc(0), 0, 1); // a partial frame is never completed now
    if (this.#taking || this.#inFlight > 0 || this.#flushScheduled) return; // #afterFlush closes
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
