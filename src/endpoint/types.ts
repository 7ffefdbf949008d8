// The public shape of the local endpoint: options, the runtime-mutable fault switches, the stats
// snapshot and the handle tests hold. No behaviour here.

export interface EndpointOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** If set, Authorization must be exactly `TD1 <apikey>`; if null/unset any non-empty TD1 key passes. */
  apikey?: string | null;
  /** A key imported within this many ms is answered 200 and not imported again. Default 20 min. */
  dedupWindowMs?: number;
  /** 0..1: fraction of import requests answered 500 before importing. */
  failRate?: number;
  /** Delay before answering each request that got past the fault gates. */
  latencyMs?: number;
  /** 0..1: fraction of requests imported and then never answered (socket held open). */
  acceptThenTimeout?: number;
  /** 0..1: fraction of requests imported and then reset (TCP RST, no answer). */
  acceptThenReset?: number;
  /** Token bucket rate; requests over it get 429 with `Retry-After: 1`. Unset/0 = unlimited. */
  capacityRps?: number;
  /** Largest accepted compressed body; larger → 413. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Largest decompressed body; larger → 413. Default 512 MiB. */
  maxRawBytes?: number;
  /** Append every imported record as one NDJSON line {"database","table","unique_id","record"}. */
  storeFile?: string;
  /** Import into an unknown table creates it (default false: 404 like the real API). */
  autoTables?: boolean;
  /** How long a held (accept-then-timeout) socket stays open at most. Default 10 min. */
  holdCapMs?: number;
  /** One line per request: method path status records latency. */
  log?: (line: string) => void;
  /** Uniform [0,1) source for the fault fractions; injectable for deterministic tests. */
  random?: () => number;
}

export interface ForcedStatus {
  status: number;
  headers?: Record<string, string>;
}

/** Fault switches, read on every request: tests flip them while the endpoint runs. */
export interface EndpointFaults {
  failRate: number;
  latencyMs: number;
  acceptThenTimeout: number;
  acceptThenReset: number;
  capacityRps: number;
  /** Destroy every import/ingest socket without answering (a dead load balancer). */
  down?: boolean;
  /** Answer every import/ingest request with this status before importing. */
  forceStatus?: ForcedStatus | null;
}

export interface EndpointStats {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests whose socket was destroyed without an answer (down). */
  dropped: number;
  /** Accepted imports (first imports plus duplicate imports; dedup hits excluded). */
  imports: number;
  importedRecords: number;
  /** Compressed body bytes of accepted imports. */
  importedBytes: number;
  /** Requests answered 200 without importing because their key was imported within the window. */
  dedupHits: number;
  /** Imports of a key already imported before, but outside the window: real duplicates. */
  duplicateImports: number;
  duplicateRecords: number;
  /** Imports that were then never answered (accept-then-timeout). */
  heldImports: number;
  /** Sockets currently held open. */
  heldNow: number;
  /** Imports whose connection was then reset without an answer (accept-then-reset). */
  resetImports: number;
  /** Faults injected, by kind. */
  faults: { down: number; capacity: number; forced: number; failed: number };
  tables: string[];
  recordsByTable: Record<string, number>;
  /** Distinct keys imported at least once. */
  uniqueIds: number;
  /** Distinct keys seen in any import/ingest request, imported or not. */
  keysSeen: number;
  /** The most times any single key was imported (1 = no duplicates). */
  maxImportsPerId: number;
  dedupWindowMs: number;
}

export interface EndpointHandle {
  url: string;
  port: number;
  stats(): EndpointStats;
  /** Key → number of times it was imported (dedup hits not counted). */
  importsById(): ReadonlyMap<string, number>;
  faults: EndpointFaults;
  close(): Promise<void>;
}
