// `json`: one JSON object per line. The hot path of `tdfwd send`: the parsed object is the record
// itself (no copy), and the only try/catch is around JSON.parse.

import type { FieldParser } from './types.js';

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export const parseJsonFields: FieldParser = (line) => {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    // The first line of a file saved "UTF-8 with BOM": retried here, off the hot path.
    if (line.charCodeAt(0) === 0xfeff) return parseJsonFields(line.slice(1));
    return `invalid JSON: ${(err as Error).message}`;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  return `expected a JSON object, got ${kindOf(v)}`;
};
