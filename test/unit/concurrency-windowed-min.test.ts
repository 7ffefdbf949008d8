// WindowedMin: the lowest sample of the last N time buckets in which something was measured.
import { describe, expect, it } from 'vitest';
import { WindowedMin } from '../../src/delivery/windowed-min.js';

describe('WindowedMin', () => {
  it('is null before a sample, then the lowest sample', () => {
    const m = new WindowedMin(60_000, 10);
    expect(m.value).toBeNull();
    m.add(80, 0);
    m.add(50, 1000);
    m.add(90, 2000);
    expect(m.value).toBe(50);
  });

  it('forgets a sample once `buckets` newer buckets hold samples', () => {
    const m = new WindowedMin(60_000, 3);
    m.add(10, 0);
    m.add(100, 60_000);
    m.add(100, 120_000);
    expect(m.value).toBe(10);
    m.add(100, 180_000);
    expect(m.value).toBe(100);
  });

  it('does not age while nothing is measured', () => {
    const m = new WindowedMin(60_000, 3);
    m.add(10, 0);
    m.add(100, 10 * 3_600_000);
    expect(m.value).toBe(10);
  });

  it('keeps a sample from a clock that stepped back in the newest bucket', () => {
    const m = new WindowedMin(60_000, 2);
    m.add(100, 600_000);
    m.add(5, 0);
    expect(m.value).toBe(5);
  });

  it('rejects a zero bucket width or count', () => {
    expect(() => new WindowedMin(0, 3)).toThrow(RangeError);
    expect(() => new WindowedMin(1000, 0)).toThrow(RangeError);
  });
});
