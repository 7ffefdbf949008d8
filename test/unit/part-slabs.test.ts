// PartSlabs (src/ingest/part-slabs.ts): a cut part's memory, reused once its compression settled.
import { describe, expect, it } from 'vitest';
import { PartSlabs } from '../../src/ingest/part-slabs.js';

const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

describe('PartSlabs', () => {
  it('copies a large part into a slab, and reuses the slab once it is given back', () => {
    const slabs = new PartSlabs();
    const a = slabs.copy(bytes(300_000, 1));
    expect(a.length).toBe(300_000);
    expect(a.every((b) => b === 1)).toBe(true);
    slabs.give(a);
    expect(slabs.free).toBe(1);
    const b = slabs.copy(bytes(250_000, 2));
    expect(b.buffer).toBe(a.buffer); // the same memory, rewritten
    expect(b.length).toBe(250_000);
    expect(b.every((x) => x === 2)).toBe(true);
    expect(slabs.free).toBe(0);
  });

  it('does not reuse a slab still out, nor one too small, and takes each back once', () => {
    const slabs = new PartSlabs();
    const a = slabs.copy(bytes(200_000, 1));
    const b = slabs.copy(bytes(200_000, 2));
    expect(b.buffer).not.toBe(a.buffer);
    expect(a.every((x) => x === 1)).toBe(true); // b's copy did not touch a
    slabs.give(a);
    slabs.give(a); // twice: once only
    expect(slabs.free).toBe(1);
    const big = slabs.copy(bytes(900_000, 3));
    expect(big.buffer).not.toBe(a.buffer); // a's slab is too small for it
    expect(slabs.free).toBe(1);
  });

  it('leaves small parts as plain copies and ignores memory it did not hand out', () => {
    const slabs = new PartSlabs();
    const small = slabs.copy(bytes(1000, 7));
    expect(small.every((x) => x === 7)).toBe(true);
    slabs.give(small);
    slabs.give(Buffer.alloc(500_000));
    expect(slabs.free).toBe(0);
  });
});
