// LineSplitter: turns a byte stream (stdin, a tailed file) into lines.
//
// It owns the bytes of the one line that is not yet terminated. States:
// - idle: no pending bytes (pendingBytes 0);
// - partial: bytes of an unterminated line are held (at most maxLineBytes + 1 of them);
// - truncating: the pending line passed maxLineBytes; further bytes up to its "\n" are counted but
//   discarded, so memory stays bounded whatever the line length. The line is returned cut at
//   maxLineBytes (on a UTF-8 character boundary) and counted in truncatedLines.
// A line's limit applies to its content without the "\n" or "\r\n" terminator.
// consumedBytes counts input bytes through the last "\n" returned: a tail position that is safe to
// store once the returned lines are committed. consumedBytes + pendingBytes = all bytes pushed.

export interface SplitterOptions {
  /** Longer lines are truncated to this many bytes. Default 1 MiB. */
  maxLineBytes?: number;
}

const NL = 10;
const CR = 13;

/** The largest length <= max that does not cut a UTF-8 character of buf (a continuation byte is 10xxxxxx). */
export function utf8Cut(buf: Buffer, max: number): number {
  if (buf.length <= max) return buf.length;
  let cut = max;
  while (cut > 0 && ((buf[cut] as number) & 0xc0) === 0x80) cut--;
  return cut;
}

export class LineSplitter {
  readonly #max: number;
  #pending: Buffer[] = [];
  #pendingStored = 0; // bytes held in #pending (<= max + 1)
  #pendingRaw = 0; // bytes of the pending line seen, including discarded ones
  #pendingLast = -1; // last byte of the pending line seen (to spot a "\r" before a "\n" in the next chunk)
  #consumed = 0;
  #truncated = 0;

  constructor(opts: SplitterOptions = {}) {
    const max = opts.maxLineBytes ?? 1024 * 1024;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxLineBytes must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get consumedBytes(): number {
    return this.#consumed;
  }

  get truncatedLines(): number {
    return this.#truncated;
  }

  /** Bytes of the incomplete line seen so far (including any discarded past the limit). */
  get pendingBytes(): number {
    return this.#pendingRaw;
  }

  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    if (chunk.length === 0) return lines;
    const firstNl = chunk.indexOf(NL);
    if (firstNl === -1) {
      this.#hold(chunk);
      return lines;
    }
    let start = 0;
    if (this.#pendingRaw > 0) {
      // The first "\n" ends the line begun in earlier chunks.
      this.#hold(chunk.subarray(0, firstNl));
      lines.push(this.#takePending());
      this.#consumed += 1; // the "\n"
      start = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(NL);
    if (lastNl >= start) {
      this.#splitRegion(chunk, start, lastNl, lines);
      this.#consumed += lastNl + 1 - start;
    }
    if (lastNl + 1 < chunk.length) this.#hold(chunk.subarray(lastNl + 1));
    return lines;
  }

  /** The unterminated rest at end of input (or null if none); the splitter is then idle again. */
  end(): string | null {
    if (this.#pendingRaw === 0) return null;
    return this.#takePending();
  }

  /**
   * Lines of chunk[start, end) where end is a "\n". Decoded in windows of at most max bytes, each with
   * one toString: a window that short cannot hold an oversize line, and big chunks never become one
   * huge string. A line with no "\n" within max bytes of its start is oversize and cut on its own.
   */
  #splitRegion(chunk: Buffer, start: number, end: number, out: string[]): void {
    let pos = start;
    while (end - pos > this.#max) {
      const windowEnd = chunk.lastIndexOf(NL, pos + this.#max);
      if (windowEnd >= pos) {
        this.#decodeLines(chunk, pos, windowEnd, out);
        pos = windowEnd + 1;
      } else {
        const nl = chunk.indexOf(NL, pos + this.#max);
        out.push(this.#cutLine(chunk.subarray(pos, nl)));
        pos = nl + 1;
      }
    }
    if (pos <= end) this.#decodeLines(chunk, pos, end, out);
  }

  /** chunk[start, end) holds whole lines of at most max bytes each (end is a "\n" position). */
  #decodeLines(chunk: Buffer, start: number, end: number, out: string[]): void {
    const parts = chunk.toString('utf8', start, end).split('\n');
    for (let i = 0; i < parts.length; i++) {
      const line = parts[i] as string;
      out.push(line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line);
    }
  }

  /** One line's bytes (no "\n"): strip a "\r", truncate to max on a character boundary. */
  #cutLine(bytes: Buffer, rawLen: number = bytes.length, lastByte: number = bytes[bytes.length - 1] ?? -1): string {
    const content = lastByte === CR ? rawLen - 1 : rawLen;
    if (content <= this.#max) return bytes.toString('utf8', 0, content);
    this.#truncated++;
    return bytes.toString('utf8', 0, utf8Cut(bytes, this.#max));
  }

  /** Keeps bytes of the unterminated line, never more than max + 1 (enough to cut it correctly). */
  #hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const room = this.#max + 1 - this.#pendingStored;
    if (room > 0) {
      // Copy: the caller may reuse its read buffer.
      const kept = Buffer.from(bytes.subarray(0, Math.min(room, bytes.length)));
      this.#pending.push(kept);
      this.#pendingStored += kept.length;
    }
    this.#pendingRaw += bytes.length;
    this.#pendingLast = bytes[bytes.length - 1] as number;
  }

  #takePending(): string {
    const bytes = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending);
    const line = this.#cutLine(bytes, this.#pendingRaw, this.#pendingLast);
    this.#consumed += this.#pendingRaw;
    this.#pending = [];
    this.#pendingStored = 0;
    this.#pendingRaw = 0;
    this.#pendingLast = -1;
    return line;
  }
}
