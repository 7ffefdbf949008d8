// fluentd's UDP heartbeat: out_forward with `heartbeat_type udp` sends a datagram to the forward port
// and counts the node alive when one byte comes back. Optional: a failure to bind is logged, not fatal.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { InputContext } from '../types.js';

const HEARTBEAT_REPLY = Buffer.from([0]);

export async function startUdpHeartbeat(bind: string, port: number, log: InputContext['log']): Promise<{ close(): Promise<void> }> {
  const sock: Socket = createSocket({ type: isIPv6(bind) ? 'udp6' : 'udp4' });
  const bound = await new Promise<boolean>((resolve) => {
    sock.once('error', (err) => {
      log('debug', 'forward: UDP heartbeat not available', { bind, port, error: err.message });
      resolve(false);
    });
    sock.bind(port, bind, () => resolve(true));
  });
  if (!bound) {
    try {
      sock.close();
    } catch {
      // already closed by the failed bind
    }
    return { close: async () => {} };
  }
  sock.on('error', (err) => log('debug', 'forward: UDP heartbeat error', { error: err.message }));
  sock.on('message', (_msg, rinfo) => {
    sock.send(HEARTBEAT_REPLY, rinfo.port, rinfo.address);
  });
  return {
    close: () => new Promise<void>((resolve) => sock.close(() => resolve())),
  };
}
