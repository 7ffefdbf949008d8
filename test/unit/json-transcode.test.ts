// Differential tests of the JSON → msgpack fast path against the slow path it must reproduce
// (Buffer → string, createParser, packOne): for every line, either -1 or exactly the oracle's bytes.
import { describe, expect, it } from 'vitest';
import {
  jsonTranscoderWithTimeKey, maxTranscodedBytes, transcodeJsonLine, transcodeNoneLine, type LineTranscoder,
} from '../../src/codec/json-transcode.js';
import { decodeOne, packOne } from '../../src/codec/msgpack.js';
import { createParser, parseTimeValue, type LineParser } from '../../src/parsers/index.js';

const NOW = 1_764_000_000;
const parseJson = createParser('json');
const parseNone = createParser('none');

/** The slow path of format json with this time key (none: no time key). */
function slowParser(format: 'json' | 'none', timeKey: string | undefined): LineParser {
  if (format === 'none') return parseNone;
  return timeKey === undefined ? parseJson : createParser('json', { timeKey });
}

function fastPath(format: 'json' | 'none', timeKey: string | undefined): LineTranscoder | null {
  if (format === 'none') return transcodeNoneLine;
  return timeKey === undefined ? transcodeJsonLine : jsonTranscoderWithTimeKey(timeKey, parseTimeValue);
}

function oracle(format: 'json' | 'none', b: Uint8Array, now: number, timeKey?: string): Buffer | null {
  const line = Buffer.from(b).toString('utf8');
  try {
    return Buffer.from(packOne(slowParser(format, timeKey)(line, now).record));
  } catch {
    return null; // msgpackr throws (e.g. a `toJSON` key next to `constructor`): the fast path must not answer
  }
}

/** 'fast' when the transcoder answered (and matched the oracle), 'slow' when it returned -1. */
function check(line: string | Uint8Array, format: 'json' | 'none' = 'json', now = NOW, timeKey?: string): 'fast' | 'slow' {
  const b = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  // Embedded in a larger block, written after some bytes already in `out`, as the tail input does.
  const block = new Uint8Array(b.length + 7);
  block.fill(0x7b, 0, 3);
  block.set(b, 3);
  block.fill(0x7d, 3 + b.length);
  const pos = 5;
  const out = new Uint8Array(pos + maxTranscodedBytes(b.length));
  const fn = fastPath(format, timeKey);
  if (fn === null) return 'slow';
  const end = fn(block, 3, 3 + b.length, out, pos, now);
  if (end === -1) return 'slow';
  expect(end).toBeGreaterThan(pos);
  expect(end).toBeLessThanOrEqual(out.length);
  const want = oracle(format, b, now, timeKey);
  expect(want, `oracle threw but fast path answered: ${JSON.stringify(Buffer.from(b).toString())}`).not.toBeNull();
  expect(Buffer.from(out.subarray(pos, end)).toString('hex'), Buffer.from(b).toString()).toBe(want?.toString('hex'));
  return 'fast';
}

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const FAST: (string | Uint8Array)[] = [
  '{"host":"10.0.1.7","method":"GET","path":"/api/v1/users","code":200,"size":37,"agent":"Mozilla/5.0 (X11; Linux x86_64)","seq":1,"referer":"https://www.example.com/catalog/item/1","request_id":"req-9e3779b1"}',
  '{}',
  '  { "a" : 1 ,\t"b":\r\n[ 1 , 2 ] }  ',
  '{"esc":"q\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end"}',
  '{"u":"\\u0041\\u00e9\\u4e2d\\u0000\\u001f\\u2028\\ud83d\\ude00\\uD83D\\uDE00"}',
  '{"utf8":"héllo 中文 😀 ÿ \u07ff \uffff \u{10ffff}","clé":"v"}',
  '{"a":{"b":{"c":[1,[2,[3,{"d":null}]]]}},"t":true,"f":false,"n":null,"e":[],"o":{}}',
  `{${Array.from({ length: 16 }, (_, k) => `"k${k}":${k}`).join(',')}}`,
  `{${Array.from({ length: 15 }, (_, k) => `"k${k}":${k}`).join(',')}}`, // 15 + time = 16: map16
  `{${Array.from({ length: 300 }, (_, k) => `"k${k}":[${k}]`).join(',')}}`,
  `{"arr":[${Array.from({ length: 16 }, (_, k) => k).join(',')}],"arr15":[${Array.from({ length: 15 }, (_, k) => k).join(',')}]}`,
  `{"big":[${Array.from({ length: 70000 }, () => 0).join(',')}]}`,
  `{"s31":"${'a'.repeat(31)}","s32":"${'b'.repeat(32)}","s255":"${'c'.repeat(255)}","s256":"${'d'.repeat(256)}","s65535":"${'e'.repeat(65535)}","s65536":"${'f'.repeat(65536)}"}`,
  `{"esc32":"${'\\n'.repeat(20)}","esc256":"${'\\u00e9'.repeat(100)}","u33":"${'é'.repeat(17)}"}`, // header shrinks
  '{"time":1700000000,"msg":"own integer time"}',
  '{"msg":"x","time":-5}',
  '{"time":1.0}',
  '{"time":1e3}',
  '{"time":-0}',
  '{"time":1e20}',
  '{"n":[-1,-32,-33,-128,-129,-32768,-32769,-2147483648,-2147483649]}',
  '{"n":[0,127,128,255,256,65535,65536,4294967295,4294967296,9007199254740991,9007199254740993,18446744073709551616]}',
  '{"f":[0.5,-0.25,1.1,3.14159,1e-7,1.5e300,-2.5E-3,1E+2,123456.789,0.1,0.30000000000000004]}',
  '{"f":[-0,-0.0,0.0,0e5,1.0,1e3,1E3,100e-2,12345678901234567890,1.7976931348623157e308,5e-324,2e-400,1e400,-1e400]}',
  '{"f":[1234567890123456.5,0.000000000000000000001,1e22,1e23,123e-22,9e-23]}',
  '{"":"empty key","-1":"minus one","_time":"x","Time":1.5,"a0":0}',
  '{"nested":{"time":"a string, but not top level"}}',
  `{"deep":${'['.repeat(32)}${']'.repeat(32)}}`,
];

const SLOW: (string | Uint8Array)[] = [
  '', '   ', '[]', '[1]', '"s"', '1', 'null', 'true',
  '{', '{"a":1', '{"a":1,}', '{"a":1,,"b":2}', '{,"a":1}', '{"a"}', '{"a":}', '{"a" 1}', '{a:1}', "{'a':1}",
  '{"a":1}x', '{"a":1}{}', '{"a":[1,]}', '{"a":[,1]}', '{"a":[1 2]}', '{"a":tru}', '{"a":nul}', '{"a":True}',
  '{"a":01}', '{"a":-}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":1e}', '{"a":1e+}', '{"a":0x10}', '{"a":NaN}', '{"a":-Infinity}',
  '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"\\u12g4"}', '{"a":"\\"}', '{"a":"abc}', '{"a":"\t"}', '{"a":"\n"}', '{"a":"\u0000"}',
  '{"a":"\\ud800"}', '{"a":"\\udc00"}', '{"a":"\\ud800\\u0041"}', '{"a":"\\ud800x"}', '{"a":"\\ude00\\ud83d"}', '{"a":"\\udc00\\udc00"}', '{"a":"\\ud83d\\ud83d"}',
  bytes([0xef, 0xbb, 0xbf], '{"a":1}'),
  bytes('{"a":"', [0xff], '"}'), bytes('{"a":"', [0xc0, 0x80], '"}'), bytes('{"a":"', [0xe0, 0x80, 0x80], '"}'),
  bytes('{"a":"', [0xed, 0xa0, 0x80], '"}'), bytes('{"a":"', [0xf4, 0x90, 0x80, 0x80], '"}'), bytes('{"a":"', [0xe4, 0xb8], '"}'),
  bytes('{"a":"', [0x80], '"}'), bytes('{"', [0xf0, 0x9f, 0x98], '":1}'), bytes('{"a":"x"', [0xc3, 0xa9], '}'),
  '{"a":1,"a":2}', '{"a":1,"b":2,"\\u0061":3}', '{"o":{"x":1,"y":2,"x":3}}',
  '{"0":1}', '{"42":"x"}', '{"a":1,"1x":2}', '{"\\u0030":1}',
  '{"constructor":1,"toJSON":1}', '{"toJSON":"x"}', '{"__proto__":{"a":1}}', '{"constructor":{}}',
  `{"deep":${'['.repeat(33)}${']'.repeat(33)}}`,
];

describe('transcodeJsonLine: fixed lines', () => {
  it.each(FAST.map((l, k) => [k, l] as const))('fast path answers, with the oracle\'s bytes (#%i)', (_k, line) => {
    expect(check(line)).toBe('fast');
  });

  it.each(SLOW.map((l, k) => [k, l] as const))('falls back with -1 (#%i)', (_k, line) => {
    expect(check(line)).toBe('slow');
  });

  it('every byte value at every offset of a 4-byte word inside a string: taken or not, right either way', () => {
    let fast = 0;
    for (let b = 0; b < 256; b++) {
      for (let at = 0; at < 8; at++) {
        const line = bytes('{"k":"', 'abcdefgh'.slice(0, at), [b], 'ijklmnopq', '","v":1}');
        if (check(line) === 'fast') fast++;
      }
    }
    // Printable ASCII but '"' and '\\' (93 values) are plain string bytes; '"' and '\\' end or escape the string.
    expect(fast).toBeGreaterThanOrEqual(93 * 8);
  });

  it('strings whose lengths change from line to line at the same place (the header guess is only a guess)', () => {
    const lengths = [0, 5, 31, 32, 40, 255, 256, 300, 3, 65536, 33, 1, 100, 31, 32];
    for (const a of lengths) {
      for (const b of [0, 31, 32, 255, 256]) {
        expect(check(`{"a":"${'x'.repeat(a)}","b":"${'y'.repeat(b)}","c":"\\n${'z'.repeat(a)}"}`), `${a} ${b}`).toBe('fast');
      }
    }
  });

  it('writes nowSec as the slow path does (uint32, negative, float)', () => {
    for (const now of [0, 127, 1_764_000_000, 4_294_967_296, -1, 1.5]) {
      expect(check('{"a":1}', 'json', now)).toBe('fast');
      expect(check('{"time":7}', 'json', now)).toBe('fast');
    }
  });
});

const ISO = '2026-12-02T10:00:00Z';
const keys = (n: number): string => Array.from({ length: n }, (_, k) => `"k${k}":${k}`).join(',');

/** Records with their own `time`, `_time` or a time key (`ts`): every case of the time rule. */
const TIME_LINES: string[] = [
  `{"time":"${ISO}","host":"web-1","msg":"GET /"}`,
  `{"host":"web-1","time":"${ISO}","msg":"GET /"}`,
  `{"msg":"GET /","time":"${ISO}"}`,
  '{"time":1.5}', '{"time":0.1}', '{"time":1e400}', '{"time":-1.5e-300}', '{"time":-0}', '{"time":1700000000}',
  '{"time":1700000000123}', '{"time":"1700000000"}', '{"time":"1700000000.5"}', '{"time":"junk"}', '{"time":""}',
  '{"time":null}', '{"time":true}', '{"time":false}', '{"time":{}}', '{"time":[]}',
  '{"time":{"a":[1,{"b":2}],"c":"d"},"after":1}', '{"time":[1,2,3],"after":"x"}', `{"time":[${keys(0)}${'0,'.repeat(16)}0]}`,
  `{"time":"10/Oct/2000:13:55:36 -0700"}`, '{"time":"2026-12-02T10:00:00\\u005a"}', '{"time":"２０２６年 ✓ 😀"}',
  `{"time":"${'x'.repeat(70)}"}`, `{"time":"${'y'.repeat(300)}","a":1}`,
  `{"_time":"old","time":"${ISO}"}`, `{"time":"${ISO}","_time":"old"}`, '{"_time":{"x":[1,2]},"a":1,"time":"new value","b":2}',
  `{"time":"${ISO}","a":"${'z'.repeat(40)}","_time":1}`, '{"_time":"only"}', '{"_time":"x","time":5}', '{"time":0.5,"_time":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]}',
  `{${keys(15)},"time":"${ISO}"}`, `{${keys(14)},"time":"${ISO}"}`, `{"time":"${ISO}",${keys(15)}}`, `{${keys(15)}}`,
  `{${keys(14)},"_time":1,"time":"x"}`, `{${keys(70000 / 7)},"time":"${ISO}"}`,
  `{"ts":"${ISO}"}`, `{"time":"${ISO}","ts":"2026-12-02T10:00:00+09:00"}`, '{"ts":1700000000123,"time":1700000000}',
  '{"ts":1700000000,"time":1700000000}', '{"time":1700000000,"ts":1700000000}', '{"ts":null,"time":"x"}', '{"ts":null}',
  '{"ts":"junk","time":1}', '{"ts":true}', '{"ts":{}}', '{"ts":[1]}', '{"ts":"2026-12-02 10:00:00"}', '{"time":"x","ts":1.5e9}',
  `{"nested":{"ts":1,"time":"a"},"ts":"${ISO}"}`, '{"ts":-0,"time":0}', '{"time":-0,"ts":0}', '{"ts":0.5,"time":0}',
  `{"_time":"u","ts":"${ISO}","time":"t"}`, `{"time":"t","ts":"${ISO}","_time":"u"}`, `{"ts":"${ISO}","_time":"u"}`,
  '{"ts":1e400}', `{"ts":"${ISO}","time":"${'q'.repeat(40)}",${keys(20)}}`, `{"ts":"${'1'.repeat(80)}"}`,
];

describe('the time rule on the fast path', () => {
  // For every time key: the fast path answers exactly when the slow path records no `_time_error` (an
  // error sentence is the slow path's to write), and always with its bytes.
  for (const timeKey of [undefined, 'time', 'ts', 'msg']) {
    it.each(TIME_LINES.map((l, k) => [k, l] as const))(`time key ${String(timeKey)}: slow path's bytes (#%i)`, (_k, line) => {
      const rec = slowParser('json', timeKey)(line, NOW).record;
      expect(check(line, 'json', NOW, timeKey)).toBe(rec._time_error === undefined ? 'fast' : 'slow');
    });
  }

  it('the usual log shape keeps its place: time → now, the string moves to _time (last)', () => {
    const line = Buffer.from(`{"time":"${ISO}","host":"web-1"}`);
    const out = new Uint8Array(maxTranscodedBytes(line.length));
    const end = transcodeJsonLine(line, 0, line.length, out, 0, NOW);
    const rec = decodeOne(Buffer.from(out.subarray(0, end))) as Record<string, unknown>;
    expect(Object.entries(rec)).toEqual([['time', NOW], ['host', 'web-1'], ['_time', ISO]]);
  });

  it('with --time-key time, a date string becomes the integer time', () => {
    const fn = jsonTranscoderWithTimeKey('time', parseTimeValue);
    const line = Buffer.from(`{"time":"${ISO}","host":"web-1"}`);
    const out = new Uint8Array(maxTranscodedBytes(line.length));
    const end = fn?.(line, 0, line.length, out, 0, NOW) ?? -1;
    expect(decodeOne(Buffer.from(out.subarray(0, end)))).toEqual({ time: Date.parse(ISO) / 1000, host: 'web-1' });
  });

  it('time keys the time rule itself writes take the slow path', () => {
    expect(jsonTranscoderWithTimeKey('_time', parseTimeValue)).toBeNull();
    expect(jsonTranscoderWithTimeKey('_time_error', parseTimeValue)).toBeNull();
    expect(jsonTranscoderWithTimeKey('0', parseTimeValue)).toBeNull();
  });

  it('the same line through different time keys, one after another (module state is per line)', () => {
    for (let n = 0; n < 3; n++) {
      for (const timeKey of [undefined, 'ts', 'time', undefined]) {
        expect(check(`{"time":"${ISO}","ts":${1_700_000_000 + n},"_time":"u"}`, 'json', NOW, timeKey)).toBe('fast');
      }
    }
  });
});

// A small seeded generator (xorshift32): the same few thousand lines on every run.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const CHARS = ['a', 'b', 'z', 'A', '_', '-', ' ', '/', '"', '\\', '\n', '\t', '\u0001', '\u007f', 'é', 'ß', '中', '文', '\u2028', '😀', '\u{10ffff}', '\ufeff', '0', '9'];

function randomString(r: () => number, max: number): string {
  const len = r() < 0.05 ? 32 + Math.floor(r() * 300) : Math.floor(r() * max);
  let s = '';
  for (let k = 0; k < len; k++) s += CHARS[Math.floor(r() * CHARS.length)];
  return s;
}

function randomKey(r: () => number): string {
  const s = randomString(r, 8);
  return /^[0-9]/.test(s) ? `k${s}` : s;
}

function randomNumber(r: () => number): number {
  switch (Math.floor(r() * 8)) {
    case 0: return Math.floor(r() * 128);
    case 1: return -Math.floor(r() * 40000);
    case 2: return Math.floor(r() * 2 ** 32) + (r() < 0.5 ? 0 : 2 ** 32);
    case 3: return Math.floor(r() * 2 ** 60);
    case 4: return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
    case 5: return Math.round(r() * 100000) / 1000;
    case 6: return -0;
    default: return r() * 2 ** 53;
  }
}

function randomValue(r: () => number, depth: number): unknown {
  const x = r();
  if (depth < 5 && x < 0.12) return randomObject(r, depth + 1);
  if (depth < 5 && x < 0.2) return Array.from({ length: Math.floor(r() * (r() < 0.1 ? 40 : 5)) }, () => randomValue(r, depth + 1));
  if (x < 0.5) return randomString(r, 20);
  if (x < 0.85) return randomNumber(r);
  return [true, false, null][Math.floor(r() * 3)];
}

function randomTime(r: () => number): unknown {
  const x = r();
  if (x < 0.4) return Math.floor(r() * 2e9);
  if (x < 0.7) return new Date(Math.floor(r() * 4e12)).toISOString();
  if (x < 0.8) return String(Math.floor(r() * 2e12));
  return randomValue(r, 4);
}

function randomObject(r: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * (r() < 0.1 ? 40 : 8));
  for (let k = 0; k < n; k++) o[randomKey(r)] = randomValue(r, depth);
  if (depth === 0 && r() < 0.3) o.time = randomTime(r);
  if (depth === 0 && r() < 0.2) o.ts = randomTime(r);
  if (depth === 0 && r() < 0.1) o._time = randomValue(r, 4);
  return o;
}

/** Spellings JSON.stringify never uses: \u escapes for plain characters, \/, exponents, whitespace. */
function respell(r: () => number, json: string): string {
  return json
    .replace(/[a-z/]/g, (ch) => (r() < 0.05 ? (ch === '/' ? '\\/' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) : ch))
    .replace(/([,:[{])/g, (s) => (r() < 0.1 ? `${s} \t` : s))
    .replace(/(?<=[:,[])(\d+)(?=[,\]}])/g, (d) => (r() < 0.2 ? `${d}.0e0` : r() < 0.1 ? `${d}E-0` : d));
}

function mangle(r: () => number, line: Buffer): Buffer {
  const at = Math.floor(r() * (line.length + 1));
  const ins = (b: number[] | string): Buffer => Buffer.concat([line.subarray(0, at), Buffer.from(b as string), line.subarray(at)]);
  switch (Math.floor(r() * 8)) {
    case 0: return line.subarray(0, at);
    case 1: return ins(',');
    case 2: return ins('\\x');
    case 3: return ins([0xff]);
    case 4: return ins([0xed, 0xa0, 0x80]);
    case 5: return ins('\\ud83d');
    case 6: return ins([0x01]);
    default: {
      const m = /"([^"\\]+)":/.exec(line.toString('latin1'));
      return m ? Buffer.concat([line.subarray(0, line.length - 1), Buffer.from(`,"${m[1]}":1}`, 'latin1')]) : line;
    }
  }
}

describe('transcodeJsonLine: random objects (seeded)', () => {
  it.each([[undefined], ['ts'], ['time']] as const)('time key %s: answers most valid lines, always with the oracle\'s bytes; mangled lines fall back or match', (timeKey) => {
    const r = rng(0x7d1f00d);
    let valid = 0;
    let fast = 0;
    let mangled = 0;
    let mangledFast = 0;
    for (let n = 0; n < 3000; n++) {
      const json = JSON.stringify(randomObject(r, 0));
      const line = Buffer.from(n % 3 === 0 ? respell(r, json) : json, 'utf8');
      const isValid = parseJson(line.toString('utf8'), NOW).error === undefined;
      if (isValid) valid++;
      if (check(line, 'json', NOW, timeKey) === 'fast') {
        expect(isValid).toBe(true);
        fast++;
      }
      mangled++;
      if (check(mangle(r, line), 'json', NOW, timeKey) === 'fast') mangledFast++;
    }
    console.log(`random, time key ${String(timeKey)}: ${fast}/${valid} valid lines on the fast path; ${mangledFast}/${mangled} mangled ones (still valid JSON) too`);
    expect(fast / valid).toBeGreaterThan(0.8);
  });
});

describe('transcodeNoneLine', () => {
  const lines: (string | Uint8Array)[] = [
    '', 'plain ascii line', 'héllo 中文 😀', '\u0000\u001f\u007f control', 'a'.repeat(31), 'a'.repeat(32), 'é'.repeat(128),
    'x'.repeat(65535), 'x'.repeat(65536), 'y'.repeat(70000), bytes([0xef, 0xbb, 0xbf], 'bom kept'),
  ];
  it.each(lines.map((l, k) => [k, l] as const))('answers with the oracle\'s bytes (#%i)', (_k, line) => {
    expect(check(line, 'none')).toBe('fast');
  });

  const bad = [[0xff], [0xc0, 0x80], [0xc3], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x9f, 0x98], [0x80], [0xc3, 0x28]];
  it.each(bad.map((b, k) => [k, b] as const))('invalid UTF-8 falls back (#%i)', (_k, b) => {
    expect(check(bytes('abc', b), 'none')).toBe('slow');
    expect(check(bytes(b, 'abc'), 'none')).toBe('slow');
  });
});

describe('output room', () => {
  const worst = [
    '{}',
    `{"a":[${Array.from({ length: 500 }, () => '9e9').join(',')}]}`,
    `{"a":[${Array.from({ length: 500 }, () => '1.5').join(',')}],"b":[${Array.from({ length: 20 }, () => '{}').join(',')}]}`,
    `{${Array.from({ length: 20 }, (_, k) => `"${String.fromCharCode(97 + k)}":1.5`).join(',')}}`,
    `{"s":"${'z'.repeat(70000)}"}`,
    '{"a":[1.5,2.5,[3.5',
    '{"time":[]}', '{"time":""}', '{"time":0.1,"_time":[]}', '{"_time":[],"time":{"a":[{}]}}', '{"ts":[],"time":[[]]}',
    '{"time":{},"ts":1e300}', '{"ts":"1","time":[],"_time":{}}', '{"ts":0.5}', '{"a":[],"ts":0.5,"b":[]}',
  ];
  it.each(worst.map((l, k) => [k, l] as const))('writes only within [pos, pos + maxTranscodedBytes(len)) (#%i)', (_k, line) => {
    const b = Buffer.from(line);
    const withKey = (k: string): LineTranscoder => jsonTranscoderWithTimeKey(k, parseTimeValue) ?? transcodeJsonLine;
    for (const fn of [transcodeJsonLine, transcodeNoneLine, withKey('time'), withKey('ts')]) {
      const pos = 13;
      const room = maxTranscodedBytes(b.length);
      // Exactly the promised room: an answer must fit in it.
      const exact = new Uint8Array(pos + room).fill(0xaa);
      const end = fn(b, 0, b.length, exact, pos, NOW);
      expect(exact.subarray(0, pos).every((x) => x === 0xaa)).toBe(true);
      expect(end).toBeLessThanOrEqual(exact.length);
      // More room than promised: nothing past the promise is touched (typed arrays drop such writes silently).
      const wide = new Uint8Array(pos + room + 64).fill(0xaa);
      const end2 = fn(b, 0, b.length, wide, pos, NOW);
      expect(end2).toBe(end);
      expect(wide.subarray(0, pos).every((x) => x === 0xaa)).toBe(true);
      expect(wide.subarray(pos + room).every((x) => x === 0xaa)).toBe(true);
      if (end >= 0) expect(Buffer.from(exact.subarray(pos, end))).toEqual(Buffer.from(wide.subarray(pos, end)));
    }
  });
});
