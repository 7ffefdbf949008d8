// A forward-protocol aggregator for the forward output's tests: a raw TCP (or TLS) server on port 0
// that decodes each frame with the project's own codec and answers as told: ack it, drop the
// connection before acking, ack a wrong id, or stay silent. With a shared key it runs the server side
// of the HELO/PING/PONG handshake (src/inputs/forward/handshake.ts).
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { valueEnd } from '../../src/codec/forward-scan.js';
import { decodePing, readEntriesFrame } from '../../src/codec/forward-frame.js';
import { referenceRecords } from './forward-decode.js';
import { decodeOne, packOne } from '../../src/codec/msgpack.js';
import type { LogEvent } from '../../src/core/record.js';
import { answerPing, newHandshake } from '../../src/inputs/forward/handshake.js';

export type Answer = 'ack' | 'drop' | 'wrong-ack' | 'silent';

export interface ReceivedFrame {
  tag: string;
  events: LogEvent[];
  chunk: string | undefined;
  /** CompressedPackedForward (gzip) rather than PackedForward. */
  compressed: boolean;
  /** The frame is PackedForward or CompressedPackedForward. */
  packed: boolean;
  /** The frame's `size` option. */
  size: unknown;
}

export interface AggregatorOptions {
  port?: number;
  /** How to answer the n-th frame (0-based, over all connections). Default: ack. */
  answer?: (frame: ReceivedFrame, n: number) => Answer;
  /** Acks wait until this many frames have arrived (over all connections), then all go out. */
  holdAcksUntil?: number;
  sharedKey?: string;
  hostname?: string;
  tls?: { cert: string; key: string };
}

export interface Aggregator {
  port: number;
  frames: ReceivedFrame[];
  /** Connections accepted (heartbeats included). */
  connections: number;
  /** Handshakes refused. */
  refused: number;
  /** TLS servers: connections that ended before or in a failed TLS handshake. */
  tlsErrors: number;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

export async function startAggregator(opts: AggregatorOptions = {}): Promise<Aggregator> {
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];
  const agg: Aggregator = {
    port: 0,
    frames: [],
    connections: 0,
    refused: 0,
    tlsErrors: 0,
    get open() {
      return sockets.size;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const onSocket = (socket: Socket) => {
    agg.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const hs = opts.sharedKey !== undefined ? newHandshake() : null;
    let authed = hs === null;
    if (hs) socket.write(hs.helo);
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      try {
        readFrames();
      } catch {
        socket.destroy(); // not the forward protocol (a TLS hello on the plain port): closed, as the real input does
      }
    });
    const readFrames = () => {
      for (;;) {
        if (buf.length === 0) return;
        const end = valueEnd(buf, 0);
        if (end < 0) return;
        const raw = buf.subarray(0, end);
        buf = buf.subarray(end);
        if (!authed && hs) {
          const r = answerPing(decodePing(raw), hs, opts.sharedKey ?? '', opts.hostname ?? 'aggregator');
          socket.write(r.pong);
          if (!r.ok) {
            agg.refused++;
            socket.end();
            return;
          }
          authed = true;
          continue;
        }
        const frame = receivedFrame(raw);
        const n = agg.frames.length;
        agg.frames.push(frame);
        const answer = opts.answer?.(frame, n) ?? 'ack';
        if (answer === 'ack' && frame.chunk !== undefined) {
          const ack = packOne({ ack: frame.chunk });
          held.push(() => socket.write(ack));
          if (agg.frames.length >= (opts.holdAcksUntil ?? 0)) for (const send of held.splice(0)) send();
        }
        else if (answer === 'wrong-ack') socket.write(packOne({ ack: 'not-the-chunk-you-sent' }));
        else if (answer === 'drop') {
          socket.destroy();
          return;
        }
      }
    };
  };
  const server: Server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key }, onSocket) : createTcpServer(onSocket);
  server.on('tlsClientError', () => agg.tlsErrors++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  agg.port = addr && typeof addr === 'object' ? addr.port : 0;
  return agg;
}

function receivedFrame(raw: Buffer): ReceivedFrame {
  const frame = readEntriesFrame(raw);
  const events: LogEvent[] = referenceRecords(raw, Math.floor(Date.now() / 1000)).map((r) => ({ tag: r.tag, record: r.record }));
  const whole = decodeOne(raw);
  const body = Array.isArray(whole) ? (whole[1] as unknown) : undefined;
  const opt = Array.isArray(whole) ? (whole[2] as unknown) : undefined;
  const options = typeof opt === 'object' && opt !== null ? (opt as Record<string, unknown>) : {};
  return {
    tag: frame.tag,
    events,
    chunk: typeof frame.chunk === 'string' ? frame.chunk : frame.chunk?.toString('utf8'),
    compressed: options['compressed'] === 'gzip',
    packed: Buffer.isBuffer(body) || body instanceof Uint8Array,
    size: options['size'],
  };
}
