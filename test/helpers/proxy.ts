// A small real HTTP proxy on loopback for tests: CONNECT tunnels (https:// endpoints) and absolute-URI
// forwarding (http:// endpoints), counting both, optionally demanding Basic credentials (407).
import { connect, type Socket } from 'node:net';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestProxy {
  url: string;
  port: number;
  /** CONNECT requests that opened a tunnel, by target host:port. */
  tunnels: string[];
  /** Absolute-URI requests forwarded, by URL. */
  forwarded: string[];
  /** Requests refused with 407. */
  refused: number;
  /** The Proxy-Authorization headers seen. */
  auth: (string | undefined)[];
  close(): Promise<void>;
}

export async function startProxy(opts: { credentials?: string } = {}): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const expected = opts.credentials ? `Basic ${Buffer.from(opts.credentials).toString('base64')}` : undefined;
  const state = { tunnels: [] as string[], forwarded: [] as string[], refused: 0, auth: [] as (string | undefined)[] };
  const allowed = (header: string | undefined): boolean => {
    state.auth.push(header);
    if (expected === undefined || header === expected) return true;
    state.refused++;
    return false;
  };
  const server: Server = createServer((req, res) => {
    if (!allowed(req.headers['proxy-authorization'])) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(req.url ?? '/');
    state.forwarded.push(target.href);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (!allowed(req.headers['proxy-authorization'])) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '', () => {
      state.tunnels.push(req.url ?? '');
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels: state.tunnels,
    forwarded: state.forwarded,
    auth: state.auth,
    get refused() {
      return state.refused;
    },
    async close() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
