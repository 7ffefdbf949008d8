// FreeList (src/core/free-list.ts): what the ingest path reuses its buffers and zlib streams through.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FreeList } from '../../src/core/free-list.js';

describe('FreeList', () => {
  it('gives back the most recent free object that fits, and nothing when none does', () => {
    const list = new FreeList<number>({ maxFree: 4, idleMs: 60_000 });
    expect(list.take()).toBeUndefined();
    list.give(10);
    list.give(30);
    list.give(20);
    expect(list.take((n) => n >= 25)).toBe(30);
    expect(list.take((n) => n >= 25)).toBeUndefined();
    expect(list.take()).toBe(20);
    expect(list.take()).toBe(10);
    expect(list.size).toBe(0);
  });

  it('keeps maxFree at most and drops the rest', () => {
    const dropped: number[] = [];
    const list = new FreeList<number>({ maxFree: 2, idleMs: 60_000, drop: (n) => dropped.push(n) });
    for (const n of [1, 2, 3, 4]) list.give(n);
    expect(list.size).toBe(2);
    expect(dropped).toEqual([3, 4]);
    list.clear();
    expect(dropped).toEqual([3, 4, 1, 2]);
    expect(list.size).toBe(0);
  });

  it('drops every free object once unused for idleMs, and not while in use', async () => {
    const dropped: string[] = [];
    const list = new FreeList<string>({ maxFree: 4, idleMs: 80, drop: (s) => dropped.push(s) });
    list.give('a');
    // Used every 20 ms for ~200 ms: longer than idleMs in all, never idle that long.
    for (let i = 0; i < 10; i++) {
      await sleep(20);
      list.give(list.take() ?? 'lost');
    }
    expect(dropped).toEqual([]);
    expect(list.size).toBe(1);
    await sleep(250);
    expect(dropped).toEqual(['a']);
    expect(list.size).toBe(0);
  });
});
