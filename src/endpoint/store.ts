// The store file: every imported record appended as one NDJSON line
// {"database","table","unique_id","record"}. A request's lines are built as it is decoded, in
// pieces of ~256 KiB (never one giant string, never the decoded objects kept around), and written
// only once the request is imported. `write` resolves once the last piece reached the OS, so a
// test that got its 200 can read the file. States: open → closed.
import { createWriteStream, type WriteStream } from 'node:fs';

const PIECE_CHARS = 256 * 1024;

/** The lines of one request, built record by record. */
export class StoreLines {
  readonly #prefix: string;
  readonly pieces: string[] = [];
  #lines: string[] = [];
  #chars = 0;

  constructor(database: string, table: string, uniqueId: string | null) {
    this.#prefix = `{"database":${JSON.stringify(database)},"table":${JSON.stringify(table)},"unique_id":${JSON.stringify(uniqueId)},"record":`;
  }

  add(record: unknown): void {
    const line = this.#prefix + toJson(record) + '}\n';
    this.#lines.push(line);
    this.#chars += line.length;
    if (this.#chars >= PIECE_CHARS) this.#cut();
  }

  finish(): string[] {
    if (this.#lines.length > 0) this.#cut();
    return this.pieces;
  }

  #cut(): void {
    // join() flattens once; `+=` would build a rope V8 flattens again on write
    this.pieces.push(this.#lines.join(''));
    this.#lines = [];
    this.#chars = 0;
  }
}

export class StoreWriter {
  readonly #out: WriteStream;
  #failure: Error | null = null;

  private constructor(out: WriteStream) {
    this.#out = out;
    out.on('error', (err) => {
      this.#failure = err;
    });
  }

  static open(path: string): Promise<StoreWriter> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(path, { flags: 'a', highWaterMark: 1 << 20 });
      out.once('open', () => resolve(new StoreWriter(out)));
      out.once('error', reject);
    });
  }

  write(lines: StoreLines): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pieces = lines.finish();
    const last = pieces.pop();
    if (last === undefined) return Promise.resolve();
    for (const p of pieces) this.#out.write(p);
    return new Promise((resolve, reject) => {
      this.#out.write(last, (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#out.end(() => resolve()));
  }
}

function toJson(record: unknown): string {
  try {
    return JSON.stringify(record);
  } catch {
    // a bigint (msgpack uint64 past 2^53) is the only value JSON.stringify throws on here; the
    // replacer is kept off the fast path because it halves stringify speed
    return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}
