// The resolved config back as YAML in the file's own style (snake_case keys, "30s", "8MiB"), secrets
// masked: what `tdfwd config check` prints. Without secrets it parses back to the same config.
// Secret fields are masked by key, whatever their length; other values only lose the occurrences of
// long secrets (see secrets.ts), so a short API key does not turn `match: "td.**"` into `****.**`.
import YAML from 'yaml';
import type { InputConfig, OutputConfig, TdfwdConfig } from './types.js';
import { escapeReferences } from '../filters/placeholders.js';
import { isSecretHeader, maskSecret, maskSecrets } from './secrets.js';

const DURATION_UNITS: ReadonlyArray<[string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/**
 * The largest unit that divides evenly and gives at least 2 of it, as people write them:
 * 259200000 → "72h", 300000 → "5m", 60000 → "60s", 1500 → "1500ms".
 */
export function durationText(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) {
    if (ms !== 0 && ms % size === 0 && (ms >= 2 * size || unit === 's')) return `${ms / size}${unit}`;
  }
  return ms === 0 ? '0s' : `${ms}ms`;
}

const SIZE_UNITS: ReadonlyArray<[string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
  ['GB', 1000 ** 3],
  ['MB', 1000 ** 2],
  ['KB', 1000],
];

/** The largest unit that divides evenly, binary first: 8388608 → "8MiB", 1e9 → "1GB", 100 → 100. */
export function sizeText(bytes: number): string | number {
  for (const [unit, size] of SIZE_UNITS) {
    if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes;
}

/** A secret field's value: masked when set (an empty one stays empty, so it shows as missing). */
function masked(secret: string | undefined): string | undefined {
  return secret ? maskSecret(secret) : secret;
}

function maskedHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? (masked(value) ?? value) : value]));
}

/** `https://user:****@host/path`: the password of the URL's user info, as written. */
function maskedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)([^/?#@]+)@/i, (_, head: string) => `${head}****@`);
}

function input(i: InputConfig): Record<string, unknown> {
  switch (i.type) {
    case 'stdin':
      return { type: i.type, tag: i.tag, format: i.format, time_key: i.timeKey };
    case 'tail':
      return {
        type: i.type,
        path: i.path,
        exclude: i.exclude && i.exclude.length > 0 ? i.exclude : undefined,
        tag: i.tag,
        format: i.format,
        time_key: i.timeKey,
        read_from_head: i.readFromHead,
        rotate_wait: durationText(i.rotateWait),
        refresh_interval: durationText(i.refreshInterval),
        max_line_size: sizeText(i.maxLineSize),
        multiline_start: i.multilineStart,
        multiline_flush_interval: durationText(i.multilineFlushInterval),
      };
    case 'forward':
      return { type: i.type, bind: i.bind, port: i.port, shared_key: masked(i.sharedKey), self_hostname: i.selfHostname };
    case 'http':
      return { type: i.type, bind: i.bind, port: i.port, max_body_size: sizeText(i.maxBodySize) };
  }
}

function output(o: OutputConfig): Record<string, unknown> {
  const head = { type: o.type, name: o.name, match: o.match };
  const tail = {
    timeout: durationText(o.timeout),
    dedup_window: durationText(o.dedupWindow),
    concurrency: { max: o.concurrency.max, adaptive: o.concurrency.adaptive, decrease_ratio: o.concurrency.decreaseRatio },
    retry: {
      type: o.retry.type,
      wait: durationText(o.retry.wait),
      max_wait: durationText(o.retry.maxWait),
      jitter: o.retry.jitter,
      randomize: o.retry.randomize,
      timeout: durationText(o.retry.timeout),
      max_attempts: o.retry.maxAttempts,
    },
  };
  switch (o.type) {
    case 'td':
      return {
        ...head,
        endpoint: o.endpoint,
        apikey: masked(o.apikey),
        database: o.database,
        table: o.table,
        auto_create_table: o.autoCreateTable,
        ...tail,
      };
    case 'http':
      return { ...head, url: maskedUrl(o.url), method: o.method, format: o.format, compress: o.compress, headers: maskedHeaders(o.headers), ...tail };
    case 'stdout':
      return { ...head, format: o.format, ...tail };
  }
}

/**
 * Every string masked, and `${` written as the `$${` escape so the text re-parses to itself (record
 * placeholders such as `${hostname}` stay as written: expansion leaves them alone).
 */
function clean(node: unknown, secrets: readonly string[]): unknown {
  if (typeof node === 'string') return escapeReferences(maskSecrets(node, secrets));
  if (Array.isArray(node)) return node.map((n) => clean(n, secrets));
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (v !== undefined) out[k] = clean(v, secrets);
    return out;
  }
  return node;
}

export function renderConfig(cfg: TdfwdConfig): string {
  const b = cfg.buffer;
  const doc = {
    buffer: {
      path: b.path,
      chunk_limit_size: sizeText(b.chunkLimitSize),
      chunk_limit_records: b.chunkLimitRecords,
      flush_interval: durationText(b.flushInterval),
      total_limit_size: sizeText(b.totalLimitSize),
      overflow_action: b.overflowAction,
      sync: b.sync,
    },
    inputs: cfg.inputs.map(input),
    // A filter's keys are single words: its resolved form is its YAML form.
    filters: cfg.filters.length > 0 ? cfg.filters : undefined,
    outputs: cfg.outputs.map(output),
    admin: { listen: cfg.admin.listen },
    shutdown_timeout: durationText(cfg.shutdownTimeout),
  };
  return YAML.stringify(clean(doc, cfg.secrets), { lineWidth: 0 });
}
