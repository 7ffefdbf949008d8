// The local Streaming-Import-compatible endpoint: one HTTP server, its catalog, dedup ledger, fault
// switches, counters and optional store file. States: listening → closed. close() also destroys
// sockets held by the accept-then-timeout fault, so a test never waits on them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableCatalog } from './catalog.js';
import type { EndpointContext } from './context.js';
import { Exchange, apiError } from './exchange.js';
import { FaultGate, TokenBucket } from './faults.js';
import { DedupLedger } from './ledger.js';
import { route } from './routes.js';
import { EndpointCounters } from './stats.js';
import { StoreWriter } from './store.js';
import type { EndpointFaults, EndpointHandle, EndpointOptions } from './types.js';

export const DEFAULT_DEDUP_WINDOW_MS = 20 * 60_000;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_RAW_BYTES = 512 * 1024 * 1024;
export const DEFAULT_HOLD_CAP_MS = 10 * 60_000;

function fraction(name: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!(r >= 0 && r <= 1)) throw new RangeError(`${name} must be between 0 and 1 (got ${r})`);
  return r;
}

export async function startEndpoint(opts: EndpointOptions = {}): Promise<EndpointHandle> {
  const faults: EndpointFaults = {
    failRate: fraction('failRate', opts.failRate),
    latencyMs: opts.latencyMs ?? 0,
    acceptThenTimeout: fraction('acceptThenTimeout', opts.acceptThenTimeout),
    acceptThenReset: fraction('acceptThenReset', opts.acceptThenReset),
    capacityRps: opts.capacityRps ?? 0,
    down: false,
    forceStatus: null,
  };
  const ledger = new DedupLedger(opts.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS);
  const catalog = new TableCatalog(opts.autoTables ?? false);
  const counters = new EndpointCounters();
  const store = opts.storeFile ? await StoreWriter.open(opts.storeFile) : null;
  const ctx: EndpointContext = {
    apikey: opts.apikey ?? null,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxRawBytes: opts.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES,
    holdCapMs: opts.holdCapMs ?? DEFAULT_HOLD_CAP_MS,
    gate: new FaultGate(faults, new TokenBucket(), opts.random ?? Math.random),
    ledger,
    catalog,
    counters,
    store,
  };
  const stats = () => counters.snapshot(ledger, catalog);
  const log = opts.log;

  const server: Server = createServer((req, res) => {
    const x = new Exchange(req, res, counters, log);
    route(ctx, x, stats).catch((err: unknown) => {
      // a bug or a store write failure: answer 500 so the client retries, and say why in the log
      log?.(`error ${x.method} ${x.path}: ${(err as Error)?.message ?? String(err)}`);
      if (!x.ended && !res.headersSent) x.json(500, apiError('Internal error', 'The local endpoint failed; see its log.'));
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed: Promise<void> | null = null;

  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    faults,
    stats,
    importsById: () => ledger.importsById(),
    close() {
      closed ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await done;
        await store?.close();
      })();
      return closed;
    },
  };
}
