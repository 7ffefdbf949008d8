// One generation of the daemon's moving parts, built from one config: inputs, filters, outputs, the
// delivery engine and the seal timer. A SIGHUP builds a new pipeline and stops the old one; the buffer, the
// lock, the admin server and the metrics outlive pipelines. So does the stdin input: the process's
// stdin can be read by one reader only (a second one would lose the first one's partial line, and
// ending the first one's read destroys the stream), so a running stdin input is carried over.
//
// States: built → started → stopped.
import type { ChunkStore } from '../buffer/store.js';
import type { InputConfig, TdfwdConfig } from '../config/types.js';
import { systemClock, systemRandom } from '../core/clock.js';
import type { LogEvent } from '../core/record.js';
import type { Encoder } from '../core/encoder.js';
import type { EncodedPart, EventSink, PositionUpdate } from '../core/sink.js';
import { DeliveryEngine } from '../delivery/engine.js';
import { combineObservers, type DeliveryObserver } from '../delivery/events.js';
import { startSealTimer } from '../delivery/seal-timer.js';
import { FilterChain, type FilterSlot } from '../filters/index.js';
import type { BufferWriter } from '../ingest/writer.js';
import { createForwardInput } from '../inputs/forward/index.js';
import { createHttpInput } from '../inputs/http/index.js';
import { StdinInput } from '../inputs/stdin.js';
import { createSyslogInput } from '../inputs/syslog/index.js';
import { createTailInput } from '../inputs/tail/index.js';
import type { Input, InputContext } from '../inputs/types.js';
import type { Output } from '../outputs/types.js';
import { buildOutputs } from './compose.js';
import { throttledLog, type Logger } from './logger.js';

/**
 * Bytes of lines in one tail commit at most. 1 MiB: with parts compressed by the encoder a
 * commit is small either way; 4 MiB blocks ran at the same speed with ~5 MB more peak RSS (bench:daemon).
 */
const TAIL_BATCH_BYTES = 1024 * 1024;

export interface PipelineDeps {
  store: ChunkStore;
  writer: BufferWriter;
  log: Logger;
  observer: DeliveryObserver;
  /** Count records accepted by an input (metrics). */
  onRecords: (input: string, events: readonly LogEvent[]) => void;
  /** The same, for `n` records of one tag committed as encoded parts. */
  onTagRecords: (input: string, tag: string, n: number) => void;
  /** Count lines an input could not parse (committed as `{message, _parse_error}`). */
  onParseErrors: (input: string, n: number) => void;
  /** Count records a filter dropped (`filters[1]`). */
  onFilterDropped?: (filter: string, n: number) => void;
  /** Where the encoder finds the current pipeline's filters (set as the inputs start). */
  filterSlot?: FilterSlot;
  /** Parses, encodes and compresses lines and forward entries (one for the daemon's lifetime). */
  encoder: Encoder;
  /** The previous pipeline's running stdin input, kept instead of creating a second reader. */
  stdin?: StdinInput | null;
}

export class Pipeline {
  readonly config: TdfwdConfig;
  readonly inputs: Input[];
  readonly outputs: Output[];
  readonly engine: DeliveryEngine;
  /** The config's filters: applied to records in the sink here, and to encoded blocks by the encoder. */
  readonly filters: FilterChain;
  readonly #deps: PipelineDeps;
  /** Inputs already running when this pipeline was built (the carried-over stdin input). */
  readonly #carried = new Set<Input>();
  #sealTimer: { stop(): void } | null = null;

  constructor(config: TdfwdConfig, deps: PipelineDeps) {
    this.config = config;
    this.#deps = deps;
    this.outputs = buildOutputs(config.outputs, true, (n) => deps.log[n.level](n.message));
    this.filters = new FilterChain(config.filters, { ...(deps.onFilterDropped ? { onDropped: deps.onFilterDropped } : {}) });
    this.engine = new DeliveryEngine({
      queue: deps.store,
      outputs: this.outputs,
      clock: systemClock,
      random: systemRandom,
      observer: combineObservers(deps.observer),
      pollMs: 1000,
      routing: config.routing,
    });
    this.inputs = config.inputs.map((cfg, i) => this.#createInput(cfg, `${cfg.type}.${i}`, `inputs[${i}]`));
  }

  #createInput(cfg: InputConfig, name: string, configPath: string): Input {
    const { writer, log, onRecords, onTagRecords, onParseErrors, store, encoder } = this.#deps;
    const filters = this.filters;
    const sink: EventSink = {
      // Records held as objects are filtered here; encoded parts were filtered by the encoder.
      async write(events: readonly LogEvent[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
        const kept = filters.applyEvents(events);
        if (kept.length === 0 && (positions === undefined || positions.length === 0)) return;
        await writer.write(kept, positions, signal);
        onRecords(name, kept);
      },
      async writeParts(parts: readonly EncodedPart[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
        await writer.writeParts(parts, positions, signal);
        const byTag = new Map<string, number>();
        for (const p of parts) byTag.set(p.tag, (byTag.get(p.tag) ?? 0) + p.records);
        for (const [tag, n] of byTag) onTagRecords(name, tag, n);
      },
    };
    const ctx: InputContext = {
      sink,
      log: (level, msg, fields) => log[level]({ input: name, ...fields }, msg),
      configPath,
      onParseErrors: (n) => onParseErrors(name, n),
    };
    switch (cfg.type) {
      case 'stdin': {
        const running = this.#deps.stdin;
        if (!running) return new StdinInput(name, cfg, { ...ctx, encoder });
        this.#carried.add(running);
        return running;
      }
      case 'tail':
        // A batch must fit the buffer several times over, or a small total_limit_size could never take it.
        return createTailInput(cfg, {
          ...ctx,
          positions: store,
          maxBatchBytes: Math.max(4096, Math.min(TAIL_BATCH_BYTES, Math.floor(this.config.buffer.totalLimitSize / 4))),
          encoder,
        });
      case 'forward':
        return createForwardInput(cfg, { ...ctx, encoder });
      case 'http':
        return createHttpInput(cfg, ctx);
      case 'syslog':
        return createSyslogInput(cfg, ctx);
    }
  }

  async start(): Promise<void> {
    this.startDelivery();
    await this.startInputs();
  }

  /** The delivery engine and the seal timer. */
  startDelivery(): void {
    this.engine.start();
    const { store, log } = this.#deps;
    const throttled = throttledLog(log);
    this.#sealTimer = startSealTimer({
      clock: systemClock,
      random: systemRandom,
      onError: (err) => throttled('error', `sealing chunks failed: ${(err as Error).message}`),
      intervalMs: this.config.buffer.flushInterval,
      seal: async (olderThanMs: number) => {
        await store.sealOpen(olderThanMs);
        this.engine.wake();
      },
    });
  }

  /** Start the inputs in order; on a failure the ones started stay running (stopInputs stops them). */
  async startInputs(): Promise<void> {
    this.#deps.filterSlot?.use(this.filters);
    for (const input of this.inputs) {
      if (this.#carried.has(input)) continue;
      await input.start();
      // A port configured as 0 is only known now: say which one was bound.
      const port = 'port' in input && typeof input.port === 'number' ? input.port : null;
      this.#deps.log.info({ input: input.name, ...(port !== null ? { port } : {}) }, `input ${input.name} started${port !== null ? ` on port ${port}` : ''}`);
    }
  }

  /** The running stdin input, if any: the next pipeline carries it over. */
  get stdin(): StdinInput | null {
    return this.inputs.find((i): i is StdinInput => i instanceof StdinInput) ?? null;
  }

  /**
   * Stop reading: inputs first, so everything they accepted is committed before delivery stops.
   * `keep` stays running (handed to the next pipeline).
   */
  async stopInputs(keep: Input | null = null): Promise<void> {
    const stopping = this.inputs.filter((i) => i !== keep);
    await Promise.all(stopping.map((i) => i.stop().catch((err: Error) => this.#deps.log.error({ input: i.name }, `stopping ${i.name}: ${err.message}`))));
  }

  async stopDelivery(graceMs: number): Promise<void> {
    this.#sealTimer?.stop();
    this.#sealTimer = null;
    await this.engine.stop(graceMs);
  }
}
