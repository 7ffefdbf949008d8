// The daemon: the composition root of `tdfwd run`. Owns the buffer lock, the chunk store, the buffer
// writer, the metrics, the admin server and the current Pipeline; handles reload, flush-now and the
// graceful stop.
//
// States: starting → running ⇄ reloading → stopping → stopped.
// Stop: inputs stop (everything they acknowledged is committed), open chunks are sealed, delivery goes
// on for up to shutdown_timeout, then in-flight requests are aborted (their chunks stay, in doubt) and
// the buffer is closed. Whatever is left is durable for the next start.
import { TdfwdMetrics } from '../admin/metrics.js';
import { startAdminServer, type AdminServer } from '../admin/server.js';
import type { ChunkStore } from '../buffer/store.js';
import { loadConfig } from '../config/load.js';
import type { TdfwdConfig } from '../config/types.js';
import { ConfigError, DiskFullError } from '../core/errors.js';
import { combineObservers } from '../delivery/events.js';
import { persistOutputState } from '../delivery/persist-state.js';
import { FilterSlot } from '../filters/index.js';
import { PartEncoder } from '../ingest/encoder.js';
import { BufferWriter } from '../ingest/writer.js';
import { Router } from '../router/router.js';
import { openStore } from './open-store.js';
import { DaemonLock } from './lock.js';
import { setLoggerSecrets, throttledLog, type Logger } from './logger.js';
import { deliveryLogObserver } from './log-observer.js';
import type { StdinInput } from '../inputs/stdin.js';
import { Pipeline } from './pipeline.js';
import { PositionSweep } from './position-sweep.js';
import { statusJson, type OutputStateView, type StatusJson } from './status-json.js';

/** Tail positions not moved for this long, of files missing at two sweeps in a row, are forgotten. */
const POSITION_STALE_MS = 24 * 3600_000;
const POSITION_SWEEP_EVERY_MS = 3600_000;

export interface DaemonOptions {
  configFile: string;
  bufferFlag?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
}

export class Daemon {
  readonly #opts: DaemonOptions;
  readonly #log: Logger;
  readonly #lock: DaemonLock;
  readonly #store: ChunkStore;
  readonly #writer: BufferWriter;
  /** Lines and forward entries are encoded by it (compressed on the zlib pool); it outlives pipelines (SIGHUP). */
  readonly #encoder: PartEncoder;
  /** The running pipeline's filters, for the encoder (it outlives pipelines). */
  readonly #filterSlot = new FilterSlot();
  readonly metrics = new TdfwdMetrics();
  #pipeline: Pipeline;
  #admin: AdminServer | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  #sweepTimer: NodeJS.Timeout | null = null;
  readonly #positionSweep: PositionSweep;
  #state: 'starting' | 'running' | 'reloading' | 'stopping' | 'stopped' = 'starting';
  #reloading: Promise<boolean> | null = null;
  readonly #warnedTags = new Set<string>();
  /** Failures that repeat with every event or tick, logged at most every 30 s. */
  readonly #throttled: ReturnType<typeof throttledLog>;
  #router: Router<string>;

  private constructor(opts: DaemonOptions, config: TdfwdConfig, lock: DaemonLock, store: ChunkStore) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#throttled = throttledLog(opts.log);
    this.#lock = lock;
    this.#store = store;
    this.#writer = new BufferWriter(store, {
      onBlocked: (m, cause) =>
        this.#log.warn(cause === 'disk' ? `${m}; inputs are paused until it can write again` : `${m}; inputs are paused until delivery makes room`),
      // A full disk is a full buffer: inputs wait, unless the overflow action says reject.
      waitOnDiskFull: () => store.limits.overflowAction !== 'throw_exception',
      onRefusing: (cause) => {
        this.metrics.writesBlocked('buffer_full', cause === 'buffer');
        this.metrics.writesBlocked('disk_full', cause === 'disk');
      },
    });
    this.#encoder = new PartEncoder({ limits: () => this.#writer.partLimits, filter: this.#filterSlot });
    this.#router = routerOf(config);
    this.#pipeline = this.#buildPipeline(config);
    this.#positionSweep = new PositionSweep(store, POSITION_STALE_MS);
  }

  static async start(opts: DaemonOptions): Promise<Daemon> {
    const config = loadConfig({ file: opts.configFile, env: opts.env, forDaemon: true, ...(opts.bufferFlag ? { bufferFlag: opts.bufferFlag } : {}) });
    setLoggerSecrets(opts.log, config.secrets);
    const store = openStore(config.buffer);
    let lock: DaemonLock;
    try {
      lock = DaemonLock.acquire(config.buffer.path);
    } catch (err) {
      await store.close();
      throw err;
    }
    const daemon = new Daemon(opts, config, lock, store);
    try {
      await daemon.#startAll(config);
    } catch (err) {
      await daemon.stop('start failed', 0).catch(() => {});
      throw err;
    }
    return daemon;
  }

  get config(): TdfwdConfig {
    return this.#pipeline.config;
  }

  get adminUrl(): string | null {
    return this.#admin?.url ?? null;
  }

  #buildPipeline(config: TdfwdConfig, stdin: StdinInput | null = null): Pipeline {
    const observer = combineObservers(
      this.metrics,
      deliveryLogObserver(this.#log),
      persistOutputState(
        this.#store,
        config.outputs.map((o) => ({ name: o.name, concurrency: o.concurrency.adaptive ? 1 : o.concurrency.max })),
        (err) => this.#throttled('warn', `saving output state in the buffer failed: ${err.message}`),
      ),
    );
    return new Pipeline(config, {
      store: this.#store,
      writer: this.#writer,
      log: this.#log,
      stdin,
      observer,
      encoder: this.#encoder,
      onRecords: (input, events) => {
        const byTag = new Map<string, number>();
        for (const e of events) byTag.set(e.tag, (byTag.get(e.tag) ?? 0) + 1);
        for (const [tag, n] of byTag) this.#recordsIn(input, tag, n);
      },
      onTagRecords: (input, tag, n) => this.#recordsIn(input, tag, n),
      onParseErrors: (input, n) => this.metrics.parseErrors(input, n),
      onFilterDropped: (filter, n) => this.metrics.filterDropped(filter, n),
      filterSlot: this.#filterSlot,
    });
  }

  #recordsIn(input: string, tag: string, n: number): void {
    this.metrics.recordsIn(input, tag, n);
    if (this.#router.route(tag) === null) this.#unrouted(tag, n);
  }

  #unrouted(tag: string, n: number): void {
    this.metrics.unroutedRecords(tag, n);
    if (this.#warnedTags.has(tag) || this.#warnedTags.size > 1000) return;
    this.#warnedTags.add(tag);
    this.#log.warn({ tag }, `no output matches tag "${tag}": its records stay buffered until an output matches (edit the config, then SIGHUP)`);
  }

  async #startAll(config: TdfwdConfig): Promise<void> {
    try {
      this.#store.reclaimLeases();
      await this.#store.sealOpen(Date.now() - config.buffer.flushInterval);
    } catch (err) {
      // A full disk must not keep the daemon down: it starts with its inputs waiting, and the seal
      // timer and delivery retry (they free space as chunks are delivered).
      if (!(err instanceof DiskFullError)) throw err;
      this.#log.warn(`starting anyway: ${err.message}`);
    }
    this.#trackOutputs(config);
    await this.#pipeline.start();
    if (config.admin.listen) {
      this.#admin = await startAdminServer({
        listen: config.admin.listen,
        metrics: this.metrics,
        status: () => this.status(),
        flush: () => this.flushNow(),
      });
      this.#log.info({ admin: this.#admin.url }, `admin listening on ${this.#admin.url}`);
    }
    this.#statsTimer = setInterval(() => this.#refreshStats(), 2000);
    this.#statsTimer.unref();
    this.#refreshStats();
    this.#sweepPositions();
    this.#sweepTimer = setInterval(() => this.#sweepPositions(), POSITION_SWEEP_EVERY_MS);
    this.#sweepTimer.unref();
    this.#state = 'running';
    this.#log.info(
      { buffer: config.buffer.path, inputs: config.inputs.length, outputs: config.outputs.length },
      `tdfwd daemon running: ${config.inputs.length} inputs, ${config.outputs.length} outputs, buffer ${config.buffer.path}`,
    );
  }

  /**
   * The outputs' gauges as their delivery starts (after the previous pipeline's delivery stopped, so
   * its last answers do not count against the new one): healthy, the starting concurrency limit,
   * nothing in flight. Outputs `before` had and `config` has not lose their gauges.
   */
  #trackOutputs(config: TdfwdConfig, before?: TdfwdConfig): void {
    const names = new Set(config.outputs.map((o) => o.name));
    for (const o of before?.outputs ?? []) if (!names.has(o.name)) this.metrics.forgetOutput(o.name);
    for (const o of config.outputs) this.metrics.trackOutput(o.name, 'healthy', o.concurrency.adaptive ? 1 : o.concurrency.max);
  }

  #sweepPositions(): void {
    try {
      const gone = this.#positionSweep.sweep(Date.now());
      if (gone.length > 0) {
        this.#log.info({ files: gone.length, paths: gone.slice(0, 10) }, `forgot the tail positions of ${gone.length} files gone for over a day`);
      }
    } catch (err) {
      this.#log.error(`sweeping tail positions failed: ${(err as Error).message}`);
    }
  }

  #refreshStats(): void {
    try {
      this.metrics.setBufferStats(this.#store.stats());
    } catch (err) {
      this.#throttled('error', `reading buffer stats failed: ${(err as Error).message}`);
    }
  }

  status(): StatusJson & { daemon: { pid: number; state: string; admin: string | null } } {
    const states = new Map<string, OutputStateView>(this.#pipeline.engine.status().map((s) => [s.name, s]));
    const json = statusJson(this.config.buffer.path, this.#store.stats(), this.#store.counters(), this.config.outputs, states);
    return { ...json, daemon: { pid: process.pid, state: this.#state, admin: this.adminUrl } };
  }

  /** SIGUSR1 / POST /api/flush: seal every open chunk and look for work now. */
  async flushNow(): Promise<{ sealed: boolean }> {
    await this.#store.sealOpen();
    this.#pipeline.engine.wake();
    this.#log.info('flush requested: open chunks sealed, delivery woken');
    return { sealed: true };
  }

  /** SIGHUP: load the config again; an invalid one is refused and the old one kept. */
  reload(): Promise<boolean> {
    if (this.#reloading) return this.#reloading;
    this.#reloading = this.#reload().finally(() => (this.#reloading = null));
    return this.#reloading;
  }

  async #reload(): Promise<boolean> {
    if (this.#state !== 'running') return false;
    let next: TdfwdConfig;
    let fresh: Pipeline;
    const old = this.#pipeline;
    const stdin = old.stdin;
    try {
      next = loadConfig({ file: this.#opts.configFile, env: this.#opts.env, forDaemon: true, ...(this.#opts.bufferFlag ? { bufferFlag: this.#opts.bufferFlag } : {}) });
      if (next.buffer.path !== this.config.buffer.path) throw new ConfigError('buffer.path', 'cannot change on reload; restart the daemon to move the buffer');
      fresh = this.#buildPipeline(next, stdin); // outputs are checked here (e.g. a td output without apikey)
    } catch (err) {
      this.#log.error({ err: (err as Error).message }, `reload refused, the running config is kept: ${(err as Error).message}`);
      return false;
    }
    if (next.admin.listen !== this.config.admin.listen) this.#log.warn('admin.listen changed: it takes effect at the next restart');
    const keep = stdin && fresh.inputs.includes(stdin) ? stdin : null;
    if (keep && JSON.stringify(old.config.inputs.find((i) => i.type === 'stdin')) !== JSON.stringify(next.inputs.find((i) => i.type === 'stdin'))) {
      this.#log.warn('the stdin input keeps its tag and format until the next restart (stdin cannot be reopened)');
    }
    this.#state = 'reloading';
    try {
      // Inputs are switched first and delivery after, so inputs are closed only while the old ones
      // release their ports, not while the old delivery finishes its requests.
      await old.stopInputs(keep);
      let running = fresh;
      let failure: Error | null = null;
      try {
        await fresh.startInputs();
      } catch (err) {
        // e.g. a new port already in use: go back to the old config's inputs.
        failure = err as Error;
        await fresh.stopInputs(keep);
        running = this.#buildPipeline(old.config, keep);
        await running.startInputs();
      }
      this.#apply(running.config);
      this.#pipeline = running;
      await old.stopDelivery(5000);
      this.#trackOutputs(running.config, old.config);
      running.startDelivery();
      if (failure) {
        this.#log.error({ err: failure.message }, `reload failed, the previous config runs again: ${failure.message}`);
        return false;
      }
      this.#log.info(`config reloaded: ${next.inputs.length} inputs, ${next.outputs.length} outputs`);
      return true;
    } catch (err) {
      this.#log.error(`reload failed while switching; restart the daemon: ${(err as Error).message}`);
      return false;
    } finally {
      this.#state = 'running';
    }
  }

  /** What a config changes outside the pipeline: buffer limits, log masking, routing. */
  #apply(config: TdfwdConfig): void {
    this.#store.setLimits({
      chunkLimitSize: config.buffer.chunkLimitSize,
      chunkLimitRecords: config.buffer.chunkLimitRecords,
      totalLimitSize: config.buffer.totalLimitSize,
      overflowAction: config.buffer.overflowAction,
    });
    setLoggerSecrets(this.#log, config.secrets);
    this.#router = routerOf(config);
    this.#warnedTags.clear();
  }

  /**
   * The process is about to exit without a graceful stop (a second SIGTERM): give up the pid file so
   * the next start does not have to judge it stale. Committed data is durable in SQLite's WAL;
   * leased chunks are reclaimed by the next start (their owner is dead).
   */
  abandon(): void {
    this.#lock.release();
  }

  /** Graceful stop within graceMs; returns once the buffer is closed. */
  async stop(reason: string, graceMs: number = this.config.shutdownTimeout): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.#log.info(`stopping (${reason}): inputs first, then delivering for up to ${graceMs} ms`);
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    await this.#reloading?.catch(() => {});
    const p = this.#pipeline;
    await p.stopInputs();
    await this.#encoder.close(); // the inputs are stopped: no job is left for it
    try {
      await this.#store.sealOpen();
      const result = await p.engine.drain(graceMs);
      if (!result.complete) this.#log.warn('shutdown_timeout reached: the rest stays buffered for the next start');
    } catch (err) {
      this.#log.error(`delivery during shutdown failed: ${(err as Error).message}`);
    }
    await p.stopDelivery(0);
    await this.#admin?.close();
    const left = this.#store.stats();
    await this.#store.close();
    this.#lock.release();
    this.#state = 'stopped';
    this.#log.info({ pending_records: left.pendingRecords, parked_chunks: left.chunks.parked }, `stopped; ${left.pendingRecords} records stay buffered`);
  }
}

function routerOf(config: TdfwdConfig): Router<string> {
  return new Router(config.outputs.map((o) => ({ pattern: o.match, target: o.name })));
}
