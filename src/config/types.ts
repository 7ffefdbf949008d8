// The resolved configuration: what the rest of tdfwd consumes after the YAML file, `${VAR}` expansion,
// defaults and flags have been applied. Durations are milliseconds, sizes are bytes.
import type { OverflowAction, SyncMode } from '../core/buffer-policy.js';
import type { FilterConfig } from '../filters/config.js';

export type { FilterConfig } from '../filters/config.js';

export type ParserFormat = string; // none | json | ltsv | nginx | apache2 | regexp:<pattern>

export interface BufferConfig {
  path: string;
  chunkLimitSize: number;
  chunkLimitRecords: number;
  flushInterval: number;
  totalLimitSize: number;
  overflowAction: OverflowAction;
  sync: SyncMode;
}

export interface StdinInputConfig {
  type: 'stdin';
  tag: string;
  format: ParserFormat;
  timeKey?: string;
}

export interface TailInputConfig {
  type: 'tail';
  /** The loader always resolves this to a list. */
  path: string | string[];
  /** The loader always resolves this to a list (empty when not set). */
  exclude?: string[];
  tag: string;
  format: ParserFormat;
  timeKey?: string;
  readFromHead: boolean;
  rotateWait: number;
  refreshInterval: number;
  maxLineSize: number;
  multilineStart?: string;
  multilineFlushInterval: number;
}

export interface ForwardInputConfig {
  type: 'forward';
  bind: string;
  port: number;
  sharedKey?: string;
  selfHostname: string;
}

export interface HttpInputConfig {
  type: 'http';
  bind: string;
  port: number;
  maxBodySize: number;
}

export type InputConfig = StdinInputConfig | TailInputConfig | ForwardInputConfig | HttpInputConfig;

export type RetryType = 'exponential' | 'periodic';
export type JitterMode = 'full' | 'equal' | 'none';

export interface RetryConfig {
  type: RetryType;
  wait: number;
  maxWait: number;
  jitter: JitterMode;
  randomize: number;
  timeout: number;
  maxAttempts: number | null;
}

export interface ConcurrencyConfig {
  max: number;
  adaptive: boolean;
  decreaseRatio: number;
}

interface OutputCommon {
  name: string;
  match: string;
  timeout: number;
  dedupWindow: number;
  concurrency: ConcurrencyConfig;
  retry: RetryConfig;
}

export interface TdOutputConfig extends OutputCommon {
  type: 'td';
  endpoint: string;
  apikey: string;
  database?: string;
  table?: string;
  autoCreateTable: boolean;
}

export interface HttpOutputConfig extends OutputCommon {
  type: 'http';
  url: string;
  method: 'POST' | 'PUT';
  format: 'ndjson' | 'msgpack' | 'json';
  compress: 'gzip' | 'none';
  headers: Record<string, string>;
}

export interface StdoutOutputConfig extends OutputCommon {
  type: 'stdout';
  format: 'ndjson' | 'json';
}

export type OutputConfig = TdOutputConfig | HttpOutputConfig | StdoutOutputConfig;

export interface AdminConfig {
  listen: string | null;
}

export interface TdfwdConfig {
  buffer: BufferConfig;
  inputs: InputConfig[];
  /** Applied in order between the inputs and the buffer (src/filters). */
  filters: FilterConfig[];
  outputs: OutputConfig[];
  admin: AdminConfig;
  shutdownTimeout: number;
  /** Strings to mask in logs and `config check` (API keys, shared keys, header values). */
  secrets: string[];
}
