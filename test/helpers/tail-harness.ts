// The shared harness for the tail input tests: a temp dir with a logs/ folder, a real SQLite buffer
// (ChunkStore + BufferWriter) and encoder, tail inputs created against them, and the records read back.
// States: open (after construction) -> closed (close(): inputs stopped, encoder and store closed,
// temp dir removed).
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';
import { openStore, records } from './store.js';

export { records };
import { BufferWriter } from '../../src/ingest/writer.js';
import { PartEncoder } from '../../src/ingest/encoder.js';
import { createTailInput, type TailInput } from '../../src/inputs/tail/index.js';
import type { TailInputConfig } from '../../src/config/types.js';
import type { BufferLimits, ChunkStore, StoredPosition } from '../../src/buffer/store.js';
import type { EventSink } from '../../src/core/sink.js';

export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function statOrUndefined(path: string): { ino: number; size: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}


/** File content: numbered lines `${prefix} from` .. `${prefix} to-1`, each ending in a newline. */
export const lines = (from: number, to: number, prefix = 'line'): string =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}\n`).join('');
/** The messages `lines(from, to, prefix)` should produce. */
export const range = (from: number, to: number, prefix = 'line'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);

export interface TailHarnessOptions {
  /** Temp dir name prefix (default 'tdfwd-tail-'). */
  tmpPrefix?: string;
  /** The encoder of every input (default: one cut at the writer's part limits); the harness closes it. */
  encoder?: PartEncoder;
  /** maxBatchBytes for inputs that do not set their own (default: the input's own default). */
  maxBatchBytes?: number;
}

export class TailHarness {
  readonly tmp: ReturnType<typeof tempDir>;
  readonly logs: string;
  readonly store: ChunkStore;
  readonly writer: BufferWriter;
  readonly encoder: PartEncoder;
  readonly logged: { level: string; msg: string }[] = [];
  readonly #maxBatchBytes: number | undefined;
  readonly #inputs: TailInput[] = [];

  constructor(limits: Partial<BufferLimits> = {}, opts: TailHarnessOptions = {}) {
    this.tmp = tempDir(opts.tmpPrefix ?? 'tdfwd-tail-');
    this.logs = join(this.tmp.dir, 'logs');
    mkdirSync(this.logs);
    this.store = openStore(join(this.tmp.dir, 'buf'), limits);
    this.writer = new BufferWriter(this.store);
    this.encoder = opts.encoder ?? new PartEncoder({ limits: () => this.writer.partLimits });
    this.#maxBatchBytes = opts.maxBatchBytes;
  }

  input(over: Partial<TailInputConfig> = {}, opts: { sink?: EventSink; maxBatchBytes?: number; pollIntervalMs?: number } = {}): TailInput {
    const cfg: TailInputConfig = {
      type: 'tail', path: join(this.logs, '*.log'), tag: 'app.logs', format: 'none', readFromHead: true,
      rotateWait: 300, refreshInterval: 100, maxLineSize: 1024 * 1024, multilineFlushInterval: 1000, ...over,
    };
    const maxBatchBytes = opts.maxBatchBytes || this.#maxBatchBytes;
    const input = createTailInput(cfg, {
      sink: opts.sink ?? this.writer,
      encoder: this.encoder,
      ...(maxBatchBytes ? { maxBatchBytes } : {}),
      positions: this.store,
      pollIntervalMs: opts.pollIntervalMs ?? 50,
      log: (level, msg) => this.logged.push({ level, msg }),
    });
    this.#inputs.push(input);
    return input;
  }

  path(name: string): string {
    return join(this.logs, name);
  }

  async messages(): Promise<string[]> {
    return (await records(this.store)).map((r) => String(r.record.message));
  }

  /** The stored position of `file` (tail:<path>); undefined before the input committed one. */
  position(file: string): StoredPosition | undefined {
    return this.store.getPosition(`tail:${file}`);
  }

  /**
   * The input is done with `file` as it is now: its position names the file's inode at the file's
   * size (so nothing of it is left to read, and the input will not read it again).
   */
  caughtUp(file: string): boolean {
    const pos = this.position(file);
    const st = statOrUndefined(file);
    return pos !== undefined && st !== undefined && pos.inode === String(st.ino) && pos.offset === st.size;
  }

  /** Wait until the input has read part of the file now at `file` (its position names that inode). */
  async readingNewest(file: string, what: string): Promise<void> {
    await waitFor(() => {
      const pos = this.position(file);
      const st = statOrUndefined(file);
      return pos !== undefined && st !== undefined && pos.inode === String(st.ino) && pos.offset > 0;
    }, 10_000, what);
  }

  /**
   * logrotate's `create` twice while an application writes to `file`: file → file.1 (not matched by
   * *.log), then file.1 → file.2 and the new file → file.1. Each step waits until the input reads the
   * file the application writes to now (its committed position names that file), so lines were
   * written to and read from every file.
   */
  async renameRotateTwice(file: string): Promise<void> {
    await this.readingNewest(file, 'the first lines read');
    renameSync(file, `${file}.1`);
    await this.readingNewest(file, 'the file after the first rotation read');
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    await this.readingNewest(file, 'the file after the second rotation read');
  }

  async close(): Promise<void> {
    for (const i of this.#inputs) await i.stop();
    await this.encoder.close();
    await this.store.close();
    this.tmp.cleanup();
  }
}

/** An application appending numbered lines (20 per burst, every few ms) until stopped; returns how many it wrote. */
export function appWriter(path: string, from = 0): { stop: () => Promise<number> } {
  let n = from;
  let on = true;
  const done = (async () => {
    while (on) {
      appendFileSync(path, lines(n, n + 20));
      n += 20;
      await sleep(5);
    }
  })();
  return { stop: async () => { on = false; await done; return n; } };
}

/**
 * A sink that "crashes" after `commits` writes: later writes never commit (the process froze before
 * its transaction), and give up only when the input is stopped.
 */
export function crashingSink(real: EventSink, commits: number): EventSink {
  let n = 0;
  const frozen = (signal?: AbortSignal): Promise<void> =>
    new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('crashed')), { once: true }));
  return {
    write: (events, positions, signal) => (n++ < commits ? real.write(events, positions, signal) : frozen(signal)),
    writeParts: (parts, positions, signal) => (n++ < commits ? real.writeParts(parts, positions, signal) : frozen(signal)),
  };
}
