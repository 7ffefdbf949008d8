// Where reading a file begins, from the positions committed by an earlier run. Pure.
//
// - Same path, same inode: resume at the stored offset (0 if the file is now shorter: truncated),
//   unless the file's first bytes no longer match the stored fingerprint: then it is another file
//   that got the old inode (deleted and recreated, or rewritten in place while we were down): read
//   it from 0 ('replaced').
// - The stored inode of some path now sits at another matched path (`app.log` was rotated to
//   `app.log.1` while we were down): that file resumes at the old path's offset ("claim").
// - The path's inode changed and nothing claims the new one: rotated while we were down, read from 0.
// - No stored position: a file present at start begins at its end (unless read_from_head); a file
//   that appears later was created after we started and is read from 0.

import { crc32 } from 'node:zlib';
import type { HeadPrint } from '../../core/sink.js';

/** Bytes of a file's start its fingerprint covers at most. */
export const HEAD_PRINT_BYTES = 1024;

interface StoredTailPosition {
  inode: string | null;
  offset: number;
  headLen?: number | null;
  headCrc?: number | null;
}

export interface StoredPositionLookup {
  get(source: string): StoredTailPosition | undefined;
}

/** The fingerprint of a file whose first bytes are `head` (at most HEAD_PRINT_BYTES of them), up to `offset`. */
export function headPrint(head: Buffer, offset: number): HeadPrint {
  const len = Math.min(offset, head.length, HEAD_PRINT_BYTES);
  return { len, crc: crc32(head.subarray(0, len)) };
}

/** Whether `head` (the current file's first bytes) is the file a stored fingerprint was taken of. */
function sameHead(stored: StoredTailPosition, head: Buffer | undefined): boolean {
  if (head === undefined || stored.headLen == null || stored.headCrc == null || stored.headLen === 0) return true;
  if (head.length < stored.headLen) return true; // shorter than the print: the truncation rule decides
  return crc32(head.subarray(0, stored.headLen)) === stored.headCrc;
}

/** What the daemon may hand over: a `get` lookup, or the ChunkStore itself (`getPosition`). */
export type PositionLookup =
  | StoredPositionLookup
  | { getPosition(source: string): StoredTailPosition | undefined };

export function asLookup(p: PositionLookup): StoredPositionLookup {
  return 'get' in p ? p : { get: (source) => p.getPosition(source) };
}

export function sourceOf(path: string): string {
  return `tail:${path}`;
}

/** The path of a tail position's source; null for another kind of source. */
export function pathOfSource(source: string): string | null {
  return source.startsWith('tail:') ? source.slice('tail:'.length) : null;
}

/** Offsets claimed by inode: stored positions whose path now names a different file. */
export function claimsByInode(
  current: ReadonlyMap<string, string>, // path → inode it names now
  positions: StoredPositionLookup,
): Map<string, number> {
  const claims = new Map<string, number>();
  for (const [path, inode] of current) {
    const stored = positions.get(sourceOf(path));
    if (!stored || stored.inode === null || stored.inode === inode) continue;
    claims.set(stored.inode, Math.max(claims.get(stored.inode) ?? 0, stored.offset));
  }
  return claims;
}

export type StartReason = 'resume' | 'claimed' | 'rotated' | 'truncated' | 'replaced' | 'head' | 'end';

export interface StartPlan {
  offset: number;
  reason: StartReason;
}

export function startOffset(
  path: string,
  inode: string,
  size: number,
  opts: {
    positions: StoredPositionLookup;
    claims?: ReadonlyMap<string, number>;
    atStartup: boolean;
    readFromHead: boolean;
    /** The file's first bytes (up to HEAD_PRINT_BYTES), checked against the stored fingerprint. */
    head?: Buffer;
  },
): StartPlan {
  const stored = opts.positions.get(sourceOf(path));
  if (stored && stored.inode === inode && stored.offset <= size && !sameHead(stored, opts.head)) return { offset: 0, reason: 'replaced' };
  const own = stored && stored.inode === inode ? stored.offset : undefined;
  const claim = opts.claims?.get(inode);
  let plan: StartPlan | undefined;
  if (own !== undefined) plan = { offset: Math.max(own, claim ?? 0), reason: 'resume' };
  else if (claim !== undefined) plan = { offset: claim, reason: 'claimed' };
  if (plan) return plan.offset > size ? { offset: 0, reason: 'truncated' } : plan;
  if (stored && stored.inode !== null) return { offset: 0, reason: 'rotated' };
  if (opts.atStartup && !opts.readFromHead) return { offset: size, reason: 'end' };
  return { offset: 0, reason: 'head' };
}
