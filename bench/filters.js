#!/usr/bin/env node
// `npm run build && node bench/filters.js [--records N]`: the filter chain's block path alone, on N
// (default 1M) ~200-byte access records packed as the encoders pack them, in parts of ~1 MiB (the
// buffer's part size). Filters: the pair (a `record` filter adding hostname, a `grep`
// exclude on path) and a `modify` (rename + keep). For each: records/s through applyBlock, and the
// same records through decode → applyRecord → encode (what the block path saves) for the ratio.
// The daemon's tail bench (bench/daemon.js) measures filters end to end once the encoder calls them.
import { Packr, Unpackr } from 'msgpackr';
import { accessRecord } from './access-record.js';
import { FilterChain } from '../dist/filters/chain.js';
import { filterSchema } from '../dist/filters/config.js';

const args = process.argv.slice(2);
const total = Number(args.includes('--records') ? args[args.indexOf('--records') + 1] : 1_000_000) || 1_000_000;
const PART_BYTES = 1024 * 1024;
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });

/** The records in parts of about PART_BYTES, as the encoders cut them. */
function parts() {
  const out = [];
  let pieces = [];
  let bytes = 0;
  let n = 0;
  for (let i = 0; i < total; i++) {
    const b = packr.pack({ ...accessRecord(i), time: 1_764_669_600 + Math.floor(i / 1000) });
    pieces.push(Buffer.from(b));
    bytes += b.length;
    n++;
    if (bytes >= PART_BYTES) {
      out.push({ data: Buffer.concat(pieces), records: n });
      pieces = [];
      bytes = 0;
      n = 0;
    }
  }
  if (n > 0) out.push({ data: Buffer.concat(pieces), records: n });
  return out;
}

const CASES = {
  'record (hostname) + grep exclude': [
    { type: 'record', match: 'td.**', set: { hostname: '${hostname}' } },
    { type: 'grep', match: 'td.**', exclude: [{ key: 'path', pattern: '^/health' }] },
  ],
  'modify (rename + keep)': [{ type: 'modify', match: 'td.**', rename: { path: 'url' }, keep: ['url', 'code', 'host', 'seq'] }],
};

function timeIt(fn) {
  const t0 = performance.now();
  const kept = fn();
  return { ms: performance.now() - t0, kept };
}

const blocks = parts();
const rawBytes = blocks.reduce((s, p) => s + p.data.length, 0);
console.log(`${total} records in ${blocks.length} parts, ${(rawBytes / 1e6).toFixed(1)} MB of msgpack (node ${process.version})`);
for (const [name, filters] of Object.entries(CASES)) {
  const chain = new FilterChain(filters.map((f) => filterSchema.parse(f)), { hostname: 'web-1.example.internal' });
  const best = (fn) => [0, 1, 2].map(() => timeIt(fn)).sort((a, b) => a.ms - b.ms)[0];
  const block = best(() => blocks.reduce((s, p) => s + chain.applyBlock('td.app.access', p.data, p.records).records, 0));
  const objects = best(() => {
    let kept = 0;
    for (const p of blocks) {
      const out = [];
      for (const r of unpackr.unpackMultiple(p.data)) {
        const f = chain.applyRecord('td.app.access', r);
        if (f !== null) out.push(Buffer.from(packr.pack(f)));
      }
      Buffer.concat(out);
      kept += out.length;
    }
    return kept;
  });
  const rate = (t) => Math.round(total / (t.ms / 1000)).toLocaleString('en-US');
  console.log(`${name}: applyBlock ${block.ms.toFixed(0)} ms (${rate(block)} records/s, ${(block.ms * 1000 / total).toFixed(2)} µs each), kept ${block.kept}; decode → applyRecord → encode ${objects.ms.toFixed(0)} ms (${rate(objects)} records/s): block path ${(objects.ms / block.ms).toFixed(1)}× faster`);
}
