// Joins the lines of one multiline event (a stack trace, say): a line matching `multiline_start` opens
// a group; the lines after it join it until the next start line, or until the file is quiet for
// `multiline_flush_interval`. Owns one pending group and the file offset where it began, so the
// reader never commits an offset past lines that are still waiting in it.
//
// States: empty → pending (a group open) → empty (emitted by the next start line, a flush, or size).

import { ConfigError } from '../../core/errors.js';

export function compileMultilineStart(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new ConfigError('multiline_start', `not a valid regular expression (${(err as Error).message}); fix the pattern`);
  }
}

export interface PendingGroup {
  text: string;
  lines: number;
}

export class MultilineJoiner {
  readonly #start: RegExp;
  readonly #maxChars: number;
  #parts: string[] = [];
  #chars = 0;
  #startOffset = 0;
  #lastLineAt = 0;

  /** maxChars bounds a group's size (memory stays bounded whatever the file holds). */
  constructor(start: RegExp, maxChars: number) {
    this.#start = start;
    this.#maxChars = Math.max(1, maxChars);
  }

  get pending(): boolean {
    return this.#parts.length > 0;
  }

  /** File offset of the first line of the pending group (meaningful only while pending). */
  get pendingStartOffset(): number {
    return this.#startOffset;
  }

  get lastLineAt(): number {
    return this.#lastLineAt;
  }

  /**
   * Adds a line that starts at `offset` in the file. Returns the group it completed, if any: the
   * pending group when this line starts a new one, or the group itself when it grew past the limit.
   */
  push(line: string, offset: number, nowMs: number): PendingGroup | null {
    this.#lastLineAt = nowMs;
    let done: PendingGroup | null = null;
    if (this.#parts.length > 0 && this.#start.test(line)) done = this.flush();
    if (this.#parts.length === 0) {
      // a blank line outside any group carries nothing
      if (line.length === 0) return done;
      this.#startOffset = offset;
    }
    this.#parts.push(line);
    this.#chars += line.length + 1;
    if (this.#chars > this.#maxChars) {
      // when this line also completed the previous group, the oversized one goes out with the next line
      return done ?? this.flush();
    }
    return done;
  }

  /** Emits the pending group (the flush timer, end of file, or an unreliable offset). */
  flush(): PendingGroup | null {
    if (this.#parts.length === 0) return null;
    const group = { text: this.#parts.join('\n'), lines: this.#parts.length };
    this.#parts = [];
    this.#chars = 0;
    return group;
  }

  /** Forgets the pending group (after a rewind it will be read again). */
  clear(): void {
    this.#parts = [];
    this.#chars = 0;
  }
}
