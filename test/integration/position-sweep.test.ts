// The daemon's sweep of tail positions (daemon/position-sweep.ts) on a real buffer and real files: a
// position is forgotten only when it is stale and its file is missing at two sweeps in a row; a file
// that exists, comes back, or is committed again keeps its position, and other sources are left alone.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PositionSweep } from '../../src/daemon/position-sweep.js';
import { sourceOf } from '../../src/inputs/tail/start-position.js';
import type { ChunkStore } from '../../src/buffer/store.js';
import { openStore } from '../helpers/store.js';
import { tempDir } from '../helpers/tmp.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(): { dir: string; store: ChunkStore; clock: { now: number }; commit: (path: string) => void; sources: () => string[] } {
  const t = tempDir('tdfwd-sweep-');
  const clock = { now: 1_700_000_000_000 };
  const store = openStore(join(t.dir, 'buf'), {}, () => clock.now);
  cleanups.push(t.cleanup, () => store.close());
  return {
    dir: t.dir,
    store,
    clock,
    commit: (path) => store.savePositions([{ source: sourceOf(path), inode: '42', offset: 100 }]),
    sources: () => store.allPositions().map((p) => p.source),
  };
}

describe('PositionSweep', () => {
  it('forgets a stale position of a missing file at the second sweep; existing and fresh ones stay', () => {
    const { dir, store, clock, commit, sources } = setup();
    const [kept, gone, fresh] = ['kept.log', 'gone.log', 'fresh.log'].map((n) => join(dir, n)) as [string, string, string];
    for (const p of [kept, gone, fresh]) writeFileSync(p, 'x\n');
    for (const p of [kept, gone, fresh]) commit(p);
    store.savePositions([{ source: 'other:thing', inode: null, offset: 1 }]); // not a tail source
    rmSync(gone);
    rmSync(fresh);
    clock.now += 23 * HOUR;
    commit(fresh); // still being committed (e.g. read to its end after a rotation)
    const sweep = new PositionSweep(store, DAY);

    expect(sweep.sweep(clock.now + 2 * HOUR)).toEqual([]); // first sighting: only a candidate
    expect(sources()).toHaveLength(4);
    expect(sweep.sweep(clock.now + 3 * HOUR)).toEqual([gone]);
    expect(sources().sort()).toEqual([sourceOf(fresh), sourceOf(kept), 'other:thing'].sort());

    // fresh.log goes stale later, and is then forgotten the same way
    expect(sweep.sweep(clock.now + 25 * HOUR)).toEqual([]);
    expect(sweep.sweep(clock.now + 26 * HOUR)).toEqual([fresh]);
    expect(sources().sort()).toEqual([sourceOf(kept), 'other:thing'].sort());
  });

  it('a file that comes back between sweeps, or a position committed again, is not forgotten', () => {
    const { dir, clock, commit, sources, store } = setup();
    const back = join(dir, 'back.log');
    const moved = join(dir, 'moved.log');
    commit(back);
    commit(moved);
    const sweep = new PositionSweep(store, DAY);
    clock.now += 2 * DAY;
    expect(sweep.sweep(clock.now)).toEqual([]); // both missing: candidates

    writeFileSync(back, 'again\n'); // e.g. the volume was mounted again
    commit(moved); // committed since the last sweep: no longer stale
    expect(sweep.sweep(clock.now + HOUR)).toEqual([]);
    expect(sources()).toHaveLength(2);

    // back.log missing again: it must be seen missing at two sweeps once more
    rmSync(back);
    expect(sweep.sweep(clock.now + 2 * HOUR)).toEqual([]);
    expect(sweep.sweep(clock.now + 3 * HOUR)).toEqual([back]);
  });
});
