// One generation of the daemon's moving parts, built from one config: inputs, outputs, the delivery
// engine and the seal timer. A SIGHUP builds a new pipeline and stops the old one; the buffer, the
// lock, the admin server and the metrics outlive pipelines.
//
// States: built → started → stopped.
import type { ChunkStore } from '../buffer/store.js';
import type { InputConfig, TdfwdConfig } from '../config/types.js';
import { systemClock, systemRandom } from '../core/clock.js';
import type { LogEvent } from '../core/record.js';
import type { EventSink, PositionUpdate } from '../core/sink.js';
import { DeliveryEngine } from '../delivery/engine.js';
import { combineObservers, type DeliveryObserver } from '../delivery/events.js';
import { startSealTimer } from '../delivery/seal-timer.js';
import type { BufferWriter } from '../ingest/writer.js';
import { createForwardInput } from '../inputs/forward/index.js';
import { createHttpInput } from '../inputs/http/index.js';
import { StdinInput } from '../inputs/stdin.js';
import { createTailInput } from '../inputs/tail/index.js';
import type { Input, InputContext } from '../inputs/types.js';
import type { Output } from '../outputs/types.js';
import { buildOutputs } from './compose.js';
import type { Logger } from './logger.js';

export interface PipelineDeps {
  store: ChunkStore;
  writer: BufferWriter;
  log: Logger;
  observer: DeliveryObserver;
  /** Count records accepted by an input (metrics). */
  onRecords: (input: string, events: readonly LogEvent[]) => void;
}

export class Pipeline {
  readonly config: TdfwdConfig;
  readonly inputs: Input[];
  readonly outputs: Output[];
  readonly engine: DeliveryEngine;
  readonly #deps: PipelineDeps;
  #sealTimer: { stop(): void } | null = null;

  constructor(config: TdfwdConfig, deps: PipelineDeps) {
    this.config = config;
    this.#deps = deps;
    this.outputs = buildOutputs(config.outputs, true);
    this.engine = new DeliveryEngine({
      queue: deps.store,
      outputs: this.outputs,
      clock: systemClock,
      random: systemRandom,
      observer: combineObservers(deps.observer),
      pollMs: 1000,
    });
    this.inputs = config.inputs.map((cfg, i) => this.#createInput(cfg, `${cfg.type}.${i}`));
  }

  #createInput(cfg: InputConfig, name: string): Input {
    const { writer, log, onRecords, store } = this.#deps;
    const sink: EventSink = {
      async write(events: readonly LogEvent[], positions?: readonly PositionUpdate[], signal?: AbortSignal) {
        await writer.write(events, positions, signal);
        onRecords(name, events);
      },
    };
    const ctx: InputContext = {
      sink,
      log: (level, msg, fields) => log[level]({ input: name, ...fields }, msg),
    };
    switch (cfg.type) {
      case 'stdin':
        return new StdinInput(name, cfg, ctx);
      case 'tail':
        return createTailInput(cfg, { ...ctx, positions: store });
      case 'forward':
        return createForwardInput(cfg, ctx);
      case 'http':
        return createHttpInput(cfg, ctx);
    }
  }

  async start(): Promise<void> {
    this.engine.start();
    const { store, log } = this.#deps;
    this.#sealTimer = startSealTimer({
      clock: systemClock,
      random: systemRandom,
      onError: (err) => log.error(`sealing chunks failed: ${(err as Error).message}`),
      intervalMs: this.config.buffer.flushInterval,
      seal: async (olderThanMs: number) => {
        await store.sealOpen(olderThanMs);
        this.engine.wake();
      },
    });
    for (const input of this.inputs) {
      await input.start();
      this.#deps.log.info({ input: input.name }, `input ${input.name} started`);
    }
  }

  /** Stop reading: inputs first, so everything they accepted is committed before delivery stops. */
  async stopInputs(): Promise<void> {
    await Promise.all(this.inputs.map((i) => i.stop().catch((err: Error) => this.#deps.log.error({ input: i.name }, `stopping ${i.name}: ${err.message}`))));
    this.#sealTimer?.stop();
    this.#sealTimer = null;
  }

  async stopDelivery(graceMs: number): Promise<void> {
    await this.engine.stop(graceMs);
  }
}
