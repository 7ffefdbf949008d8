import { describe, expect, test } from 'vitest';
import { LineSplitter } from '../../src/parsers/line-splitter.js';

/** Feeds `input` to a splitter cut at every given size; returns all lines and the splitter. */
function splitAll(input: Buffer, chunkSize: number, max?: number): { lines: string[]; rest: string | null; sp: LineSplitter } {
  const sp = new LineSplitter(max === undefined ? {} : { maxLineBytes: max });
  const lines: string[] = [];
  for (let off = 0; off < input.length; off += chunkSize) lines.push(...sp.push(input.subarray(off, off + chunkSize)));
  return { lines, rest: sp.end(), sp };
}

describe('LineSplitter', () => {
  test('splits lines within and across chunks, returns empty lines, keeps the unterminated rest', () => {
    const sp = new LineSplitter();
    expect(sp.push(Buffer.from('a\nbb\n\nc'))).toEqual(['a', 'bb', '']);
    expect(sp.pendingBytes).toBe(1);
    expect(sp.consumedBytes).toBe(6);
    expect(sp.push(Buffer.from('cc'))).toEqual([]);
    expect(sp.push(Buffer.from('c\nd'))).toEqual(['cccc']);
    expect(sp.consumedBytes).toBe(11);
    expect(sp.end()).toBe('d');
    expect(sp.end()).toBeNull();
    expect(sp.consumedBytes).toBe(12);
    expect(sp.pendingBytes).toBe(0);
    expect(new LineSplitter().push(Buffer.alloc(0))).toEqual([]);
  });

  test('every chunking of the same input gives the same lines', () => {
    const input = Buffer.from('first\r\nsecond\n\nthird ü€😀\r\n\r\nlast');
    const want = ['first', 'second', '', 'third ü€😀', ''];
    for (let size = 1; size <= input.length; size++) {
      const { lines, rest, sp } = splitAll(input, size);
      expect(lines, `chunk size ${size}`).toEqual(want);
      expect(rest).toBe('last');
      expect(sp.consumedBytes).toBe(input.length);
    }
  });

  test('\\r\\n with the \\r and \\n in different chunks; a lone \\r inside a line stays', () => {
    const sp = new LineSplitter();
    expect(sp.push(Buffer.from('abc\r'))).toEqual([]);
    expect(sp.push(Buffer.from('\ndef\rx\n'))).toEqual(['abc', 'def\rx']);
  });

  test('a multi-byte character split across chunks is decoded whole', () => {
    const bytes = Buffer.from('日本語\n😀\n');
    const sp = new LineSplitter();
    const lines = [...sp.push(bytes.subarray(0, 4)), ...sp.push(bytes.subarray(4, 12)), ...sp.push(bytes.subarray(12))];
    expect(lines).toEqual(['日本語', '😀']);
  });

  test('consumedBytes marks the end of the last returned line, for tail offsets', () => {
    const input = Buffer.from('αβ\nγ\nδεζ');
    const sp = new LineSplitter();
    sp.push(input.subarray(0, 3));
    expect(sp.consumedBytes).toBe(0);
    sp.push(input.subarray(3));
    expect(sp.consumedBytes).toBe(Buffer.byteLength('αβ\nγ\n'));
    expect(input.subarray(sp.consumedBytes).toString()).toBe('δεζ');
    expect(sp.consumedBytes + sp.pendingBytes).toBe(input.length);
  });

  test('a line over the limit is truncated to the limit and counted; its neighbours are untouched', () => {
    const input = Buffer.from(`short\n${'x'.repeat(25)}\nok\r\n${'y'.repeat(10)}\r\n${'z'.repeat(11)}\n`);
    for (const size of [1, 3, 7, 64, input.length]) {
      const { lines, sp } = splitAll(input, size, 10);
      expect(lines, `chunk size ${size}`).toEqual(['short', 'x'.repeat(10), 'ok', 'y'.repeat(10), 'z'.repeat(10)]);
      expect(sp.truncatedLines).toBe(2);
      expect(sp.consumedBytes).toBe(input.length);
    }
  });

  test('truncation never cuts a multi-byte character', () => {
    // "€" is 3 bytes: a 10-byte limit fits "ab" + two € (8 bytes) but not a third.
    const input = Buffer.from('ab€€€€\n');
    for (const size of [1, 2, 5, input.length]) {
      const { lines, sp } = splitAll(input, size, 10);
      expect(lines).toEqual(['ab€€']);
      expect(sp.truncatedLines).toBe(1);
    }
    expect(splitAll(Buffer.from('😀😀😀'), 2, 9).rest).toBe('😀😀');
  });

  test('an oversize line is not accumulated: memory held stays at the limit', () => {
    const sp = new LineSplitter({ maxLineBytes: 1000 });
    const block = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 200; i++) expect(sp.push(block)).toEqual([]); // 12.5 MiB of one line
    expect(sp.pendingBytes).toBe(200 * block.length);
    const lines = sp.push(Buffer.from('a\nnext\n'));
    expect(lines).toEqual(['a'.repeat(1000), 'next']);
    expect(sp.truncatedLines).toBe(1);
    expect(sp.consumedBytes).toBe(200 * block.length + 7);
  });

  test('the unterminated rest is truncated too', () => {
    const sp = new LineSplitter({ maxLineBytes: 4 });
    sp.push(Buffer.from('abcdefgh'));
    expect(sp.end()).toBe('abcd');
    expect(sp.truncatedLines).toBe(1);
  });

  test('the splitter copies what it holds: the caller may reuse its buffer', () => {
    const sp = new LineSplitter();
    const buf = Buffer.from('abc');
    sp.push(buf);
    buf.fill(0x7a);
    expect(sp.push(Buffer.from('\n'))).toEqual(['abc']);
  });

  test('one large chunk of many lines, as a file read gives it', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)}`);
    const { lines: got, sp } = splitAll(Buffer.from(lines.join('\n') + '\n'), 1 << 30, 300);
    expect(got).toEqual(lines);
    expect(sp.truncatedLines).toBe(0);
  });

  test('random inputs and chunkings agree with a simple reference splitter', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ['a', 'b', '\n', '\r', 'é', '€', '😀', ' '];
    const reference = (text: string, max: number): string[] =>
      text.split('\n').map((l) => {
        const content = Buffer.from(l.endsWith('\r') ? l.slice(0, -1) : l);
        if (content.length <= max) return content.toString();
        let cut = max;
        while (cut > 0 && ((content[cut] as number) & 0xc0) === 0x80) cut--;
        return content.toString('utf8', 0, cut);
      });
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: rand(80) }, () => alphabet[rand(alphabet.length)]).join('');
      const max = 1 + rand(12);
      const input = Buffer.from(text);
      const sp = new LineSplitter({ maxLineBytes: max });
      const got: string[] = [];
      for (let off = 0; off < input.length; ) {
        const size = 1 + rand(20);
        got.push(...sp.push(input.subarray(off, off + size)));
        off += size;
      }
      const rest = sp.end();
      if (rest !== null) got.push(rest);
      const want = reference(text, max);
      if (want[want.length - 1] === '') want.pop(); // a final "\n" leaves no rest
      expect(got, JSON.stringify({ text, max })).toEqual(want);
      expect(sp.consumedBytes).toBe(input.length);
    }
  });

  test('rejects a bad limit', () => {
    expect(() => new LineSplitter({ maxLineBytes: 0 })).toThrow(RangeError);
  });
});
