// The encoder's line path with a time key: json lines take the transcoder (the fast path) for every
// time key it supports, and the records are the parser's, byte for byte, whichever path each line took.
import { describe, expect, it } from 'vitest';
import { packOne } from '../../src/codec/msgpack.js';
import { BlockEncoder } from '../../src/ingest/block-encoder.js';
import { transcoderFor } from '../../src/ingest/line-bytes.js';
import { createParser } from '../../src/parsers/index.js';

const NOW = 1_764_000_000;

const LINES = [
  '{"time":"2026-12-02T10:00:00Z","host":"web-1"}',
  '{"host":"web-2","time":"2026-12-02T10:00:00Z","ts":"2026-12-02T11:00:00+01:00"}',
  '{"ts":1700000000123,"time":1.5,"_time":"old"}',
  '{"ts":"junk","msg":"an unparseable time key value: _time_error, on the slow path"}',
  '{"ts":"2026-12-02T10:00:01Z"}',
  '{"ts":"2026-12-02T10:00:01Z","time":"2026-12-02T10:00:01Z"}',
  'not json at all',
];

describe('transcoderFor', () => {
  it('has a fast path for json with any time key but those the time rule writes, and for none unless its time key is message', () => {
    expect(transcoderFor('json', undefined)).not.toBeNull();
    expect(transcoderFor('json', 'time')).not.toBeNull();
    expect(transcoderFor('json', 'ts')).not.toBeNull();
    expect(transcoderFor('json', '_time')).toBeNull();
    expect(transcoderFor('none', 'ts')).not.toBeNull();
    expect(transcoderFor('none', 'message')).toBeNull();
    expect(transcoderFor('ltsv', undefined)).toBeNull();
  });

  it.each([[undefined], ['time'], ['ts'], ['_time']] as const)('time key %s: a block of lines encodes to the parser\'s records', (timeKey) => {
    const parse = createParser('json', timeKey === undefined ? {} : { timeKey });
    const want = Buffer.concat(LINES.map((l) => packOne(parse(l, NOW).record)));
    const enc = new BlockEncoder(1 << 20, 1000);
    // Twice: the second block runs with the parser's and transcoder's state left by the first.
    for (let n = 0; n < 2; n++) {
      const r = enc.lines({ format: 'json', ...(timeKey === undefined ? {} : { timeKey }), maxLineBytes: 1 << 20, block: Buffer.from(`${LINES.join('\n')}\n`), nowSec: NOW });
      expect(r.lines).toBe(LINES.length);
      expect(r.parseErrors).toBe(1);
      expect(Buffer.concat(r.parts.map((p) => p.data)).toString('hex')).toBe(want.toString('hex'));
    }
  });
});
