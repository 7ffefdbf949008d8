// The daemon's line encoder: one worker thread (started at the first job) that parses and encodes
// blocks of lines for the tail input and decodes PackedForward entries for the forward input, so the
// main thread only reads, commits and delivers. Jobs (of both kinds) are answered in the order given.
//
// Owns the worker and the jobs not yet answered. At most MAX_AT_WORKER jobs are posted to the worker;
// later ones wait here, unposted, and their callers wait on their promises (each caller holds only a
// few jobs, so memory stays bounded). If the worker dies, every job not answered is rejected (the
// caller reads those lines again) and the next job starts a new worker.
//
// States: idle (no worker) → running (worker; ref'd only while jobs are pending, so it never keeps
// the process alive by itself) → closed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TdfwdError } from '../core/errors.js';
import type { EncodeJob, EncodeResult, EntriesEncoder, EntriesJob, EntriesResult, LineEncoder } from '../core/line-encoder.js';
import type { EncodeReply, EncodeWorkerData, WorkerRequest } from './encode-worker-protocol.js';

export interface EncodePoolOptions {
  /** Largest part in bytes, and in records (the buffer writer's part limits). */
  partBytes: number;
  partRecords: number;
  /** The worker script (default: encode-worker.js beside this module, or the built one under tests). */
  workerUrl?: URL;
}

const MAX_AT_WORKER = 4;

type Pending = {
  id: number;
  /** The block's own ArrayBuffer was transferred (not a copy): it comes back as `spare`. */
  handedOver?: boolean;
  reject: (err: Error) => void;
} & (
  | { kind: 'lines'; job: EncodeJob; resolve: (r: EncodeResult) => void }
  | { kind: 'entries'; job: EntriesJob; resolve: (r: EntriesResult) => void }
);

export class EncodePool implements LineEncoder, EntriesEncoder {
  readonly #data: EncodeWorkerData;
  readonly #url: URL;
  #worker: Worker | null = null;
  /** Posted to the worker, oldest first. */
  readonly #posted = new Map<number, Pending>();
  /** Waiting for room at the worker, oldest first. */
  readonly #queued: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: EncodePoolOptions) {
    this.#data = { partBytes: Math.max(1024, opts.partBytes), partRecords: Math.max(1, opts.partRecords) };
    this.#url = opts.workerUrl ?? defaultWorkerUrl();
  }

  /** Jobs given and not yet answered. */
  get pending(): number {
    return this.#posted.size + this.#queued.length;
  }

  encodeLines(job: EncodeJob): Promise<EncodeResult> {
    if (this.#closed) return Promise.reject(new TdfwdError('IO', 'the line encoder is closed; the daemon is stopping'));
    return new Promise<EncodeResult>((resolve, reject) => {
      this.#queued.push({ kind: 'lines', id: this.#nextId++, job, resolve, reject });
      this.#pump();
    });
  }

  encodeEntries(job: EntriesJob): Promise<EntriesResult> {
    if (this.#closed) return Promise.reject(new TdfwdError('IO', 'the line encoder is closed; the daemon is stopping'));
    return new Promise<EntriesResult>((resolve, reject) => {
      this.#queued.push({ kind: 'entries', id: this.#nextId++, job, resolve, reject });
      this.#pump();
    });
  }

  /** Stops the worker; jobs not answered yet are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    this.#failAll(new TdfwdError('IO', 'the line encoder was closed before the lines were encoded'));
    if (worker) await worker.terminate();
  }

  #pump(): void {
    while (this.#queued.length > 0 && this.#posted.size < MAX_AT_WORKER) {
      const p = this.#queued.shift() as Pending;
      const worker = this.#start();
      const block = p.kind === 'lines' ? p.job.block : p.job.entries;
      // Hand the block's memory over when it has its own ArrayBuffer; a small Buffer may share
      // Node's pool with other Buffers, so it is copied instead.
      const own = block.buffer instanceof ArrayBuffer && block.buffer.byteLength > Buffer.poolSize;
      const ab = own ? (block.buffer as ArrayBuffer) : new Uint8Array(block).buffer;
      const memory = { block: ab, byteOffset: own ? block.byteOffset : 0, length: block.length, nowSec: p.job.nowSec };
      const req: WorkerRequest =
        p.kind === 'entries'
          ? { kind: 'entries', id: p.id, tag: p.job.tag, ...memory }
          : {
              kind: 'lines',
              id: p.id,
              tag: p.job.tag,
              format: p.job.format,
              maxLineBytes: p.job.maxLineBytes,
              ...memory,
              ...(p.job.timeKey !== undefined ? { timeKey: p.job.timeKey } : {}),
              ...(p.job.lead !== undefined ? { lead: p.job.lead } : {}),
            };
      p.handedOver = own;
      this.#posted.set(p.id, p);
      worker.ref();
      worker.postMessage(req, [ab]);
    }
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // A small young generation keeps the worker's heap (and the process RSS) low at little cost.
    const worker = new Worker(this.#url, { workerData: this.#data, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    worker.on('message', (m: EncodeReply) => this.#answer(m));
    const died = (why: string): void => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      this.#failAll(new TdfwdError('IO', `the line encoder thread failed (${why}); the lines are read again`));
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
    this.#worker = worker;
    return worker;
  }

  #answer(m: EncodeReply): void {
    const p = this.#posted.get(m.id);
    if (!p) return;
    this.#posted.delete(m.id);
    if (this.#posted.size === 0 && this.#queued.length === 0) this.#worker?.unref();
    if (m.ok) {
      const parts = m.parts.map((part) => ({
        tag: part.tag,
        data: Buffer.from(part.data, 0, part.length),
        records: part.records,
        deflated: part.deflated,
      }));
      if (m.kind === 'entries' && p.kind === 'entries') {
        p.resolve({ parts, records: m.records, skipped: m.skipped });
      } else if (m.kind === 'lines' && p.kind === 'lines') {
        const spare = p.handedOver ? { spare: Buffer.from(m.block) } : {};
        p.resolve({ parts, lines: m.lines, parseErrors: m.parseErrors, truncatedLines: m.truncatedLines, ...spare });
      }
    } else {
      p.reject(new TdfwdError('IO', `encoding ${p.kind === 'entries' ? 'forward entries' : 'lines'} failed: ${m.message}`));
    }
    this.#pump();
  }

  #failAll(err: Error): void {
    const all = [...this.#posted.values(), ...this.#queued];
    this.#posted.clear();
    this.#queued.length = 0;
    for (const p of all) p.reject(err);
  }
}

function defaultWorkerUrl(): URL {
  const beside = new URL('./encode-worker.js', import.meta.url);
  if (beside.protocol !== 'file:' || existsSync(fileURLToPath(beside))) return beside;
  // Run from the TypeScript sources (vitest): the worker is the built copy (`npm test` builds first).
  return new URL('../../dist/ingest/encode-worker.js', import.meta.url);
}
