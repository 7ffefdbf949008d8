// Commits the messages of one source (a TCP connection, or the UDP socket) in order, one sink.write
// at a time: what arrives while a write is in flight forms the next batch. Syslog has no
// acknowledgement, so backpressure is all a sender gets: `backlog` tells the source how much waits,
// and `onRoom` fires when a write finishes with the backlog under the low-water mark (the TCP source
// pauses its socket above the high-water mark and resumes it there).
//
// States: idle → writing (one sink.write in flight; new events queue) → idle. A failed write (buffer
// full with throw_exception, or the input stopping while the buffer blocks) loses its batch: it is
// logged with its size, and the next batch is still tried.
import type { LogEvent } from '../../core/record.js';
import type { EventSink } from '../../core/sink.js';

export interface BatcherOptions {
  sink: EventSink;
  /** Aborted when the input stops: a write blocked on a full buffer gives up. */
  signal: AbortSignal;
  /** After a batch is durable: how many records, how many of them kept with `_parse_error`. */
  onCommitted: (records: number, parseErrors: number) => void;
  onFailed: (err: Error, records: number) => void;
  /** The backlog fell under lowWater after a write. */
  onRoom?: () => void;
  /** Backlog bytes under which onRoom fires. */
  lowWater: number;
}

export class EventBatcher {
  readonly #opts: BatcherOptions;
  #queued: LogEvent[] = [];
  #queuedErrors = 0;
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #writing: Promise<void> | null = null;

  constructor(opts: BatcherOptions) {
    this.#opts = opts;
  }

  /** Message bytes queued or being written. */
  get backlog(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  /** Queue one message's event; `bytes` is the message's size, for the backlog. */
  add(event: LogEvent, parseError: boolean, bytes: number): void {
    this.#queued.push(event);
    this.#queuedBytes += bytes;
    if (parseError) this.#queuedErrors += 1;
    // Written on the next turn, so the messages of one read form one batch.
    if (this.#writing === null) this.#writing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#run());
  }

  /** Resolves when everything added so far has been written (or has failed). */
  async idle(): Promise<void> {
    while (this.#writing !== null) await this.#writing;
  }

  async #run(): Promise<void> {
    while (this.#queued.length > 0) {
      const batch = this.#queued;
      const errors = this.#queuedErrors;
      this.#inFlightBytes = this.#queuedBytes;
      this.#queued = [];
      this.#queuedErrors = 0;
      this.#queuedBytes = 0;
      try {
        await this.#opts.sink.write(batch, [], this.#opts.signal);
        this.#opts.onCommitted(batch.length, errors);
      } catch (err) {
        this.#opts.onFailed(err instanceof Error ? err : new Error(String(err)), batch.length);
      } finally {
        this.#inFlightBytes = 0;
      }
      if (this.backlog < this.#opts.lowWater) this.#opts.onRoom?.();
    }
    this.#writing = null;
  }
}
