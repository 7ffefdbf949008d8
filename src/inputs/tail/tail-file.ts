// One open file being tailed. Owns its file descriptor, the read position, the line splitter holding
// a partial last line, the pending multiline group, and the last committed offset.
//
// Offsets: `readPosition` is how far the bytes were read; a batch's `offset` is the end of the last
// line it emitted, never inside a partial line or a pending multiline group, so committing it with
// the batch's records is exactly "everything before this offset is in the buffer".
//
// States: reading (the path still names this file) → rotated (`rotatedAt` set: renamed or deleted,
// read to its end for rotate_wait) → closed.
import { open, type FileHandle } from 'node:fs/promises';
import { LineSplitter } from '../../parsers/line-splitter.js';
import { MultilineJoiner } from './multiline.js';
import type { HeadPrint } from '../../core/sink.js';
import { HEAD_PRINT_BYTES, headPrint } from './start-position.js';

/** Bytes read per fs.read at most: large enough for throughput, small enough to bound memory. */
export const READ_CHUNK_BYTES = 1024 * 1024;
const NL = 10;

export interface TailCounters {
  linesRead: number;
  parseErrors: number;
  truncatedLines: number;
  rotations: number;
}

export interface FileFormat {
  tag: string;
  maxLineSize: number;
  multilineStart?: RegExp;
}

/**
 * Complete lines of one read, for the encoder; `offset` is the end of the last of them (safe to
 * commit with their records).
 */
export interface LineBlock {
  /** A line begun in an earlier read, which this read completed (already split and cut). */
  lead: string | null;
  /** The complete lines after it, through the read's last "\n": a view of the read buffer. */
  block: Buffer | null;
  offset: number;
  /** Bytes read from the file for it. */
  bytes: number;
}

/**
 * Lines cut by the splitter (multiline events joined, a last line without its "\n"), for the
 * encoder, and the offset that is safe to commit with their records.
 */
export interface Batch {
  texts: string[];
  /** Lines that went into the texts (a multiline event counts all its lines). */
  lines: number;
  offset: number;
  /** Bytes read from the file for it. */
  bytes: number;
}

export class TailFile {
  readonly path: string;
  readonly inode: string;
  /** When the path stopped naming this file (renamed away or deleted); null while it still does. */
  rotatedAt: number | null = null;
  readonly #fh: FileHandle;
  readonly #format: FileFormat;
  readonly #counters: TailCounters;
  #splitter: LineSplitter;
  #joiner: MultilineJoiner | null;
  /** File offset where the current splitter started. */
  #base: number;
  /** Bytes handed out as blocks (readBlock) since #base: not seen by the splitter. */
  #blockBytes = 0;
  #readPos: number;
  #committed: number;
  #truncatedSeen = 0;
  #closed = false;
  /** The file's first bytes (up to HEAD_PRINT_BYTES), for its fingerprint; re-read while the file is shorter. */
  #head: Buffer;

  private constructor(path: string, fh: FileHandle, inode: string, offset: number, format: FileFormat, counters: TailCounters, head: Buffer) {
    this.path = path;
    this.#fh = fh;
    this.#head = head;
    this.inode = inode;
    this.#format = format;
    this.#counters = counters;
    this.#base = this.#readPos = this.#committed = offset;
    this.#splitter = new LineSplitter({ maxLineBytes: format.maxLineSize });
    this.#joiner = format.multilineStart ? new MultilineJoiner(format.multilineStart, format.maxLineSize) : null;
  }

  /**
   * Opens the file and reads its inode from the descriptor (the path may be renamed between a stat
   * and the open; the descriptor is the truth). `offset` may be a function of the opened file's
   * inode, size and first bytes (its fingerprint). Throws like fs.open (ENOENT when the file vanished).
   */
  static async open(
    path: string,
    offset: (inode: string, size: number, head: Buffer) => number,
    format: FileFormat,
    counters: TailCounters,
  ): Promise<TailFile> {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      const inode = String(st.ino);
      const head = await readHead(fh);
      return new TailFile(path, fh, inode, offset(inode, st.size, head), format, counters, head);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** The fingerprint to store with a position at `offset`: the CRC-32 of the first min(offset, 1 KiB) bytes. */
  async headPrint(offset: number): Promise<HeadPrint> {
    if (this.#head.length < Math.min(offset, HEAD_PRINT_BYTES) && !this.#closed) this.#head = await readHead(this.#fh);
    return headPrint(this.#head, offset);
  }

  get readPosition(): number {
    return this.#readPos;
  }

  get committedOffset(): number {
    return this.#committed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Reads the next chunk into `buf` (shared by the files of one input, which read one at a time; the
   * splitter copies the bytes it keeps) and cuts it into lines, joined into multiline events. The
   * multiline path; without multiline, readBlock. Null at the end of the file (nothing new to read).
   */
  async read(nowMs: number, buf: Buffer): Promise<Batch | null> {
    const { bytesRead } = await this.#fh.read(buf, 0, buf.length, this.#readPos);
    if (bytesRead === 0) return null;
    const chunkOffset = this.#readPos;
    this.#readPos += bytesRead;
    const lineStart = this.#lineEnd();
    const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    const lines = this.#splitter.push(chunk);
    this.#countTruncated();
    const batch = this.#toBatch(lines, lineStart, chunk, chunkOffset, nowMs);
    batch.bytes = bytesRead;
    return batch;
  }

  /**
   * Reads the next bytes into `buf` and cuts them at their last "\n" (readBlock does not split or
   * parse: an encoder does). The bytes after it wait in the splitter for the next read, as with
   * `read`, so long-line truncation and offsets work the same. Without multiline only. Null at the
   * end of the file.
   */
  async readBlock(buf: Buffer): Promise<LineBlock | null> {
    const { bytesRead } = await this.#fh.read(buf, 0, buf.length, this.#readPos);
    if (bytesRead === 0) return null;
    this.#readPos += bytesRead;
    const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    const firstNl = chunk.indexOf(NL);
    let lead: string | null = null;
    let start = 0;
    if (firstNl !== -1 && this.#splitter.pendingBytes > 0) {
      // the first "\n" ends the line held from earlier reads: the splitter cuts it as it always has
      lead = this.#splitter.push(chunk.subarray(0, firstNl + 1))[0] ?? null;
      start = firstNl + 1;
    }
    const lastNl = firstNl === -1 ? -1 : chunk.lastIndexOf(NL);
    let block: Buffer | null = null;
    if (lastNl >= start) {
      block = chunk.subarray(start, lastNl + 1);
      this.#blockBytes += block.length;
    }
    if (lastNl + 1 < bytesRead) this.#splitter.push(chunk.subarray(lastNl + 1)); // held (copied)
    this.#countTruncated();
    return { lead: lead === null || lead.length === 0 ? null : lead, block, offset: this.#lineEnd(), bytes: bytesRead };
  }

  /** Emits a multiline group that has waited `flushMs` without a new line. */
  flushIdle(nowMs: number, flushMs: number): Batch | null {
    const j = this.#joiner;
    if (!j?.pending || nowMs - j.lastLineAt < flushMs) return null;
    const batch: Batch = { texts: [], lines: 0, bytes: 0, offset: this.#lineEnd() };
    this.#emitGroup(j.flush(), batch);
    return batch;
  }

  /**
   * The end of this file's life (rotated away and waited for, or deleted): a last line without its
   * newline and a pending group are emitted too, since nothing will ever complete them.
   */
  finish(nowMs: number): Batch {
    const batch: Batch = { texts: [], lines: 0, bytes: 0, offset: this.#readPos };
    const rest = this.#splitter.end();
    this.#countTruncated();
    if (rest !== null && rest.length > 0) {
      if (this.#joiner) this.#emitGroup(this.#joiner.push(rest, 0, nowMs), batch);
      else this.#emitLine(rest, batch);
    }
    if (this.#joiner) this.#emitGroup(this.#joiner.flush(), batch);
    return batch;
  }

  /** The batch ending at `offset` is durable. */
  markCommitted(offset: number): void {
    this.#committed = offset;
  }

  /**
   * Forgets everything read past `offset` and reads again from there: after a failed commit (back to
   * the committed offset) or a truncation (back to 0).
   */
  rewind(offset: number = this.#committed): void {
    this.#base = this.#readPos = this.#committed = offset;
    this.#blockBytes = 0;
    this.#splitter = new LineSplitter({ maxLineBytes: this.#format.maxLineSize });
    this.#truncatedSeen = 0;
    this.#joiner?.clear();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close().catch(() => undefined);
  }

  #lineEnd(): number {
    return this.#base + this.#blockBytes + this.#splitter.consumedBytes;
  }

  #countTruncated(): void {
    const t = this.#splitter.truncatedLines;
    this.#counters.truncatedLines += t - this.#truncatedSeen;
    this.#truncatedSeen = t;
  }

  #toBatch(lines: readonly string[], lineStart: number, chunk: Buffer, chunkOffset: number, nowMs: number): Batch {
    const end = this.#lineEnd();
    const batch: Batch = { texts: [], lines: 0, bytes: 0, offset: end };
    const joiner = this.#joiner;
    if (!joiner) {
      for (const line of lines) if (line.length > 0) this.#emitLine(line, batch);
      return batch;
    }
    // A pending group's start offset must be exact, so each line's start is needed: the splitter
    // returns one line per "\n" of the chunk (cut or not), so line i+1 starts after the i-th "\n".
    let off = lineStart;
    let nl = -1;
    for (const line of lines) {
      this.#emitGroup(joiner.push(line, off, nowMs), batch);
      nl = chunk.indexOf(NL, nl + 1);
      off = chunkOffset + nl + 1;
    }
    if (joiner.pending) batch.offset = joiner.pendingStartOffset;
    return batch;
  }

  #emitLine(line: string, batch: Batch): void {
    batch.texts.push(line);
    batch.lines++;
  }

  #emitGroup(group: { text: string; lines: number } | null, batch: Batch): void {
    if (!group) return;
    batch.texts.push(group.text);
    batch.lines += group.lines;
  }
}

/** One batch of several reads of the same file (one commit for all). */
export function mergeBatches(a: Batch, b: Batch): Batch {
  for (const text of b.texts) a.texts.push(text);
  return { texts: a.texts, lines: a.lines + b.lines, offset: b.offset, bytes: a.bytes + b.bytes };
}

/** The first HEAD_PRINT_BYTES of the file (fewer when it is shorter). */
async function readHead(fh: FileHandle): Promise<Buffer> {
  const buf = Buffer.alloc(HEAD_PRINT_BYTES);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  return buf.subarray(0, bytesRead);
}
