// Where a tail starts reading a file, from its stored position: the fingerprint rule (the CRC-32 of the
// file's first bytes) tells a file that got the old inode back from the file that was read.
import { describe, expect, it } from 'vitest';
import { headPrint, startOffset, type StoredPositionLookup } from '../../src/inputs/tail/start-position.js';

const lookup = (pos: { inode: string; offset: number; headLen?: number | null; headCrc?: number | null }): StoredPositionLookup => ({
  get: (source) => (source === 'tail:/l/app.log' ? pos : undefined),
});
const opts = (positions: StoredPositionLookup, head?: Buffer) => ({ positions, atStartup: true, readFromHead: false, ...(head ? { head } : {}) });

describe('tail start position', () => {
  const old = Buffer.from('2026-12-03 first line of the old file\n2026-12-03 second\n');
  const print = headPrint(old, old.length);

  it('the same inode with the same first bytes resumes at the stored offset', () => {
    const grown = Buffer.concat([old, Buffer.from('more\n')]);
    expect(startOffset('/l/app.log', '7', grown.length, opts(lookup({ inode: '7', offset: old.length, headLen: print.len, headCrc: print.crc }), grown))).toEqual({ offset: old.length, reason: 'resume' });
  });

  it('the same inode with other first bytes is another file: read from 0', () => {
    const other = Buffer.from('2026-12-04 a new file that got the old inode, just as long!!\n');
    expect(other.length).toBeGreaterThanOrEqual(old.length);
    expect(startOffset('/l/app.log', '7', other.length, opts(lookup({ inode: '7', offset: old.length, headLen: print.len, headCrc: print.crc }), other))).toEqual({ offset: 0, reason: 'replaced' });
  });

  it('a position without a fingerprint (imported, or older) resumes as before; a shorter file is truncated', () => {
    const other = Buffer.from('x'.repeat(100));
    expect(startOffset('/l/app.log', '7', 100, opts(lookup({ inode: '7', offset: 50, headLen: null, headCrc: null }), other))).toEqual({ offset: 50, reason: 'resume' });
    expect(startOffset('/l/app.log', '7', 10, opts(lookup({ inode: '7', offset: 50, headLen: print.len, headCrc: print.crc }), other.subarray(0, 10)))).toEqual({ offset: 0, reason: 'truncated' });
  });

  it('the fingerprint covers min(offset, 1 KiB) bytes', () => {
    const big = Buffer.alloc(4096, 'a');
    expect(headPrint(big, 10).len).toBe(10);
    expect(headPrint(big, 4096).len).toBe(1024);
    expect(headPrint(big.subarray(0, 300), 4096).len).toBe(300);
  });
});
