// tdfwd's Prometheus metrics, in a Registry of their own (never prom-client's global one, so tests and
// several daemons in one process do not clash). Owns: the registry, the counters it feeds from delivery
// events (it is a DeliveryObserver), from inputs, and the buffer gauges the daemon refreshes with
// setBufferStats(). Time comes from the injected `now`, as everywhere delivery events are handled.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CHUNK_STATES, type SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import { VERSION } from '../core/version.js';
import type { BufferStats } from '../buffer/store.js';
import type { ChunkAction, DeliveryObserver, OutputState } from '../delivery/events.js';
import { TagLabels, statusClass } from './labels.js';

export interface MetricsOptions {
  /** Milliseconds since the epoch (the daemon's clock). */
  now?: () => number;
  /** Also export prom-client's process and Node.js metrics (process_cpu_seconds_total, nodejs_*). */
  defaultMetrics?: boolean;
  /** Distinct tags given their own label value; later tags are counted as `_other`. */
  maxTagLabels?: number;
}

const OUTPUT_STATES: readonly OutputState[] = ['healthy', 'backoff', 'probing', 'paused'];

/** First commit → acknowledged import: from half a second (a quiet, healthy pipe) to two hours (an outage). */
export const DELIVERY_DELAY_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
const REQUEST_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class TdfwdMetrics implements DeliveryObserver {
  readonly registry = new Registry();
  readonly #now: () => number;
  readonly #inputTags: TagLabels;
  readonly #unroutedTags: TagLabels;
  #oldestPendingCreatedAt: number | null = null;

  readonly #recordsIn: Counter<'input' | 'tag'>;
  readonly #parseErrors: Counter<'input'>;
  readonly #unrouted: Counter<'tag'>;
  readonly #filterDropped: Counter<'filter'>;
  readonly #bufferChunks: Gauge<'state'>;
  readonly #pendingRecords: Gauge;
  readonly #pendingBytes: Gauge;
  readonly #parkedRecords: Gauge;
  readonly #storedBytes: Gauge;
  readonly #writesBlocked: Gauge<'cause'>;
  readonly #requests: Counter<'output' | 'status_class'>;
  readonly #requestDuration: Histogram<'output'>;
  readonly #retries: Counter<'output'>;
  readonly #inDoubt: Counter<'output'>;
  readonly #duplicateRisk: Counter<'output'>;
  readonly #parked: Counter<'output'>;
  readonly #split: Counter<'output'>;
  readonly #deliveredRecords: Counter<'output'>;
  readonly #deliveredBytes: Counter<'output'>;
  readonly #deliveryDelay: Histogram<'output'>;
  readonly #concurrency: Gauge<'output'>;
  readonly #inflight: Gauge<'output'>;
  readonly #outputState: Gauge<'output' | 'state'>;

  constructor(o: MetricsOptions = {}) {
    this.#now = o.now ?? Date.now;
    this.#inputTags = new TagLabels(o.maxTagLabels ?? 100);
    this.#unroutedTags = new TagLabels(o.maxTagLabels ?? 100);
    if (o.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
      new Gauge({ name, help, labelNames, registers });

    new Gauge({ name: 'tdfwd_build_info', help: 'Always 1; the version label says which tdfwd runs.', labelNames: ['version'], registers }).set(
      { version: VERSION },
      1,
    );

    // Inputs
    this.#recordsIn = counter('tdfwd_input_records_total', 'Records committed to the buffer, by input and tag (tags past the cap count as "_other").', ['input', 'tag']);
    this.#parseErrors = counter('tdfwd_input_parse_errors_total', 'Lines or messages an input could not parse.', ['input']);
    this.#unrouted = counter('tdfwd_unrouted_records_total', 'Records whose tag no output matches.', ['tag']);
    this.#filterDropped = counter('tdfwd_filter_dropped_records_total', 'Records a filter dropped before the buffer (grep), by the filter\'s place in the config ("filters[1]").', ['filter']);

    // Buffer
    this.#bufferChunks = gauge('tdfwd_buffer_chunks', 'Chunks in the buffer, by state.', ['state']);
    for (const state of CHUNK_STATES) this.#bufferChunks.set({ state }, 0);
    this.#pendingRecords = gauge('tdfwd_buffer_pending_records', 'Records not yet delivered (not counting parked chunks).', []);
    this.#pendingBytes = gauge('tdfwd_buffer_pending_bytes', 'Uncompressed bytes not yet delivered (not counting parked chunks).', []);
    this.#parkedRecords = gauge('tdfwd_buffer_parked_records', 'Records in parked chunks, kept until `tdfwd chunks retry|drop`.', []);
    this.#storedBytes = gauge('tdfwd_buffer_stored_bytes', 'Bytes the buffer stores for its chunks (sealed payloads are compressed).', []);
    this.#writesBlocked = gauge(
      'tdfwd_buffer_writes_blocked',
      'Inputs wait on the buffer: 1 while its last write was refused for this cause (buffer_full: total_limit_size; disk_full: the disk holding it), 0 once one succeeds.',
      ['cause'],
    );
    for (const cause of ['buffer_full', 'disk_full']) this.#writesBlocked.set({ cause }, 0);
    const age = new Gauge({
      name: 'tdfwd_buffer_oldest_pending_age_seconds',
      help: 'Age of the oldest undelivered record (0 when nothing is pending).',
      registers,
      collect: () => {
        const at = this.#oldestPendingCreatedAt;
        age.set(at === null ? 0 : Math.max(0, (this.#now() - at) / 1000));
      },
    });

    // Delivery
    this.#requests = counter('tdfwd_requests_total', 'Delivery requests by output and status class (2xx, 4xx, 5xx, network, timeout, ...).', ['output', 'status_class']);
    this.#requestDuration = new Histogram({
      name: 'tdfwd_request_duration_seconds',
      help: 'Time from sending a chunk to its answer (or failure).',
      labelNames: ['output'],
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    });
    this.#retries = counter('tdfwd_retries_total', 'Requests re-sending a chunk that an earlier attempt did not deliver.', ['output']);
    this.#inDoubt = counter('tdfwd_chunks_in_doubt_total', 'Attempts that may have reached the endpoint (timeout or reset after sending); re-sent with the same key.', ['output']);
    this.#duplicateRisk = counter('tdfwd_chunks_duplicate_risk_total', 'Chunks that may be imported twice: in doubt and re-sent after the endpoint\'s dedup window, or in doubt and split after a 413.', ['output']);
    this.#parked = counter('tdfwd_chunks_parked_total', 'Chunks parked: rejected by the endpoint or out of retries.', ['output']);
    this.#split = counter('tdfwd_chunks_split_total', 'Chunks split in two after a 413 Payload Too Large.', ['output']);
    this.#deliveredRecords = counter('tdfwd_delivered_records_total', 'Records the endpoint acknowledged.', ['output']);
    this.#deliveredBytes = counter('tdfwd_delivered_bytes_total', 'Uncompressed bytes of the records the endpoint acknowledged.', ['output']);
    this.#deliveryDelay = new Histogram({
      name: 'tdfwd_delivery_delay_seconds',
      help: 'Visibility delay: from a chunk\'s first commit to the buffer to its acknowledged import.',
      labelNames: ['output'],
      buckets: DELIVERY_DELAY_BUCKETS,
      registers,
    });
    this.#concurrency = gauge('tdfwd_output_concurrency_limit', 'Requests an output may have in flight at once (adaptive).', ['output']);
    this.#inflight = gauge('tdfwd_output_inflight_requests', 'Requests an output has in flight now.', ['output']);
    this.#outputState = gauge('tdfwd_output_state', 'Output health: 1 for the current state (healthy, backoff, probing, paused), 0 for the others.', ['output', 'state']);
  }

  /** Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // -- inputs and buffer

  recordsIn(input: string, tag: string, n: number): void {
    this.#recordsIn.inc({ input, tag: this.#inputTags.label(tag) }, n);
  }

  parseErrors(input: string, n = 1): void {
    this.#parseErrors.inc({ input }, n);
  }

  filterDropped(filter: string, n: number): void {
    this.#filterDropped.inc({ filter }, n);
  }

  unroutedRecords(tag: string, n: number): void {
    this.#unrouted.inc({ tag: this.#unroutedTags.label(tag) }, n);
  }

  /** Writes to the buffer are refused for `cause` (true) or go through again (false). */
  writesBlocked(cause: 'buffer_full' | 'disk_full', blocked: boolean): void {
    this.#writesBlocked.set({ cause }, blocked ? 1 : 0);
  }

  setBufferStats(stats: BufferStats): void {
    for (const state of CHUNK_STATES) this.#bufferChunks.set({ state }, stats.chunks[state]);
    this.#pendingRecords.set(stats.pendingRecords);
    this.#pendingBytes.set(stats.pendingBytes);
    this.#parkedRecords.set(stats.parkedRecords);
    this.#storedBytes.set(stats.storedBytes);
    this.#oldestPendingCreatedAt = stats.oldestPendingCreatedAt;
  }

  /** Show an output before its first event: its state and its starting concurrency limit. */
  trackOutput(output: string, state: OutputState, limit: number): void {
    this.#setState(output, state);
    this.#concurrency.set({ output }, limit);
    this.#inflight.set({ output }, 0);
  }

  /**
   * An output a reload removed: its gauges (state, concurrency limit, in flight) go, so no alert keeps
   * seeing a state nothing updates any more. Its counters and histograms keep their totals (history
   * stays true; a restart resets them as it does every counter).
   */
  forgetOutput(output: string): void {
    this.#concurrency.remove({ output });
    this.#inflight.remove({ output });
    for (const state of OUTPUT_STATES) this.#outputState.remove({ output, state });
  }

  // -- DeliveryObserver

  attempt(output: string, chunk: SealedChunk, inflight: number): void {
    // `inflight` counts the requests already running; this one starts now. The chunk's attempts
    // were counted when it was leased, so more than one means a re-send.
    this.#inflight.set({ output }, inflight + 1);
    if (chunk.attempts > 1) this.#retries.inc({ output });
  }

  outcome(output: string, chunk: SealedChunk, outcome: Outcome, action: ChunkAction): void {
    this.#inflight.dec({ output });
    this.#requests.inc({ output, status_class: statusClass(outcome) });
    this.#requestDuration.observe({ output }, outcome.latencyMs / 1000);
    if (outcome.kind === 'in_doubt') this.#inDoubt.inc({ output });
    switch (action) {
      case 'acked':
        this.#deliveredRecords.inc({ output }, chunk.records);
        this.#deliveredBytes.inc({ output }, chunk.rawBytes);
        this.#deliveryDelay.observe({ output }, Math.max(0, this.#now() - chunk.createdAt) / 1000);
        break;
      case 'parked':
        this.#parked.inc({ output });
        break;
      case 'split':
        this.#split.inc({ output });
        break;
      case 'released':
      case 'lease_lost':
        break;
    }
  }

  stateChange(output: string, _from: OutputState, to: OutputState, _reason?: string, _resumeAt?: number | null): void {
    this.#setState(output, to);
  }

  duplicateRisk(output: string, _chunk?: SealedChunk, _inDoubtForMs?: number): void {
    this.#duplicateRisk.inc({ output });
  }

  concurrency(output: string, limit: number): void {
    this.#concurrency.set({ output }, limit);
  }

  #setState(output: string, current: OutputState): void {
    for (const state of OUTPUT_STATES) this.#outputState.set({ output, state }, state === current ? 1 : 0);
  }
}
