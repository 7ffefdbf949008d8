// The syslog input over TCP: a listening server (at most max_connections at once; more are refused
// and logged) and its live connections (connection.ts).
//
// States: created → listening (after start) → stopped (after stop; not restartable).
import { createServer, type Server } from 'node:net';
import { TdfwdError } from '../../core/errors.js';
import type { InputContext } from '../types.js';
import type { SyslogInputConfig } from './config.js';
import { SyslogConnection } from './connection.js';
import { STOP_GRACE_MS, type OnCommitted, type SyslogInput } from './listener.js';

export function createSyslogTcpInput(cfg: SyslogInputConfig, ctx: InputContext, onCommitted: OnCommitted): SyslogInput {
  const connections = new Set<SyslogConnection>();
  const stopping = new AbortController();
  let server: Server | null = null;
  let port = cfg.port;
  let stopped = false;
  let refused = 0;

  return {
    name: `syslog tcp ${cfg.bind}:${cfg.port}`,
    get port() {
      return port;
    },

    async start() {
      if (server) return;
      if (stopped) throw new TdfwdError('IO', 'this syslog input was stopped; create a new one to listen again');
      const srv = createServer((socket) => {
        if (stopped) {
          socket.destroy();
          return;
        }
        const conn = new SyslogConnection(socket, { ...cfg, sink: ctx.sink, signal: stopping.signal, log: ctx.log, onCommitted });
        connections.add(conn);
        void conn.closed.then(() => connections.delete(conn));
      });
      srv.maxConnections = cfg.maxConnections;
      srv.on('drop', (data) => {
        refused += 1;
        // The first refusal and then every 1000th: a flood of reconnects must not flood the log.
        if (refused % 1000 === 1) {
          ctx.log('warn', `syslog: refused a connection: max_connections (${cfg.maxConnections}) are open; raise ${ctx.configPath ?? 'inputs[]'}.max_connections if the senders are legitimate`, { peer: data ? `${data.remoteAddress}:${data.remotePort}` : '?', refused });
        }
      });
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (err: NodeJS.ErrnoException) => {
          reject(new TdfwdError('IO', `the syslog input cannot listen on tcp ${cfg.bind}:${cfg.port} (${err.code ?? err.message}); free the port or change ${ctx.configPath ?? 'inputs[]'}.port`));
        });
        srv.listen(cfg.port, cfg.bind, () => resolve());
      });
      srv.on('error', (err) => ctx.log('error', 'syslog: server error', { error: err.message }));
      server = srv;
      const addr = srv.address();
      if (addr && typeof addr === 'object') port = addr.port;
      ctx.log('info', 'syslog: listening', { protocol: 'tcp', bind: cfg.bind, port });
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      const srv = server;
      server = null;
      const closedServer = srv ? new Promise<void>((resolve) => srv.close(() => resolve())) : Promise.resolve();
      // Messages already received still commit; a write still blocked on a full buffer after the
      // grace period gives up (and is logged with its size).
      const giveUp = setTimeout(() => stopping.abort(), STOP_GRACE_MS);
      await Promise.all([...connections].map((c) => c.stop()));
      clearTimeout(giveUp);
      await closedServer;
    },
  };
}
