// The store file: every imported record appended as one NDJSON line
// {"database","table","unique_id","record"}. Writes go through one buffered fs stream in pieces of
// a few hundred KiB (never one giant string per request); `append` resolves once the request's last
// piece reached the OS, so a test that got its 200 can read the file. States: open → closed.
import { createWriteStream, type WriteStream } from 'node:fs';

const PIECE_CHARS = 256 * 1024;

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

  append(database: string, table: string, uniqueId: string | null, records: readonly unknown[]): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (records.length === 0) return Promise.resolve();
    const prefix = `{"database":${JSON.stringify(database)},"table":${JSON.stringify(table)},"unique_id":${JSON.stringify(uniqueId)},"record":`;
    let piece = '';
    for (const r of records) {
      piece += prefix + toJson(r) + '}\n';
      if (piece.length >= PIECE_CHARS) {
        this.#out.write(piece);
        piece = '';
      }
    }
    return new Promise((resolve, reject) => {
      this.#out.write(piece, (err) => (err ? reject(err) : resolve()));
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
