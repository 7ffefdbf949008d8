import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramingError, type Frame } from '../../src/inputs/syslog/framing.js';

const texts = (frames: Frame[]) => frames.map((f) => f.data.toString());

/** Push `input` one byte at a time: frames must not depend on how reads split the stream. */
function byteByByte(d: FrameDecoder, input: string): Frame[] {
  const out: Frame[] = [];
  for (const b of Buffer.from(input)) out.push(...d.push(Buffer.from([b])));
  return out;
}

describe('octet counting', () => {
  it('a frame may hold newlines; frames split anywhere across reads', () => {
    const input = '11 <13>a\nb\nc d9 <13>hello';
    expect(texts(new FrameDecoder('octet_counting', 1024).push(Buffer.from(input)))).toEqual(['<13>a\nb\nc d', '<13>hello']);
    expect(texts(byteByByte(new FrameDecoder('auto', 1024), input))).toEqual(['<13>a\nb\nc d', '<13>hello']);
  });

  it('counts bytes, not characters', () => {
    const msg = '<13>é€';
    expect(texts(new FrameDecoder('auto', 64).push(Buffer.from(`${Buffer.byteLength(msg)} ${msg}`)))).toEqual([msg]);
  });

  it('an oversize frame keeps max bytes, reports its length, and the next frame is intact', () => {
    const d = new FrameDecoder('octet_counting', 8);
    const frames = d.push(Buffer.from('20 <13>0123456789abcdef5 <13>x'));
    expect(frames).toEqual([{ data: Buffer.from('<13>0123'), truncatedFrom: 20 }, { data: Buffer.from('<13>x') }]);
  });

  it('octet_counting refuses a frame that does not start with a length', () => {
    expect(() => new FrameDecoder('octet_counting', 64).push(Buffer.from('<13>x\n'))).toThrow(FramingError);
    expect(() => new FrameDecoder('octet_counting', 64).push(Buffer.from('12x<13>'))).toThrow(/length and a space/);
  });

  it('end() in the middle of a frame gives nothing and says how much was pending', () => {
    const d = new FrameDecoder('auto', 64);
    expect(d.push(Buffer.from('20 <13>partial'))).toEqual([]);
    expect(d.end()).toBeNull();
    expect(d.pendingBytes).toBe(11);
  });
});

describe('newline framing', () => {
  it('splits at LF, skips empty lines, keeps CR for the parser to trim', () => {
    const d = new FrameDecoder('newline', 64);
    expect(texts(d.push(Buffer.from('<13>one\r\n\n<13>two\n<13>thr')))).toEqual(['<13>one\r', '<13>two']);
    expect(texts(d.push(Buffer.from('ee\n')))).toEqual(['<13>three']);
  });

  it('newline mode does not treat a leading digit as a length', () => {
    expect(texts(new FrameDecoder('newline', 64).push(Buffer.from('12 not a length\n')))).toEqual(['12 not a length']);
  });

  it('auto: digits that are not a length start a line', () => {
    expect(texts(byteByByte(new FrameDecoder('auto', 64), '123abc\n<13>x\n'))).toEqual(['123abc', '<13>x']);
  });

  it('auto mixes framings per frame', () => {
    expect(texts(new FrameDecoder('auto', 64).push(Buffer.from('<13>nl\n7 <13>a\nb<13>nl2\n')))).toEqual(['<13>nl', '<13>a\nb', '<13>nl2']);
  });

  it('a long line keeps max bytes and the rest up to LF is thrown away', () => {
    const d = new FrameDecoder('newline', 4);
    expect(d.push(Buffer.from('<13>abcdef'))).toEqual([]);
    expect(d.push(Buffer.from('ghij\n<13>\n'))).toEqual([{ data: Buffer.from('<13>'), truncatedFrom: 14 }, { data: Buffer.from('<13>') }]);
  });

  it('end() completes a last line without LF', () => {
    const d = new FrameDecoder('auto', 64);
    d.push(Buffer.from('<13>last'));
    expect(d.end()).toEqual({ data: Buffer.from('<13>last') });
  });
});
