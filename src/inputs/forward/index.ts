// The forward input: a TCP server speaking fluent forward protocol v1 (fluentd in_forward), or a TLS
// server with `tls` (fluentd's <transport tls>; with tls.ca_file, clients must present a certificate
// signed by it), plus the optional UDP heartbeat on the same port. Owns the listening sockets and the set of live
// connections; each connection owns its own reading, batching and acking (connection.ts).
//
// States: created → listening (after start) → stopped (after stop; not restartable).
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { ForwardInputConfig } from '../../config/types.js';
import { TdfwdError } from '../../core/errors.js';
import type { Encoder } from '../../core/encoder.js';
import type { Input, InputContext } from '../types.js';
import { ForwardConnection } from './connection.js';
import { startUdpHeartbeat } from './heartbeat.js';
import { createTlsServer } from './tls.js';

export type ForwardInput = Input & { readonly port: number };

export interface ForwardInputContext extends InputContext {
  /** Turns the frames' entries into compressed parts (the daemon's, shared by its inputs). */
  encoder: Encoder;
}

export function createForwardInput(cfg: ForwardInputConfig, ctx: ForwardInputContext): ForwardInput {
  const connections = new Set<ForwardConnection>();
  const stopping = new AbortController();
  const selfHostname = cfg.selfHostname || hostname();
  let server: Server | null = null;
  let heartbeat: { close(): Promise<void> } | null = null;
  let port = cfg.port;
  let stopped = false;

  const input: ForwardInput = {
    name: `forward ${cfg.bind}:${cfg.port}`,
    get port() {
      return port;
    },

    async start() {
      if (server) return;
      if (stopped) throw new TdfwdError('IO', 'this forward input was stopped; create a new one to listen again');
      const onSocket = (socket: Socket): void => {
        if (stopped) {
          socket.destroy();
          return;
        }
        const conn = new ForwardConnection(socket, {
          sink: ctx.sink,
          log: ctx.log,
          sharedKey: cfg.sharedKey,
          selfHostname,
          signal: stopping.signal,
          encoder: ctx.encoder,
        });
        connections.add(conn);
        void conn.closed.then(() => connections.delete(conn));
      };
      const srv = cfg.tls ? createTlsServer(cfg.tls, onSocket, ctx.log) : createServer({ allowHalfOpen: true }, onSocket);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => {
          reject(
            new TdfwdError(
              'IO',
              `the forward input cannot listen on ${cfg.bind}:${cfg.port} (${err.code ?? err.message}); ` +
                `free the port or change ${ctx.configPath ?? 'inputs[]'}.port`,
            ),
          );
        });
        srv.listen(cfg.port, cfg.bind, () => resolve());
      });
      srv.on('error', (err) => ctx.log('error', 'forward: server error', { error: err.message }));
      server = srv;
      const addr = srv.address();
      if (addr && typeof addr === 'object') port = addr.port;
      heartbeat = await startUdpHeartbeat(cfg.bind, port, ctx.log);
      ctx.log('info', 'forward: listening', {
        bind: cfg.bind,
        port,
        shared_key: cfg.sharedKey !== undefined,
        tls: cfg.tls ? (cfg.tls.caFile ? 'client certificates required' : 'on') : 'off',
      });
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      const srv = server;
      server = null;
      const closedServer = srv ? new Promise<void>((resolve) => srv.close(() => resolve())) : Promise.resolve();
      // Writes that can commit still commit (and are acked); a write blocked on a full buffer gives up.
      stopping.abort();
      await Promise.all([...connections].map((c) => c.drain()));
      await closedServer;
      await heartbeat?.close();
      heartbeat = null;
    },
  };
  return input;
}
