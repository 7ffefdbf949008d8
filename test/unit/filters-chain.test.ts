// What each filter does, on both ways in: placeholders, fluentd's grep rule, rename/copy/keep, the
// order of keys, drop counts per filter, and the block path's exact fallbacks (a key there twice, an
// array-index key, a value that is not a map). Blocks come from the project's own encoder.
import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecords } from '../../src/codec/msgpack.js';
import type { LogRecord } from '../../src/core/record.js';
import { FilterChain } from '../../src/filters/chain.js';
import { filterSchema } from '../../src/filters/config.js';
import { FilterSlot } from '../../src/filters/slot.js';
import { BlockEncoder } from '../../src/ingest/block-encoder.js';

function chain(filters: unknown[], drops?: Map<string, number>): FilterChain {
  return new FilterChain(
    filters.map((f) => filterSchema.parse(f)),
    { hostname: 'web-1', onDropped: (label, n) => drops?.set(label, (drops.get(label) ?? 0) + n) },
  );
}

/** Both ways in, checked to agree; returns the kept records. */
function run(c: FilterChain, tag: string, records: Record<string, unknown>[]): Record<string, unknown>[] {
  const block = encodeRecords(records);
  const viaBlock = c.applyBlock(tag, block, records.length);
  const decoded = decodeRecords(viaBlock.entries) as Record<string, unknown>[];
  expect(decoded.length).toBe(viaBlock.records);
  const viaObjects = (decodeRecords(block) as LogRecord[]).map((r) => c.applyRecord(tag, r)).filter((r) => r !== null);
  expect(decoded).toEqual(viaObjects);
  expect(decoded.map((r) => Object.keys(r))).toEqual(viaObjects.map((r) => Object.keys(r as object)));
  return decoded;
}

const T = 1_700_000_000;

describe('record filter', () => {
  it('fills ${hostname}, ${tag}, ${tag_parts[N]} per tag; out of range is empty', () => {
    const c = chain([{ type: 'record', match: '**', set: { h: '${hostname}', t: '${tag}', first: '${tag_parts[0]}', last: '${tag_parts[-1]}', none: '${tag_parts[7]}', mix: '${tag_parts[1]}@${hostname}', lit: '${OTHER}' } }]);
    expect(run(c, 'td.web.access', [{ time: T }])).toEqual([{ time: T, h: 'web-1', t: 'td.web.access', first: 'td', last: 'access', none: '', mix: 'web@web-1', lit: '${OTHER}' }]);
    expect(run(c, 'app', [{ time: T }])[0]).toMatchObject({ t: 'app', first: 'app', last: 'app', mix: '@web-1' });
  });

  it('an existing key keeps its place, a new one is appended; remove comes after set', () => {
    const c = chain([{ type: 'record', match: '**', set: { a: 'A', z: 26, gone: 1 }, remove: ['gone', 'password'] }]);
    const [r] = run(c, 'x', [{ a: 1, time: T, password: 'p', b: 2 }]);
    expect(Object.entries(r as object)).toEqual([['a', 'A'], ['time', T], ['b', 2], ['z', 26]]);
  });

  it('a key that is an array index ("7") is set through the object path, with the same result', () => {
    const c = chain([{ type: 'record', match: '**', set: { '7': 'seven' } }]);
    const [r] = run(c, 'x', [{ time: T, b: 1, '3': 'three' }]);
    expect(Object.keys(r as object)).toEqual(['3', '7', 'time', 'b']);
  });
});

describe('grep filter (fluentd filter_grep)', () => {
  const drops = new Map<string, number>();
  const c = chain(
    [
      { type: 'record', match: '**', set: { seen: true } },
      { type: 'grep', match: '**', regexp: [{ key: 'level', pattern: '^(error|warn)$' }, { key: 'status', pattern: '^5' }], exclude: [{ key: 'path', pattern: '^/health' }, { key: 'bot', pattern: 'true' }] },
    ],
    drops,
  );
  const records = [
    { time: T, seq: 0, level: 'error', status: 503 }, // kept: status as text "503"
    { time: T, seq: 1, level: 'info', status: 500 }, // regexp fails
    { time: T, seq: 2, status: 500 }, // missing key: no match
    { time: T, seq: 3, level: null, status: 500 }, // null: no match
    { time: T, seq: 4, level: 'warn', status: '502', path: '/health/live' }, // exclude matches
    { time: T, seq: 5, level: 'warn', status: 500, path: null, bot: false }, // exclude: null and "false" do not match
    { time: T, seq: 6, level: 'warn', status: 500, bot: true }, // exclude on a boolean's text
    { time: T, seq: 7, level: 'error', status: { code: 5 } }, // a map's text is its JSON: {"code":5}
  ];

  it('keeps records matching every regexp and no exclude; counts drops per filter', () => {
    expect(run(c, 'a.b', records).map((r) => r.seq)).toEqual([0, 5]);
    // run() applies the chain twice (block, then objects): each drop counted once per way
    expect(Object.fromEntries(drops)).toEqual({ 'filters[1]': 12 });
  });

  it('a tag its match does not accept passes unchanged: the same buffer, nothing counted', () => {
    const only = new Map<string, number>();
    const c2 = chain([{ type: 'grep', match: 'td.**', exclude: [{ key: 'a', pattern: '.' }] }], only);
    const block = encodeRecords([{ time: T, a: 'x' }]);
    expect(c2.applyBlock('app.x', block, 1).entries).toBe(block);
    expect(c2.applyBlock('td.x', block, 1)).toEqual({ entries: Buffer.alloc(0), records: 0 });
    expect(Object.fromEntries(only)).toEqual({ 'filters[0]': 1 });
  });

  it('a grep that drops nothing returns the block as it was (no copy)', () => {
    const c2 = chain([{ type: 'grep', match: '**', exclude: [{ key: 'path', pattern: '^/health' }] }]);
    const block = encodeRecords([{ time: T, path: '/a' }, { time: T }]);
    expect(c2.applyBlock('x', block, 2).entries).toBe(block);
  });
});

describe('modify filter', () => {
  it('rename keeps the place and replaces a key already named so; copy overwrites in place or appends; keep keeps time', () => {
    const c = chain([{ type: 'modify', match: '**', rename: { msg: 'message', absent: 'x' }, copy: { message: 'raw', level: 'lvl' }, keep: ['message', 'raw', 'lvl', 'level'] }]);
    const [r] = run(c, 'x', [{ lvl: 'old', msg: 'hi', time: T, message: 'replaced', level: 'info', other: 1 }]);
    expect(Object.entries(r as object)).toEqual([['lvl', 'info'], ['message', 'hi'], ['time', T], ['level', 'info'], ['raw', 'hi']]);
  });

  it('applies filters in order: a later filter sees the renamed key', () => {
    const c = chain([
      { type: 'modify', match: '**', rename: { msg: 'message' } },
      { type: 'grep', match: '**', regexp: [{ key: 'message', pattern: 'keep' }] },
    ]);
    expect(run(c, 'x', [{ time: T, msg: 'keep me' }, { time: T, msg: 'drop me' }, { time: T, message: 'keep too' }]).length).toBe(2);
  });
});

describe('the block path falls back to objects exactly where bytes cannot say it', () => {
  /** A map with key `k` twice (other producers than msgpackr can write it): the decoder keeps the last value. */
  function duplicateKeyRecord(): Buffer {
    // {time: T, k: "first", k: "last"}
    const parts = [Buffer.from([0x83]), Buffer.from([0xa4, ...Buffer.from('time'), 0xce]), Buffer.alloc(4), Buffer.from([0xa1, 0x6b, 0xa5, ...Buffer.from('first')]), Buffer.from([0xa1, 0x6b, 0xa4, ...Buffer.from('last')])];
    parts[2]?.writeUInt32BE(T);
    return Buffer.concat(parts);
  }

  it('a key there twice: filtered as the decoded object is', () => {
    const block = duplicateKeyRecord();
    for (const f of [
      { type: 'record', match: '**', set: { k: 'new' } },
      { type: 'grep', match: '**', regexp: [{ key: 'k', pattern: '^last$' }] },
      { type: 'modify', match: '**', rename: { k: 'j' } },
    ]) {
      const c = chain([f]);
      const out = c.applyBlock('x', block, 1);
      const object = c.applyRecord('x', decodeRecords(block)[0] as LogRecord);
      expect(decodeRecords(out.entries)).toEqual(object === null ? [] : [object]);
      expect(out.records).toBe(1);
    }
  });

  it('a value that is not a map is left as it is', () => {
    const c = chain([{ type: 'record', match: '**', set: { a: 1 } }]);
    const block = Buffer.concat([encodeRecords([{ time: T }]), encodeRecords(['not a record'])]);
    expect(decodeRecords(c.applyBlock('x', block, 2).entries)).toEqual([{ time: T, a: 1 }, 'not a record']);
  });

  it('bytes that are not msgpack are an error, not a silent pass', () => {
    const c = chain([{ type: 'record', match: '**', set: { a: 1 } }]);
    expect(() => c.applyBlock('x', Buffer.from([0x82, 0xa1, 0x61]), 1)).toThrow(/past the end/);
  });
});

describe('blocks from the project encoder', () => {
  it('tail lines encoded by the BlockEncoder (fast JSON path) filter as their records do', () => {
    const enc = new BlockEncoder(1 << 20, 100_000);
    const lines = [
      '{"level":"error","msg":"a","path":"/x","password":"p"}',
      '{"level":"info","msg":"b","path":"/health"}',
      'not json',
      '{"level":"warn","msg":"c","n":1.5,"nested":{"a":[1,2]}}',
    ];
    const out = enc.lines({ format: 'json', maxLineBytes: 1 << 20, block: Buffer.from(lines.join('\n') + '\n'), nowSec: T });
    const part = out.parts[0] as { data: Buffer; records: number };
    const drops = new Map<string, number>();
    const c = chain(
      [
        { type: 'record', match: 'td.**', set: { hostname: '${hostname}' }, remove: ['password'] },
        { type: 'grep', match: 'td.**', exclude: [{ key: 'path', pattern: '^/health' }] },
      ],
      drops,
    );
    const filtered = c.applyBlock('td.app.log', part.data, part.records);
    const records = decodeRecords(filtered.entries) as Record<string, unknown>[];
    expect(filtered.records).toBe(3);
    expect(records.map((r) => r.msg ?? r.message)).toEqual(['a', 'not json', 'c']);
    expect(records.every((r) => r.hostname === 'web-1' && !('password' in r) && r.time === T)).toBe(true);
    expect(Object.fromEntries(drops)).toEqual({ 'filters[1]': 1 });
  });
});

describe('FilterSlot', () => {
  it('is inactive until a chain is put in, then applies the latest one', () => {
    const slot = new FilterSlot();
    const block = encodeRecords([{ time: T }]);
    expect(slot.active).toBe(false);
    expect(slot.applyBlock('x', block, 1).entries).toBe(block);
    slot.use(chain([]));
    expect(slot.active).toBe(false);
    slot.use(chain([{ type: 'record', match: '**', set: { a: 1 } }]));
    expect(slot.active).toBe(true);
    expect(decodeRecords(slot.applyBlock('x', block, 1).entries)).toEqual([{ time: T, a: 1 }]);
  });
});

describe('grep patterns that are plain text are tested on the bytes', () => {
  it('with the answer of the RegExp, for anchored, unanchored and escaped text', async () => {
    const { literalOf, matchesLiteral } = await import('../../src/filters/literal.js');
    const patterns = ['^/health', 'error', '^GET$', 'ms$', '\\/api\\/v1', '^$', '^', 'a\\.b', '"', ' x ', '^é', '\\d', 'a|b', 'x\\$', '\\\\$'];
    const values = ['/health', '/healthz', 'x/health', 'error', 'an error here', 'GET', 'GETS', '12ms', 'ms!', '/api/v1/x', '', 'a.b', 'axb', 'say "hi"', ' x ', 'é', '9', 'x$', 'x\\', 'héllo /health'];
    let literal = 0;
    for (const p of patterns) {
      const lit = literalOf(p);
      if (lit === null) continue;
      literal++;
      for (const v of values) {
        const bytes = Buffer.from(`__${v}__`);
        expect(matchesLiteral(lit, bytes, 2, bytes.length - 2), `${p} on ${JSON.stringify(v)}`).toBe(new RegExp(p).test(v));
      }
    }
    expect(literal).toBe(11); // é, \d, a|b and \\$ go to the RegExp
  });
});
