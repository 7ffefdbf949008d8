// Which config values are secrets, and how they are hidden wherever text leaves the process:
// log lines, `config check`, status output. maskSecrets is pure so any logger can use it.
import type { InputConfig, OutputConfig } from './types.js';

/** Header names whose values are credentials. */
const SECRET_HEADER = /authorization|key|token|secret|password|cookie/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** API keys, forward shared keys, credential-looking header values, passwords in URLs; deduplicated. */
export function collectSecrets(inputs: readonly InputConfig[], outputs: readonly OutputConfig[]): string[] {
  const found = new Set<string>();
  for (const input of inputs) {
    if (input.type === 'forward' && input.sharedKey) found.add(input.sharedKey);
  }
  for (const output of outputs) {
    if (output.type === 'td' && output.apikey) found.add(output.apikey);
    if (output.type === 'http') {
      for (const [name, value] of Object.entries(output.headers)) {
        if (isSecretHeader(name) && value) found.add(value);
      }
      const password = urlPassword(output.url);
      if (password) found.add(password);
    }
  }
  return [...found];
}

function urlPassword(url: string): string | undefined {
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
 * Replaces every occurrence of every secret in `text` by its mask. One pass over the text with the
 * longest secrets tried first, so a secret that contains another is masked whole and masks are never
 * re-masked. Every non-empty secret is masked, however short: leaking beats looking tidy.
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  return secretMasker(secrets)(text);
}

/** maskSecrets with the secrets compiled once, for a logger that masks every line. */
export function secretMasker(secrets: readonly string[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  const re = new RegExp(list.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(re, (s) => maskSecret(s));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
