// The forward output (fluentd out_forward, Fluent Bit `forward`): each chunk goes to one aggregator
// as one CompressedPackedForward (or PackedForward) frame whose `chunk` option is the chunk key;
// the aggregator's `{ack: key}` is the success. Owns its servers (health, idle connections) and the
// heartbeat timer.
//
// How per-server health maps onto the delivery engine's per-output health: within one attempt, a
// server that fails before the frame was written (refused, reset, TLS or handshake failure) is marked
// failed and the chunk goes at once to another usable server, so one dead aggregator costs the
// others nothing. The engine sees a failure (and backs the whole output off) only when no server is
// usable: every one tried failed, or all are failed / unreachable already. A failure after the frame
// was written (no ack in time, a reset, a wrong ack) marks that server failed and is returned as in
// doubt: the engine re-sends the chunk with the same chunk id, first, and its next probe goes to
// another server.
import type { SealedChunk } from '../../core/chunk.js';
import type { Outcome } from '../../core/outcome.js';
import type { Output } from '../types.js';
import { chooseServer } from './choose.js';
import type { ForwardOutputConfig } from './config.js';
import { buildFrame, type ForwardFrame } from './entries.js';
import { LinkError, type ForwardLink, type SendResult } from './link.js';
import { ForwardServer } from './server.js';
import { forwardTlsOptions } from './tls.js';
import { isLoopback, type OutputNote } from '../outbound-notes.js';

/** What a forward ack counts as in metrics: the protocol has no status, an ack is a 2xx. */
const ACKED_STATUS = 200;
/** A refused handshake pauses the output like HTTP 401 (credentials refused; the data is kept). */
const REFUSED_STATUS = 401;

export interface ForwardOutputDeps {
  random?: () => number;
  now?: () => number;
}

export class ForwardOutput implements Output {
  readonly name: string;
  readonly config: ForwardOutputConfig;
  readonly servers: readonly ForwardServer[];
  readonly notes: readonly OutputNote[];
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #active = new Set<ForwardLink>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(config: ForwardOutputConfig, deps: ForwardOutputDeps = {}) {
    this.name = config.name;
    this.config = config;
    this.notes = forwardNotes(config);
    this.#random = deps.random ?? Math.random;
    this.#now = deps.now ?? Date.now;
    this.servers = config.servers.map(
      (s) =>
        new ForwardServer(
          s,
          {
            host: s.host,
            port: s.port,
            selfHostname: config.selfHostname,
            timeoutMs: config.timeout,
            ...(config.tls ? { tls: forwardTlsOptions(config.tls, s.host) } : {}),
            ...(config.sharedKey !== undefined ? { sharedKey: config.sharedKey } : {}),
          },
          config.retry,
          this.#random,
        ),
    );
    const probeTimeout = Math.min(config.timeout, Math.max(1000, 2 * config.heartbeatInterval));
    this.#heartbeat = setInterval(() => {
      for (const s of this.servers) s.heartbeat(probeTimeout);
    }, config.heartbeatInterval);
    this.#heartbeat.unref();
  }

  async send(chunk: SealedChunk, signal?: AbortSignal): Promise<Outcome> {
    const started = this.#now();
    const latency = () => this.#now() - started;
    let frame: ForwardFrame;
    try {
      frame = await buildFrame(chunk, this.config.compress, this.config.requireAckResponse ? chunk.key : null);
    } catch (err) {
      return { kind: 'park', reason: `the chunk's payload cannot be decoded: ${(err as Error).message}`, latencyMs: latency() };
    }
    const tried = new Set<ForwardServer>();
    const failures: string[] = [];
    let refusals = 0;
    for (;;) {
      const now = this.#now();
      const server = chooseServer(
        this.servers.filter((s) => !tried.has(s) && s.usable(now)),
        this.#random,
      );
      if (!server || signal?.aborted) break;
      tried.add(server);
      const r = await this.#sendTo(server, frame, chunk.key, signal);
      if (r.kind === 'acked') {
        server.onSuccess();
        return { kind: 'success', status: ACKED_STATUS, latencyMs: latency() };
      }
      server.onFailure(this.#now(), r.reason);
      const reason = `${server.label}: ${r.reason}`;
      if (r.kind === 'in_doubt') return { kind: 'in_doubt', reason, latencyMs: latency() };
      if (r.kind === 'refused') refusals++;
      failures.push(reason);
    }
    if (failures.length > 0 && refusals === failures.length) {
      return { kind: 'pause', reason: failures.join('; '), status: REFUSED_STATUS, latencyMs: latency() };
    }
    const now = this.#now();
    const down = this.servers.filter((s) => !tried.has(s)).map((s) => s.downReason(now));
    const reason =
      failures.length > 0 ? [...failures, ...down].join('; ') : `no forward server is usable: ${down.join('; ')}`;
    return { kind: 'retry', reason, backpressure: false, latencyMs: latency() };
  }

  async #sendTo(server: ForwardServer, frame: ForwardFrame, key: string, signal?: AbortSignal): Promise<SendResult> {
    let link: ForwardLink;
    try {
      link = await server.acquire(signal);
    } catch (err) {
      if (err instanceof LinkError) return { kind: err.kind, reason: err.message };
      return { kind: 'not_sent', reason: (err as Error).message };
    }
    this.#active.add(link);
    try {
      const ackId = this.config.requireAckResponse ? key : null;
      const r = await link.send(frame.pieces, ackId, this.config.ackResponseTimeout, signal);
      if (r.kind === 'acked') server.release(link);
      return r;
    } finally {
      this.#active.delete(link);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const link of this.#active) link.destroy('output closed');
    for (const s of this.servers) s.close();
  }
}

/** What the output says once at start: an unchecked certificate, or a shared key and data in the clear off this host. */
export function forwardNotes(config: ForwardOutputConfig): OutputNote[] {
  const notes: OutputNote[] = [];
  const remote = config.servers.filter((s) => !isLoopback(s.host)).map((s) => `${s.host}:${s.port}`);
  if (config.tls?.verify === false) {
    notes.push({ level: 'warn', message: `${config.name}: tls.verify is false: the aggregators' certificates are not checked, so anyone on the path can read the data; trust their CA with tls.ca_file instead` });
  }
  if (config.tls === undefined && remote.length > 0) {
    notes.push({ level: 'info', message: `${config.name}: records go in the clear to ${remote.join(', ')}${config.sharedKey !== undefined ? ' (the shared key only authenticates; set tls to encrypt)' : ''}` });
  }
  return notes;
}
