// Flush progress: a bar on a TTY (records, bytes, chunks, rate, ETA), otherwise nothing until the
// one-line summary. Fed by delivery events; its totals are what the drain will deliver, given at
// start() once the engine can count them (under `routing: copy` a chunk is delivered once per output).
//
// States: created (events are tallied, no bar) → started (the bar, on a TTY) → stopped.
import cliProgress from 'cli-progress';
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import { formatBytes } from '../core/units.js';
import type { ChunkAction, DeliveryObserver } from '../delivery/events.js';

export interface FlushTally {
  deliveredRecords: number;
  deliveredBytes: number;
  deliveredChunks: number;
  parkedChunks: number;
  requests: number;
  retries: number;
  inDoubt: number;
  duplicateRisks: number;
}

export class FlushProgress implements DeliveryObserver {
  readonly tally: FlushTally = { deliveredRecords: 0, deliveredBytes: 0, deliveredChunks: 0, parkedChunks: 0, requests: 0, retries: 0, inDoubt: 0, duplicateRisks: 0 };
  readonly #tty: boolean;
  #bar: cliProgress.SingleBar | null = null;
  #totalRecords = 0;
  #totalChunks = 0;
  readonly #started = performance.now();

  constructor(tty: boolean) {
    this.#tty = tty;
  }

  /** The records and chunks the drain is to deliver: the bar's 100%. */
  start(totalRecords: number, totalChunks: number): void {
    this.#totalRecords = totalRecords;
    this.#totalChunks = totalChunks;
    this.#bar = this.#tty && totalRecords > 0
      ? new cliProgress.SingleBar(
          {
            format: 'flush [{bar}] {percentage}% | {value}/{total} records | {bytes} | {chunks} chunks | {rate} rec/s | ETA {eta_formatted}',
            hideCursor: true,
            clearOnComplete: false,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        )
      : null;
    this.#bar?.start(totalRecords, 0, this.#payload());
  }

  #payload(): Record<string, string | number> {
    const secs = (performance.now() - this.#started) / 1000;
    return {
      bytes: formatBytes(this.tally.deliveredBytes),
      chunks: `${this.tally.deliveredChunks}/${this.#totalChunks}`,
      rate: secs > 0 ? Math.round(this.tally.deliveredRecords / secs) : 0,
    };
  }

  attempt(): void {
    this.tally.requests++;
  }

  outcome(_output: string, chunk: SealedChunk, outcome: Outcome, action: ChunkAction): void {
    if (action === 'acked') {
      this.tally.deliveredRecords += chunk.records;
      this.tally.deliveredBytes += chunk.rawBytes;
      this.tally.deliveredChunks++;
    } else if (action === 'parked') {
      this.tally.parkedChunks++;
    }
    if (outcome.kind === 'retry') this.tally.retries++;
    if (outcome.kind === 'in_doubt') this.tally.inDoubt++;
    this.#bar?.update(Math.min(this.tally.deliveredRecords, this.#totalRecords), this.#payload());
  }

  duplicateRisk(): void {
    this.tally.duplicateRisks++;
  }

  stop(): void {
    this.#bar?.stop();
  }

  elapsedSeconds(): number {
    return (performance.now() - this.#started) / 1000;
  }
}
