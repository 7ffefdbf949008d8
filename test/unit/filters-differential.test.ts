// The two ways into the filter chain agree: for random records (random keys, nested values, unicode,
// every map header size) and random filters, applyBlock on the msgpack block gives the bytes of
// decode → applyRecord → msgpackr encode (the project's encoder options), and the same drops.
import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecords, packOne } from '../../src/codec/msgpack.js';
import type { LogRecord } from '../../src/core/record.js';
import { FilterChain } from '../../src/filters/chain.js';
import { filterSchema, type FilterConfig } from '../../src/filters/config.js';
import { seededRandom } from '../../src/simulate/random.js';

const KEYS = ['message', 'level', 'msg', 'path', 'host', 'user', 'password', 'token', 'status', 'ünï', '日本', 'a'.repeat(40), 'k'.repeat(300), '7', '0', 'raw', 'tag', 'x'];
const WORDS = ['error', 'warn', 'info', '/health', '/api/v1', 'héllo wörld', '😀 emoji', '', 'x'.repeat(100), 'y'.repeat(70_000)];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function value(r: () => number, depth: number): unknown {
  const k = r();
  if (k < 0.3) return pick(r, WORDS.slice(0, -1)) + (r() < 0.5 ? String(Math.floor(r() * 100)) : '');
  if (k < 0.32) return WORDS[WORDS.length - 1];
  if (k < 0.45) return pick(r, [0, 1, -1, 127, 128, 255, 256, -33, 65535, 65536, 2 ** 31, 2 ** 32 + 5, -(2 ** 40), 2 ** 53 - 1]);
  if (k < 0.52) return pick(r, [1.5, -0.25, 3.141592653589793, 1e300]);
  if (k < 0.58) return r() < 0.5;
  if (k < 0.62) return null;
  if (k < 0.66) return Buffer.from([1, 2, 3, Math.floor(r() * 256)]);
  if (depth < 3 && k < 0.82) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) o[pick(r, KEYS)] = value(r, depth + 1);
    return o;
  }
  if (depth < 3) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  return 'leaf';
}

function record(r: () => number): LogRecord {
  const rec: Record<string, unknown> = { time: 1_700_000_000 + Math.floor(r() * 1000) };
  const size = r();
  // every map header size: fixmap (< 16 pairs), the 15/16 boundary, map16, and (rarely) map32
  const n = size < 0.7 ? Math.floor(r() * 8) : size < 0.95 ? 13 + Math.floor(r() * 5) : size < 0.998 ? 40 : 65_540;
  for (let i = 0; i < n; i++) {
    // a map32 record gets small values past its first keys (it is about the header, not the bytes)
    if (i < 12) rec[pick(r, KEYS)] = value(r, 1);
    else rec[`f${i}`] = n > 1000 ? i : value(r, 1);
  }
  return rec as LogRecord;
}

function filter(r: () => number): FilterConfig {
  const match = pick(r, ['**', 'td.**', 'app.*', 'td.web.{a,b}', 'nothing']);
  const keys = (n: number) => Array.from({ length: n }, () => pick(r, KEYS));
  const k = r();
  let raw: Record<string, unknown>;
  if (k < 0.35) {
    const set: Record<string, unknown> = {};
    for (const key of keys(1 + Math.floor(r() * 3))) {
      set[key] = pick(r, ['${hostname}', '${tag}', 'svc-${tag_parts[1]}', '${tag_parts[-1]}', '${tag_parts[9]}', 'plain', 42, true, null, '$${literal}']);
    }
    raw = { type: 'record', match, set, remove: r() < 0.5 ? keys(Math.floor(r() * 3)) : [] };
    if (Object.keys(set).length === 0 && (raw.remove as string[]).length === 0) raw.remove = ['x'];
  } else if (k < 0.65) {
    const cond = () => ({ key: pick(r, KEYS), pattern: pick(r, ['^(error|warn)', '^/health', 'é', '^1', 'true', '\\d', '^$', 'leaf', '"']) });
    raw = { type: 'grep', match, regexp: r() < 0.5 ? [cond()] : [], exclude: r() < 0.7 ? [cond(), cond()].slice(0, 1 + Math.floor(r() * 2)) : [] };
    if ((raw.regexp as unknown[]).length === 0 && (raw.exclude as unknown[]).length === 0) raw.exclude = [cond()];
  } else {
    const map = () => Object.fromEntries(keys(Math.floor(r() * 3)).map((from) => [from, pick(r, KEYS)]));
    raw = { type: 'modify', match, rename: map(), copy: map() };
    if (r() < 0.4) raw.keep = keys(1 + Math.floor(r() * 4));
    if (Object.keys(raw.rename as object).length === 0 && Object.keys(raw.copy as object).length === 0 && raw.keep === undefined) raw.keep = ['message'];
  }
  return filterSchema.parse(raw);
}

/** time may not be a filter target: such random picks are dropped from the config before parsing. */
function validFilter(r: () => number): FilterConfig {
  for (;;) {
    try {
      return filter(r);
    } catch {
      // a random `time`-free pick failed validation (e.g. rename to time): draw again
    }
  }
}

const TAGS = ['td.web.a', 'td.web.b', 'app.api', 'td.x', 'other'];

describe('filters: applyBlock agrees with decode → applyRecord → encode', () => {
  it('byte for byte, with the same drops, for random records and filters', () => {
    let compared = 0;
    let droppedTotal = 0;
    let changedBlocks = 0;
    const headers = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) {
      const r = seededRandom(seed); // seeded, so a failure can be replayed
      const filters = Array.from({ length: 1 + Math.floor(r() * 3) }, () => validFilter(r));
      const tag = pick(r, TAGS);
      const records = Array.from({ length: 1 + Math.floor(r() * 30) }, () => record(r));
      const block = encodeRecords(records);

      const blockDrops = new Map<string, number>();
      const objectDrops = new Map<string, number>();
      const count = (m: Map<string, number>) => (label: string, n: number) => m.set(label, (m.get(label) ?? 0) + n);
      const byBlock = new FilterChain(filters, { hostname: 'web-1', onDropped: count(blockDrops) });
      const byObject = new FilterChain(filters, { hostname: 'web-1', onDropped: count(objectDrops) });

      const got = byBlock.applyBlock(tag, block, records.length);
      const kept = (decodeRecords(block) as LogRecord[]).map((rec) => byObject.applyRecord(tag, rec)).filter((x): x is LogRecord => x !== null);
      const want = Buffer.concat(kept.map((x) => Buffer.from(packOne(x))));

      const context = `seed ${seed}, tag ${tag}, filters ${JSON.stringify(filters)}`;
      expect(got.records, context).toBe(kept.length);
      if (!got.entries.equals(want)) {
        // the first differing record, decoded, says more than two hex dumps
        expect(decodeRecords(got.entries), context).toEqual(kept);
        expect(got.entries.toString('hex').slice(0, 400), context).toBe(want.toString('hex').slice(0, 400));
      }
      expect(Object.fromEntries(blockDrops), context).toEqual(Object.fromEntries(objectDrops));
      for (const rec of kept) {
        const n = Object.keys(rec).length;
        headers.add(n < 16 ? 'fixmap' : n < 0x10000 ? 'map16' : 'map32');
      }
      compared += records.length;
      droppedTotal += records.length - kept.length;
      if (got.entries !== block) changedBlocks++;
    }
    // the generator exercises both outcomes
    expect(compared).toBeGreaterThan(3000);
    expect(droppedTotal).toBeGreaterThan(100);
    expect(changedBlocks).toBeGreaterThan(100);
    expect([...headers].sort()).toEqual(['fixmap', 'map16', 'map32']);
  });
});
