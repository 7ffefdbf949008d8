// The text grep tests for a record value, the same on both ways in (objects and msgpack bytes):
// strings as they are, numbers and booleans in their JavaScript string form (fluentd tests `to_s`),
// maps and lists as JSON, binary as UTF-8; null (and a missing key) is no text: it matches nothing.
export function matchText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  try {
    return JSON.stringify(value) ?? null;
  } catch {
    return String(value);
  }
}
