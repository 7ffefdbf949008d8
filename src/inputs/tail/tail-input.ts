// The tail input: follows the files matching the globs, as fluentd in_tail / Fluent Bit tail do, and
// commits each batch of records with the position that produced it (PRODUCT rule 1).
//
// Lines go to the daemon's encoder (core/encoder.ts), which parses, packs and compresses them; this
// input commits the parts it gets back with the offset they end at. Without multiline, a file is read
// in blocks of complete lines, each encoded (compressed on the zlib thread pool) while the previous one
// commits (two blocks in flight per file at most); commits stay in file order, and if one fails, the
// blocks after it are dropped and the file is read again from the committed offset. With
// multiline_start, the lines are cut and joined into events here (tail-file.ts) and the events go to
// the encoder as texts.
//
// One poll loop serves every file: every ~250 ms it stats each path (rotation, deletion, truncation,
// new file), reads what is new, and re-expands the globs every refresh_interval. Directories of
// followed files are also watched (dir-watch.ts): a file created, renamed or deleted there wakes the
// loop and re-expands the globs at once (at most every MIN_REFRESH_MS), so a rotation or a new file is
// seen within milliseconds. Appends do not wake it: a busy file would turn into a commit per write.
// A read waits for its commit before the next read, so a full buffer (overflow_action block) pauses
// reading by itself, and at most maxBatchBytes of lines per file are in memory.
//
// States: created → running (loop) → stopping (loop finishes its in-flight write) → stopped.
import { systemClock } from '../../core/clock.js';
import type { Encoder, LinesResult } from '../../core/encoder.js';
import { unixNow } from '../../core/record.js';
import type { TailInputConfig } from '../../config/types.js';
import type { Input, InputContext } from '../types.js';
import { dirname } from 'node:path';
import { DirWatch } from './dir-watch.js';
import { createDiscovery, inodeOf, statOrNull, tagForPath, type Discovery } from './discovery.js';
import { compileMultilineStart } from './multiline.js';
import { PathFollower } from './path-follower.js';
import { asLookup, claimsByInode, startOffset, type PositionLookup, type StartPlan, type StoredPositionLookup } from './start-position.js';
import { mergeBatches, READ_CHUNK_BYTES, TailFile, type Batch, type FileFormat, type TailCounters } from './tail-file.js';

export interface TailInputContext extends InputContext {
  positions: PositionLookup;
  /** How often paths are stat'ed (default 250 ms). */
  pollIntervalMs?: number;
  /**
   * Bytes of lines committed in one write (default 4 MiB). One write must fit in the buffer's
   * total_limit_size, so the daemon passes a fraction of it when the buffer is small.
   */
  maxBatchBytes?: number;
  /** Parses, packs and compresses the lines (the daemon's, shared by its inputs). */
  encoder: Encoder;
}

/** A block of lines at the encoder, and where its records end in the file. */
interface Encoding {
  result: Promise<LinesResult>;
  offset: number;
}

/** Chunks read from one file per poll before moving to the next file (fairness across files; multiline). */
/** How long start waits for the start positions' commit (a full disk makes it wait for space). */
const START_POSITIONS_WAIT_MS = 1000;
const CHUNKS_PER_TURN = 16;
/** Bytes read from one file per poll (the same fairness, in blocks). */
const BYTES_PER_TURN = 16 * 1024 * 1024;
/** Blocks of one file at the encoder or being committed: one is encoded while the other commits. */
const BLOCKS_IN_FLIGHT = 2;
const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;
/** Glob refreshes asked for by directory events: at most one per this many ms. */
const MIN_REFRESH_MS = 250;
const WARN_EVERY_MS = 30_000;

export class TailInput implements Input {
  readonly name: string;
  readonly #cfg: TailInputConfig;
  readonly #ctx: TailInputContext;
  readonly #discovery: Discovery;
  readonly #positions: StoredPositionLookup;
  readonly #multilineStart: RegExp | undefined;
  readonly #pollMs: number;
  readonly #counters: TailCounters = { linesRead: 0, parseErrors: 0, truncatedLines: 0, rotations: 0 };
  readonly #followers = new Map<string, PathFollower>();
  /** One reader per inode, whichever path it is followed under. */
  readonly #live = new Map<string, TailFile>();
  readonly #abort = new AbortController();
  readonly #warned = new Map<string, number>();
  /**
   * The one read buffer (files are read one at a time), allocated at the first read. The encoder
   * reads a block before encodeLines returns, so the next read may overwrite it at once.
   */
  #readBuf: Buffer | null = null;
  /** Bytes of lines read before their records are committed. */
  readonly #batchBytes: number;
  readonly #encoder: Encoder;
  #loop: Promise<void> | null = null;
  #lastRefresh = 0;
  #stopping = false;
  /** Wakes the loop early when a file is created, renamed or deleted in a watched directory. */
  readonly #dirs = new DirWatch((event) => this.#onDirEvent(event));
  /** The current sleep between polls (aborted to wake the loop). */
  #sleeper: AbortController | null = null;
  /** A file was created, renamed or deleted in a watched directory: poll and re-expand the globs soon. */
  #refreshDue = false;

  constructor(cfg: TailInputConfig, ctx: TailInputContext) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.name = `tail:${typeof cfg.path === 'string' ? cfg.path : cfg.path.join(',')}`;
    this.#discovery = createDiscovery(cfg.path, cfg.exclude);
    this.#positions = asLookup(ctx.positions);
    this.#multilineStart = cfg.multilineStart === undefined ? undefined : compileMultilineStart(cfg.multilineStart);
    this.#pollMs = ctx.pollIntervalMs ?? 250;
    this.#batchBytes = Math.max(1024, ctx.maxBatchBytes ?? DEFAULT_BATCH_BYTES);
    this.#encoder = ctx.encoder;
  }

  get linesRead(): number { return this.#counters.linesRead; }
  get parseErrors(): number { return this.#counters.parseErrors; }
  get truncatedLines(): number { return this.#counters.truncatedLines; }
  get rotations(): number { return this.#counters.rotations; }
  /** Files open now (followed paths, plus rotated files still being read to their end). */
  get files(): number { return this.#live.size; }

  async start(): Promise<void> {
    if (this.#loop) return;
    await this.#openAtStartup();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    this.#sleeper?.abort();
    this.#dirs.close();
    await this.#loop;
    for (const file of this.#live.values()) await file.close();
    this.#live.clear();
    this.#followers.clear();
  }

  // ---- start-up -----------------------------------------------------------------------------------

  async #openAtStartup(): Promise<void> {
    const paths = await this.#discovery.expand();
    this.#lastRefresh = Date.now();
    const named = new Map<string, string>();
    for (const path of paths) {
      const st = await statOrNull(path);
      if (st?.isFile()) named.set(path, String(st.ino));
    }
    const claims = claimsByInode(named, this.#positions);
    const initial = [];
    for (const path of named.keys()) {
      const f = this.#follow(path);
      const file = await this.#openFile(f, true, claims);
      if (file) initial.push({ source: f.source, inode: file.inode, offset: file.committedOffset, head: await file.headPrint(file.committedOffset) });
    }
    // Commit where every file starts, so a crash before its first line does not move the start.
    // Positions alone need no buffer room, but a full disk makes the write wait for space: start does
    // not wait for that longer than START_POSITIONS_WAIT_MS (the daemon must come up with its inputs
    // waiting); a failure here is retried with the first batch, which carries the positions again.
    if (initial.length > 0) {
      const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(START_POSITIONS_WAIT_MS)]);
      await this.#ctx.sink.write([], initial, signal).catch((err: unknown) => {
        this.#warn(`tail input: could not save start positions: ${(err as Error).message}`);
      });
    }
  }

  #follow(path: string): PathFollower {
    const format: FileFormat = {
      tag: tagForPath(this.#cfg.tag, path),
      maxLineSize: this.#cfg.maxLineSize,
      ...(this.#multilineStart ? { multilineStart: this.#multilineStart } : {}),
    };
    const f = new PathFollower(path, format);
    this.#followers.set(path, f);
    this.#dirs.watch(dirname(path));
    return f;
  }

  /** Opens the file the path names now and queues it behind the follower's files. */
  async #openFile(f: PathFollower, atStartup: boolean, claims?: ReadonlyMap<string, number>): Promise<TailFile | null> {
    let plan: StartPlan = { offset: 0, reason: 'head' };
    let file: TailFile;
    try {
      file = await TailFile.open(
        f.path,
        (inode, size, head) => {
          plan = startOffset(f.path, inode, size, {
            head,
            positions: this.#positions,
            atStartup,
            readFromHead: this.#cfg.readFromHead,
            ...(claims ? { claims } : {}),
          });
          return plan.offset;
        },
        f.format,
        this.#counters,
      );
    } catch (err) {
      this.#warn(`cannot open ${f.path}: ${(err as Error).message}`, { path: f.path });
      return null;
    }
    f.lastSeenInode = file.inode;
    if (this.#live.has(file.inode)) {
      await file.close(); // followed under another name already; it is handed over when that ends
      return null;
    }
    this.#live.set(file.inode, file);
    f.queue.push(file);
    const fields = { path: f.path, inode: file.inode, offset: plan.offset };
    if (plan.reason === 'truncated') this.#ctx.log('info', 'file is shorter than its stored position (truncated); reading it from the start', fields);
    else if (plan.reason === 'replaced') this.#ctx.log('info', 'file has the inode of its stored position but other first bytes (replaced while we were down); reading it from the start', fields);
    else if (plan.reason === 'rotated') this.#ctx.log('info', 'file was replaced since its position was stored (rotated); reading the new file from the start', fields);
    else this.#ctx.log('debug', `following file (${plan.reason})`, fields);
    return file;
  }

  // ---- the poll loop ------------------------------------------------------------------------------

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let busy = false;
      try {
        const sinceRefresh = Date.now() - this.#lastRefresh;
        if (sinceRefresh >= this.#cfg.refreshInterval || (this.#refreshDue && sinceRefresh >= MIN_REFRESH_MS)) await this.#refresh();
        for (const f of [...this.#followers.values()]) {
          if (this.#stopping) break;
          if (this.#followers.get(f.path) !== f) continue; // dropped by a refresh during this round
          if (await this.#turn(f)) busy = true;
        }
      } catch (err) {
        if (!this.#stopping) this.#warn(`tail input: ${(err as Error).message}; retrying`);
      }
      if (!busy && !this.#stopping) await this.#sleep();
    }
  }

  /** Re-expands the globs: new paths are followed, vanished idle ones dropped. */
  /** Sleep until the next poll, or until a watched directory changes. */
  async #sleep(): Promise<void> {
    const sleeper = new AbortController();
    this.#sleeper = sleeper;
    // A refresh asked for by an event waits for MIN_REFRESH_MS at most, not a whole poll interval.
    const ms = this.#refreshDue ? Math.min(this.#pollMs, Math.max(0, MIN_REFRESH_MS - (Date.now() - this.#lastRefresh))) : this.#pollMs;
    await systemClock.sleep(ms, sleeper.signal);
    this.#sleeper = null;
  }

  #onDirEvent(event: 'change' | 'rename'): void {
    if (event !== 'rename') return;
    this.#refreshDue = true;
    this.#sleeper?.abort(); // when not sleeping, the next sleep is short (see #sleep)
  }

  async #refresh(): Promise<void> {
    this.#lastRefresh = Date.now();
    this.#refreshDue = false;
    const paths = new Set(await this.#discovery.expand());
    for (const path of paths) {
      const known = this.#followers.get(path);
      if (known) known.matched = true;
      else this.#follow(path).lastSeenInode = await inodeOf(path);
    }
    for (const [path, f] of this.#followers) {
      if (paths.has(path)) continue;
      f.matched = false;
      if (f.queue.length === 0) this.#followers.delete(path);
    }
  }

  /** One poll of one path. True when it stopped with more to read (poll again without sleeping). */
  async #turn(f: PathFollower): Promise<boolean> {
    const now = Date.now();
    const st = await statOrNull(f.path);
    const inode = st ? String(st.ino) : null;
    f.lastSeenInode = inode;
    const newest = f.newest;
    if (newest && newest.rotatedAt === null && !f.matched) {
      // no longer listed by the globs (a refresh ran between a rename and the new file): finish it
      newest.rotatedAt = now;
      this.#ctx.log('info', 'file was deleted or moved away; reading it to its end', { path: f.path, inode: newest.inode, offset: newest.readPosition });
    }
    if (newest && newest.rotatedAt === null && newest.inode !== inode) {
      newest.rotatedAt = now;
      const fields = { path: f.path, inode: newest.inode, offset: newest.readPosition };
      if (inode === null) this.#ctx.log('info', 'file was deleted or moved away; reading it to its end', fields);
      else {
        this.#counters.rotations++;
        f.lastRotatedInode = newest.inode;
        this.#ctx.log('info', 'file was rotated; reading the old file to its end before the new one', fields);
      }
    }
    if (inode !== null && st?.isFile() && f.matched && newest?.inode !== inode && !this.#live.has(inode)) {
      // moved away first, a new file at the path next (seen in two polls): a rotation after all
      if (newest && newest.inode !== f.lastRotatedInode) this.#counters.rotations++;
      const file = await this.#openFile(f, false);
      if (file && f.queue.length === 1) await this.#commit(f, file, { texts: [], lines: 0, bytes: 0, offset: file.committedOffset });
    }
    const head = f.head;
    if (!head) {
      if (!f.matched) this.#followers.delete(f.path);
      return false;
    }
    if (head.rotatedAt === null && st && st.size < head.readPosition) {
      this.#ctx.log('info', 'file was truncated; reading it from the start', { path: f.path, inode: head.inode, size: st.size, offset: head.readPosition });
      head.rewind(0);
      await this.#commit(f, head, { texts: [], lines: 0, bytes: 0, offset: 0 });
    }
    if (!this.#multilineStart) return this.#turnBlocks(f, head, now);
    // Multiline: several reads go into one commit: fewer transactions (each one an fsync with sync:
    // full) is most of the throughput; maxBatchBytes of lines bound what is held.
    const buf = (this.#readBuf ??= Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, this.#batchBytes)));
    let batch: Batch | null = null;
    let held = 0;
    for (let i = 0; i < CHUNKS_PER_TURN; i++) {
      const more = await head.read(now, buf);
      if (!more) {
        if (batch) await this.#commit(f, head, batch);
        return this.#atEnd(f, head, now);
      }
      held += more.bytes;
      batch = batch ? mergeBatches(batch, more) : more;
      if (held + buf.length > this.#batchBytes) {
        await this.#commit(f, head, batch);
        batch = null;
        held = 0;
      }
    }
    if (batch) await this.#commit(f, head, batch);
    return true;
  }

  /**
   * The read-and-commit part of a turn without multiline: blocks of up to maxBatchBytes, each encoded
   * (and compressed) while the previous one commits. Commits stay in file order.
   */
  async #turnBlocks(f: PathFollower, head: TailFile, now: number): Promise<boolean> {
    const inflight: Encoding[] = [];
    const nowSec = unixNow(now);
    const blocks = Math.max(1, Math.floor(BYTES_PER_TURN / this.#batchBytes));
    const buf = (this.#readBuf ??= Buffer.allocUnsafeSlow(this.#batchBytes));
    let atEnd = false;
    try {
      for (let i = 0; i < blocks && !this.#stopping; i++) {
        const read = await head.readBlock(buf);
        if (!read) {
          atEnd = true;
          break;
        }
        const last = inflight[inflight.length - 1]?.offset ?? head.committedOffset;
        if (read.block === null && read.lead === null && read.offset === last) continue; // a long line still without its end
        const result = this.#encoder.encodeLines({
          ...this.#linesJob(f),
          ...(read.lead !== null ? { texts: [read.lead] } : {}),
          ...(read.block !== null ? { block: read.block } : {}),
          nowSec,
        });
        inflight.push({ result, offset: read.offset });
        if (inflight.length >= BLOCKS_IN_FLIGHT) await this.#commitEncoded(f, head, inflight.shift() as Encoding);
      }
      while (inflight.length > 0) await this.#commitEncoded(f, head, inflight.shift() as Encoding);
    } catch (err) {
      // Nothing after the last commit stands: drop the blocks still at the encoder, read them again.
      for (const e of inflight) e.result.catch(() => undefined);
      head.rewind();
      throw err;
    }
    return atEnd ? this.#atEnd(f, head, now) : true;
  }

  /** What every encoder job of this file says besides its lines. */
  #linesJob(f: PathFollower): { tag: string; format: string; timeKey?: string; multiline?: boolean; maxLineBytes: number } {
    return {
      tag: f.format.tag,
      format: this.#cfg.format,
      ...(this.#cfg.timeKey !== undefined ? { timeKey: this.#cfg.timeKey } : {}),
      ...(this.#multilineStart ? { multiline: true } : {}),
      maxLineBytes: this.#cfg.maxLineSize,
    };
  }

  async #commitEncoded(f: PathFollower, file: TailFile, e: Encoding): Promise<void> {
    const r = await e.result;
    this.#counters.parseErrors += r.parseErrors;
    this.#counters.truncatedLines += r.truncatedLines;
    const head = await file.headPrint(e.offset);
    await this.#ctx.sink.writeParts(r.parts, [{ source: f.source, inode: file.inode, offset: e.offset, head }], this.#abort.signal);
    file.markCommitted(e.offset);
    this.#counters.linesRead += r.lines;
    if (r.parseErrors > 0) this.#ctx.onParseErrors?.(r.parseErrors);
  }

  /** The head has been read to its end: flush an idle multiline group; retire a rotated file. */
  async #atEnd(f: PathFollower, head: TailFile, now: number): Promise<boolean> {
    const idle = head.flushIdle(now, this.#cfg.multilineFlushInterval);
    if (idle) await this.#commit(f, head, idle);
    if (head.rotatedAt === null || now - head.rotatedAt < this.#cfg.rotateWait) return false;
    const heir = await this.#heirOf(head, f);
    if (heir) {
      // the rotated file lives on under a name the globs match: read on from there, no re-read
      f.queue.shift();
      head.rotatedAt = null;
      heir.queue.push(head);
      if (heir.queue.length === 1) await this.#commit(heir, head, { texts: [], lines: 0, bytes: 0, offset: head.committedOffset }, true);
    } else {
      await this.#commit(f, head, head.finish(now));
      f.queue.shift();
      this.#live.delete(head.inode);
      await head.close();
      this.#ctx.log('debug', 'finished reading rotated file', { path: f.path, inode: head.inode, offset: head.readPosition });
    }
    // positions are keyed by path: the next file's position replaces the finished one's
    const next = f.head;
    if (next) await this.#commit(f, next, { texts: [], lines: 0, bytes: 0, offset: next.committedOffset }, true);
    return f.queue.length > 0;
  }

  /** The follower of the path the rotated file was renamed to, when the globs match it. */
  async #heirOf(file: TailFile, from: PathFollower): Promise<PathFollower | undefined> {
    const find = (): PathFollower | undefined =>
      [...this.#followers.values()].find((g) => g !== from && g.matched && g.lastSeenInode === file.inode && !g.queue.includes(file));
    const found = find();
    if (found || this.#stopping) return found;
    await this.#refresh();
    return find();
  }

  /** Commits a batch of texts (multiline events, a last line) with its offset; a batch without texts moves only the position. */
  async #commit(f: PathFollower, file: TailFile, batch: Batch, force = false): Promise<void> {
    if (!force && batch.texts.length === 0 && batch.offset === file.committedOffset) return;
    let parseErrors = 0;
    try {
      let parts: LinesResult['parts'] = [];
      if (batch.texts.length > 0) {
        const r = await this.#encoder.encodeLines({ ...this.#linesJob(f), texts: batch.texts, nowSec: unixNow() });
        parts = r.parts;
        parseErrors = r.parseErrors;
      }
      const head = await file.headPrint(batch.offset);
      await this.#ctx.sink.writeParts(parts, [{ source: f.source, inode: file.inode, offset: batch.offset, head }], this.#abort.signal);
    } catch (err) {
      file.rewind(); // nothing of this batch is committed: read it again
      throw err;
    }
    file.markCommitted(batch.offset);
    this.#counters.linesRead += batch.lines;
    this.#counters.parseErrors += parseErrors;
    if (parseErrors > 0) this.#ctx.onParseErrors?.(parseErrors);
  }

  #warn(msg: string, fields?: Record<string, unknown>): void {
    const now = Date.now();
    if (now - (this.#warned.get(msg) ?? -Infinity) < WARN_EVERY_MS) return;
    this.#warned.set(msg, now);
    if (this.#warned.size > 1000) this.#warned.clear();
    this.#ctx.log('warn', msg, fields);
  }
}
