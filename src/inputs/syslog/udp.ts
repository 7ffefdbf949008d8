// The syslog input over UDP: one datagram = one message. UDP gives no delivery guarantee: a datagram
// lost on the network or in the kernel's receive buffer is never known. While the buffer blocks, at
// most MAX_BACKLOG_BYTES of datagrams wait in memory; the ones after that are dropped, counted and
// logged (the socket cannot be paused: the kernel would drop them anyway).
//
// States: created → bound (after start) → stopped (after stop; not restartable).
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { TdfwdError } from '../../core/errors.js';
import type { InputContext } from '../types.js';
import { EventBatcher } from './batcher.js';
import type { SyslogInputConfig } from './config.js';
import { messageEvent } from './event.js';
import { STOP_GRACE_MS, type OnCommitted, type SyslogInput } from './listener.js';

const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
/** Log dropped datagrams at most this often. */
const DROP_LOG_INTERVAL_MS = 10_000;

export function createSyslogUdpInput(cfg: SyslogInputConfig, ctx: InputContext, onCommitted: OnCommitted): SyslogInput {
  const stopping = new AbortController();
  const batcher = new EventBatcher({
    sink: ctx.sink,
    signal: stopping.signal,
    onCommitted,
    onFailed: (err, records) => ctx.log('error', 'syslog: messages could not be stored and are lost', { protocol: 'udp', records, error: err.message }),
    lowWater: MAX_BACKLOG_BYTES,
  });
  let socket: Socket | null = null;
  let port = cfg.port;
  let stopped = false;
  let dropped = 0;
  let lastDropLog = 0;

  function onMessage(msg: Buffer): void {
    if (stopped) return;
    if (batcher.backlog >= MAX_BACKLOG_BYTES) {
      dropped += 1;
      const now = Date.now();
      if (now - lastDropLog >= DROP_LOG_INTERVAL_MS) {
        lastDropLog = now;
        ctx.log('warn', 'syslog: dropped UDP messages while the buffer could not take them (UDP has no backpressure; use protocol: tcp to slow senders down instead)', { dropped });
      }
      return;
    }
    const truncated = msg.length > cfg.maxMessageSize;
    const data = truncated ? msg.subarray(0, cfg.maxMessageSize) : msg;
    const { event, parseError } = messageEvent(data, truncated ? msg.length : undefined, cfg, Date.now());
    batcher.add(event, parseError, data.length);
  }

  return {
    name: `syslog udp ${cfg.bind}:${cfg.port}`,
    get port() {
      return port;
    },

    async start() {
      if (socket) return;
      if (stopped) throw new TdfwdError('IO', 'this syslog input was stopped; create a new one to listen again');
      const sock = createSocket({ type: isIPv6(cfg.bind) ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', (err: NodeJS.ErrnoException) => {
          reject(new TdfwdError('IO', `the syslog input cannot listen on udp ${cfg.bind}:${cfg.port} (${err.code ?? err.message}); free the port or change ${ctx.configPath ?? 'inputs[]'}.port`));
        });
        sock.bind(cfg.port, cfg.bind, () => resolve());
      });
      try {
        // Bursts wait in the kernel until read: ask for 4 MiB (Linux caps it at net.core.rmem_max).
        sock.setRecvBufferSize(RECV_BUFFER_BYTES);
      } catch (err) {
        ctx.log('debug', 'syslog: could not enlarge the UDP receive buffer', { error: (err as Error).message });
      }
      sock.on('error', (err) => ctx.log('error', 'syslog: socket error', { protocol: 'udp', error: err.message }));
      sock.on('message', onMessage);
      socket = sock;
      port = sock.address().port;
      ctx.log('info', 'syslog: listening', { protocol: 'udp', bind: cfg.bind, port });
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      const sock = socket;
      socket = null;
      if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
      const giveUp = setTimeout(() => stopping.abort(), STOP_GRACE_MS);
      await batcher.idle();
      clearTimeout(giveUp);
      if (dropped > 0) ctx.log('warn', 'syslog: UDP messages were dropped while the buffer could not take them', { dropped });
    },
  };
}
