// FrameAssembly (src/inputs/forward/frame-assembly.ts): a forward connection's partial frame, held in
// one reused buffer; a header alone never allocates the size it claims.
import { describe, expect, it } from 'vitest';
import { FrameAssembly } from '../../src/inputs/forward/frame-assembly.js';

const bytes = (s: string): Buffer => Buffer.from(s);

describe('FrameAssembly', () => {
  it('keeps the rest of a read, appends the next reads after it, and keeps the rest of its own view', () => {
    const a = new FrameAssembly();
    const read1 = bytes('AAAAbb');
    a.keep(read1, 4, 5); // frames up to 4 taken; "bb" starts a 5-byte frame
    read1.fill(0); // the read's memory is the socket's: the kept bytes are a copy
    expect(a.held).toBe(2);
    a.append(bytes('bbbCC'));
    expect(a.view().toString()).toBe('bbbbbCC');
    const view = a.view();
    a.keep(view, 5, 4); // "CC" starts the next frame
    expect(a.view().toString()).toBe('CC');
    a.append(bytes('CCD'));
    expect(a.view().toString()).toBe('CCCCD');
  });

  it('lets its buffer go once nothing is left, and starts empty again', () => {
    const a = new FrameAssembly();
    a.keep(bytes('xyz'), 1, 10);
    a.append(bytes('1234567'));
    const v = a.view();
    a.keep(v, v.length, 1);
    expect(a.held).toBe(0);
    expect(a.view().length).toBe(0);
    a.keep(bytes('q'), 0, 2);
    expect(a.view().toString()).toBe('q');
  });

  it('grows as the bytes of a large frame come, never to a size a header only claims', () => {
    const a = new FrameAssembly();
    a.keep(bytes('h'), 0, 60 * 1024 * 1024); // a header claiming 60 MB
    expect(a.view().buffer.byteLength).toBeLessThanOrEqual(2 * 1024 * 1024);
    const piece = Buffer.alloc(300_000, 7);
    for (let i = 0; i < 10; i++) a.append(piece);
    expect(a.held).toBe(1 + 3_000_000);
    const v = a.view();
    expect(v[0]).toBe('h'.charCodeAt(0));
    expect(v.subarray(1).every((b) => b === 7)).toBe(true);
  });
});
