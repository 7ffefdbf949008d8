// A chunk named on the command line (`chunks show|retry|drop|export ID`): its numeric id, its key, or
// a unique prefix of its key of at least MIN_PREFIX characters, as git takes abbreviated hashes. A
// prefix that matches several keys says how many, and how many characters pick one of them.
import type { ChunkRow } from '../buffer/statements.js';
import { TdfwdError, UsageError } from '../core/errors.js';

export const MIN_PREFIX = 4;
const KEY_LENGTH = 32;
/** Enough matches to report an ambiguous prefix; more only make the count "at least". */
const MAX_MATCHES = 10_000;

export interface ChunkLookup {
  chunkById(id: number): ChunkRow | undefined;
  chunkByKey(key: string): ChunkRow | undefined;
  keysWithPrefix(prefix: string, limit: number): string[];
}

export function findChunk(store: ChunkLookup, ref: string): ChunkRow {
  const text = ref.trim().toLowerCase();
  const numeric = /^\d{1,15}$/.test(text);
  if (numeric) {
    const row = store.chunkById(Number(text));
    if (row) return row;
  }
  if (!/^[0-9a-f]+$/.test(text) || text.length > KEY_LENGTH) {
    throw new UsageError(`chunk ${JSON.stringify(ref)}: expected a numeric id, a key (${KEY_LENGTH} hex characters) or its first ${MIN_PREFIX} or more characters`);
  }
  if (text.length < MIN_PREFIX) {
    if (numeric) throw notFound(ref);
    throw new UsageError(`chunk ${JSON.stringify(ref)}: a key prefix needs at least ${MIN_PREFIX} characters (this one has ${text.length}); \`tdfwd chunks list\` shows the keys`);
  }
  const keys = store.keysWithPrefix(text, MAX_MATCHES);
  const only = keys.length === 1 ? store.chunkByKey(keys[0] as string) : undefined;
  if (only) return only;
  if (keys.length === 0) throw notFound(ref);
  const count = keys.length >= MAX_MATCHES ? `at least ${MAX_MATCHES}` : String(keys.length);
  throw new UsageError(
    `chunk key prefix ${text} is ambiguous: ${count} chunks have keys starting with it; give at least ${charactersToPick(keys)} characters of the key (\`tdfwd chunks list\` shows them)`,
  );
}

/** Characters that tell every one of these sorted keys apart: one more than the longest shared prefix. */
export function charactersToPick(sortedKeys: readonly string[]): number {
  let longest = 0;
  for (let i = 1; i < sortedKeys.length; i++) longest = Math.max(longest, sharedPrefix(sortedKeys[i - 1] as string, sortedKeys[i] as string));
  return Math.min(KEY_LENGTH, longest + 1);
}

function sharedPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return n;
}

function notFound(ref: string): TdfwdError {
  return new TdfwdError('NOT_FOUND', `no chunk ${JSON.stringify(ref)} in the buffer; \`tdfwd chunks list\` shows the chunks there`);
}
