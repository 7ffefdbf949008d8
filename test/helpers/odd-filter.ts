// A trivial real BlockFilter for the tests of the encoder's filter hook: it keeps the records at even
// positions of each block (scanning the msgpack maps with src/codec, copying the kept ones) and counts
// its calls per tag.
import { valueEnd } from '../../src/codec/forward-scan.js';
import type { BlockFilter } from '../../src/core/record-filter.js';

export interface CountingFilter extends BlockFilter {
  /** Blocks seen, by tag. */
  readonly calls: Map<string, number>;
  active: boolean;
}

export function oddRecordsDropped(): CountingFilter {
  const calls = new Map<string, number>();
  return {
    calls,
    active: true,
    applyBlock(tag, entries, records) {
      calls.set(tag, (calls.get(tag) ?? 0) + 1);
      const kept: Buffer[] = [];
      let pos = 0;
      for (let i = 0; i < records; i++) {
        const end = valueEnd(entries, pos);
        if (end < 0) throw new Error(`record ${i} of ${records} does not end within the block`);
        if (i % 2 === 0) kept.push(entries.subarray(pos, end));
        pos = end;
      }
      if (pos !== entries.length) throw new Error('the block holds more bytes than its records');
      return { entries: Buffer.concat(kept), records: kept.length };
    },
  };
}
