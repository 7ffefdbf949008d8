// The resolved config back as YAML in the file's own style (snake_case keys, "30s", "8MiB"), secrets
// masked: what `tdfwd config check` prints. Without secrets it parses back to the same config.
// Secret fields are masked by key, whatever their length; other values only lose the occurrences of
// long secrets (see secrets.ts), so a short API key does not turn `match: "td.**"` into `****.**`.
// The keys and their order are the schema's (key-docs.ts): a key declared there is rendered here.
import YAML from 'yaml';
import type { TdfwdConfig } from './types.js';
import { fileForm } from './key-docs.js';
import type { KeyKind } from './keys.js';
import { fileSchema } from './schema.js';
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

/** A value of a key with a kind, as the file writes it. */
function leafText(kind: KeyKind, value: unknown): unknown {
  switch (kind) {
    case 'duration':
      return typeof value === 'number' ? durationText(value) : value;
    case 'size':
      return typeof value === 'number' ? sizeText(value) : value;
    case 'secret':
      return typeof value === 'string' ? masked(value) : value;
    case 'url':
      return typeof value === 'string' ? maskedUrl(value) : value;
    case 'headers':
      return value !== null && typeof value === 'object' ? maskedHeaders(value as Record<string, string>) : value;
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
  return YAML.stringify(clean(fileForm(fileSchema, cfg, leafText), cfg.secrets), { lineWidth: 0 });
}
