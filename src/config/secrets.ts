// Which config values are secrets, and how they are hidden wherever text leaves the process:
// log lines, `config check`, status output. maskSecrets is pure so any logger can use it.
//
// Two rules. The secret fields themselves (apikey, shared_key, credential headers, URL passwords)
// are always masked, whatever their length: `config check` masks them by key (render.ts). Free text
// (log lines, the other config values) is masked by searching for the secret's value, and only for
// secrets of at least MIN_SEARCHED_LENGTH characters: a 2-character key like `td` would otherwise
// turn every `td.**` and `td.web` into `****` and hide the text without protecting anything.
//
// The secret fields are the keys declared with a secret `kind` (keys.ts: secret(), and the http
// output's url and headers): a new key marked secret() is collected and masked with no change here.
import { inputSchema } from './inputs.js';
import { fileForm } from './key-docs.js';
import type { KeyKind } from './keys.js';
import { outputSchema } from './outputs.js';
import type { InputConfig, OutputConfig } from './types.js';

/** Header names whose values are credentials. */
const SECRET_HEADER = /authorization|key|token|secret|password|cookie/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** Secrets shorter than this are masked only in their own fields, not searched for in text. */
export const MIN_SEARCHED_LENGTH = 8;

/**
 * API keys, forward shared keys, credential-looking header values (and the credential after an
 * auth scheme, `Bearer <token>`), passwords in URLs; deduplicated.
 */
export function collectSecrets(inputs: readonly InputConfig[], outputs: readonly OutputConfig[]): string[] {
  const found = new Set<string>();
  const collect = (kind: KeyKind, value: unknown): unknown => {
    if (kind === 'secret' && typeof value === 'string' && value) found.add(value);
    if (kind === 'url' && typeof value === 'string') {
      const password = urlPassword(value);
      if (password) found.add(password);
    }
    if (kind === 'headers' && value !== null && typeof value === 'object') {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (!isSecretHeader(name) || typeof v !== 'string' || !v) continue;
        found.add(v);
        const credential = /^[A-Za-z][\w-]*\s+(\S.*)$/.exec(v)?.[1];
        if (credential) found.add(credential);
      }
    }
    return value;
  };
  for (const input of inputs) fileForm(inputSchema, input, collect);
  for (const output of outputs) fileForm(outputSchema, output, collect);
  return [...found];
}

export function urlPassword(url: string): string | undefined {
  try {
    const pw = new URL(url).password;
    return pw ? decodeURIComponent(pw) : undefined;
  } catch {
    return undefined;
  }
}

/** `****`, or `****abcd` (the last 4 characters) when the secret is longer than 12 characters. */
export function maskSecret(secret: string): string {
  return secret.length > 12 ? `****${secret.slice(-4)}` : '****';
}

/**
 * Replaces every occurrence of every secret of at least MIN_SEARCHED_LENGTH characters in `text` by
 * its mask. One pass over the text with the longest secrets tried first, so a secret that contains
 * another is masked whole and masks are never re-masked. Shorter secrets are left alone (see the
 * header): their fields are masked by key instead.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secretMasker(secrets)(text);
}

/** maskSecrets with the secrets compiled once, for a logger that masks every line. */
export function secretMasker(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s.length >= MIN_SEARCHED_LENGTH))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  const re = new RegExp(list.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(re, (s) => maskSecret(s));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
