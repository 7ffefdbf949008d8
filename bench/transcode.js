#!/usr/bin/env node
// JSON line → msgpack record: the slow path (Buffer → string, createParser('json'), packOne) against
// the byte-level fast path (transcodeJsonLine), per line, on lines shaped like bench/gen-lines.js's.
// Run after `npx tsc -p tsconfig.build.json`. usage: node bench/transcode.js [N=200000] [ROUNDS=5] [--time]
// (--time: the records carry their own ISO `time` string, which the time rule moves to `_time`)
import { maxTranscodedBytes, transcodeJsonLine, transcodeNoneLine } from '../dist/codec/json-transcode.js';
import { packOne } from '../dist/codec/msgpack.js';
import { createParser } from '../dist/parsers/index.js';
import { accessRecord } from './access-record.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const n = Number(positional[0] ?? 200_000);
const rounds = Number(positional[1] ?? 5);
const shape = { time: process.argv.includes('--time') };
const NOW = 1_764_000_000;

// The records of bench/gen-lines.js, generated in memory into one block (as the tail input reads it).
const lines = Array.from({ length: n }, (_, i) => JSON.stringify(accessRecord(i, shape)));
const block = Buffer.from(lines.join('\n') + '\n');
const starts = new Int32Array(n);
const ends = new Int32Array(n);
for (let i = 0, p = 0; i < n; i++) {
  starts[i] = p;
  p = block.indexOf(0x0a, p);
  ends[i] = p;
  p++;
}
const avgBytes = (block.length - n) / n;
const out = Buffer.allocUnsafe(8 << 20);
const room = maxTranscodedBytes(4096);

const parse = createParser('json');
const parseNone = createParser('none');

function slow(p) {
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += packOne(p(block.toString('utf8', starts[i], ends[i]), NOW).record).length;
  return bytes;
}

// One loop per transcoder (a shared loop would make its call site polymorphic).
function fastJson() {
  let pos = 0;
  let bytes = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (pos + room > out.length) {
      bytes += pos;
      pos = 0;
    }
    const e = transcodeJsonLine(block, starts[i], ends[i], out, pos, NOW);
    if (e >= 0) {
      pos = e;
      hits++;
    }
  }
  return { bytes: bytes + pos, hits };
}

function fastNone() {
  let pos = 0;
  let bytes = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    if (pos + room > out.length) {
      bytes += pos;
      pos = 0;
    }
    const e = transcodeNoneLine(block, starts[i], ends[i], out, pos, NOW);
    if (e >= 0) {
      pos = e;
      hits++;
    }
  }
  return { bytes: bytes + pos, hits };
}

// Same bytes for every line, checked once before timing.
let mismatches = 0;
for (let i = 0; i < n; i++) {
  const want = packOne(parse(block.toString('utf8', starts[i], ends[i]), NOW).record);
  const e = transcodeJsonLine(block, starts[i], ends[i], out, 0, NOW);
  if (e >= 0 && Buffer.compare(out.subarray(0, e), want) !== 0) mismatches++;
}

function time(label, f) {
  let best = Infinity;
  let result;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    result = f();
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (ns < best) best = ns;
  }
  return { label, ns: best, result };
}

const results = [
  time('json oracle (toString + JSON.parse + stampTime + pack)', () => slow(parse)),
  time('json fast   (transcodeJsonLine)', fastJson),
  time('none oracle (toString + {message, time} + pack)', () => slow(parseNone)),
  time('none fast   (transcodeNoneLine)', fastNone),
];
console.log(`${n} lines${shape.time ? ' with a string time' : ''}, ${avgBytes.toFixed(0)} bytes each on average, best of ${rounds} rounds, node ${process.version}`);
for (const r of results) {
  const hit = typeof r.result === 'object' ? `  hit rate ${((100 * r.result.hits) / n).toFixed(1)}%` : '';
  console.log(`${r.label.padEnd(56)} ${r.ns.toFixed(0).padStart(6)} ns/line${hit}`);
}
console.log(`speed-up: json ${(results[0].ns / results[1].ns).toFixed(1)}x, none ${(results[2].ns / results[3].ns).toFixed(1)}x; mismatches against the oracle: ${mismatches}`);
if (mismatches > 0) process.exitCode = 1;
