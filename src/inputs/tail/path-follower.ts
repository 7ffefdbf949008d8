// The files one path has named, in rotation order. The head is the file being read; the ones behind
// it are newer files the path named after the head was rotated away. They wait (descriptor held, so
// a second rotation cannot lose them) until the head has been read to its end for rotate_wait: one
// file at a time per path keeps lines in order, and lets one position per path (`tail:<path>`)
// always describe the head, so a crash at any point resumes without loss or repeat.
//
// States: idle (no file) → following (head, maybe newer files queued) → idle; `matched` turns false
// when the glob no longer lists the path: it is read to its end and then dropped.
import type { FileFormat, TailFile } from './tail-file.js';
import { sourceOf } from './start-position.js';

export class PathFollower {
  readonly path: string;
  readonly source: string;
  readonly format: FileFormat;
  readonly queue: TailFile[] = [];
  /** The inode the path named at the last stat (null: missing; undefined: never looked). */
  lastSeenInode: string | null | undefined;
  matched = true;
  /** The last file counted as rotated (so a rotation seen as "gone, then new" counts once). */
  lastRotatedInode: string | null = null;

  constructor(path: string, format: FileFormat) {
    this.path = path;
    this.source = sourceOf(path);
    this.format = format;
  }

  get head(): TailFile | undefined {
    return this.queue[0];
  }

  get newest(): TailFile | undefined {
    return this.queue[this.queue.length - 1];
  }
}
