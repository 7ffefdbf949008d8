// `tdfwd chunks list [--state S] [--json] | show ID | retry ID|--all | drop ID [--yes] | export ID`:
// inspect and act on the chunks of the buffer, parked ones above all. An ID is a numeric id, a key, or
// a unique key prefix (4+ hex characters, chunk-ref.ts). Reads the buffer without creating it.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { copyChunkKey } from '../buffer/fan-out.js';
import { bufferFileExists } from '../buffer/access.js';
import type { ChunkRow } from '../buffer/statements.js';
import type { ChunkStore } from '../buffer/store.js';
import { decodeRecords, gunzipPayload } from '../codec/msgpack.js';
import { CHUNK_STATES, type ChunkState } from '../core/chunk.js';
import { TdfwdError, UsageError } from '../core/errors.js';
import { formatBytes, formatDuration } from '../core/units.js';
import { openStore } from '../daemon/open-store.js';
import { action } from './action.js';
import { findChunk } from './chunk-ref.js';
import { loadForCommand } from './context.js';
import { globalsOf } from './globals.js';

const SHOW_RECORDS = 5;

export interface ChunkJson {
  id: number;
  key: string;
  tag: string;
  state: string;
  /** The output a fan-out copy (routing: copy) goes to; null: the first output matching its tag. */
  output: string | null;
  records: number;
  bytes: number;
  stored_bytes: number;
  attempts: number;
  age_s: number;
  created_at: string;
  sealed_at: string | null;
  first_attempt_at: string | null;
  last_attempt_at: string | null;
  in_doubt_since: string | null;
  parent_key: string | null;
  last_error: string | null;
  park_reason: string | null;
  parked_at: string | null;
}

export function registerChunks(program: Command): void {
  const chunks = program.command('chunks').description('inspect and act on chunks, parked ones above all');

  chunks
    .command('list')
    .description('list chunks: id, key, tag, state, output, records, bytes, attempts, age, last error or park reason')
    .option('--state <state>', `only chunks in this state (${CHUNK_STATES.join(', ')})`)
    .option('--json', 'machine-readable JSON')
    .action(
      action(async (opts: { state?: string; json?: boolean }, cmd: Command) => {
        const state = parseState(opts.state);
        const rows = await withStore(cmd, (store) => store?.listChunks(state, 100_000) ?? []);
        const now = Date.now();
        process.stdout.write(opts.json ? `${JSON.stringify(rows.map((r) => toJson(r, now)), null, 2)}\n` : renderList(rows, now));
        return 0;
      }),
    );

  chunks
    .command('show')
    .description('one chunk: metadata, attempts, errors and its first records')
    .argument('<id>', 'numeric id, key, or unique key prefix')
    .action(
      action(async (ref: string, _opts: unknown, cmd: Command) => {
        const text = await withStore(cmd, async (store) => {
          const row = mustFind(store, ref);
          const records = await recordsOf(mustStore(store), row);
          return renderShow(row, records, Date.now());
        });
        process.stdout.write(text);
        return 0;
      }),
    );

  chunks
    .command('retry')
    .description('re-queue parked chunks (same key, fresh attempt budget)')
    .argument('[id]', 'numeric id, key, or unique key prefix')
    .option('--all', 'every parked chunk')
    .action(
      action(async (ref: string | undefined, opts: { all?: boolean }, cmd: Command) => {
        if (ref !== undefined && opts.all) throw new UsageError('chunks retry: give either a chunk ID or --all, not both');
        if (ref === undefined && !opts.all) throw new UsageError('chunks retry: give a chunk ID, or --all to re-queue every parked chunk');
        const line = await withStore(cmd, (store) => {
          if (opts.all) return `re-queued ${store?.unparkAll() ?? 0} parked chunks`;
          const row = mustFind(store, ref as string);
          if (row.state !== 'parked') {
            throw new TdfwdError('NOT_FOUND', `chunk ${row.id} is ${row.state}, not parked: only parked chunks can be retried`);
          }
          if (!mustStore(store).unpark(row.id)) throw new TdfwdError('NOT_FOUND', `chunk ${row.id} changed state meanwhile; look again with \`tdfwd chunks show ${row.id}\``);
          return `re-queued chunk ${row.id} (key ${row.key}, ${row.records} records); the next flush or the daemon sends it`;
        });
        process.stderr.write(`tdfwd chunks: ${line}\n`);
        return 0;
      }),
    );

  chunks
    .command('drop')
    .description('delete a chunk and its records for good (asks first on a terminal)')
    .argument('<id>', 'numeric id, key, or unique key prefix')
    .option('--yes', 'do not ask for confirmation')
    .action(
      action(async (ref: string, opts: { yes?: boolean }, cmd: Command) => {
        const line = await withStore(cmd, async (store) => {
          const row = mustFind(store, ref);
          if (!opts.yes) {
            if (!process.stdin.isTTY) {
              throw new UsageError(`chunks drop: dropping chunk ${row.id} deletes ${row.records} records for good; pass --yes to confirm when not on a terminal`);
            }
            if (!(await confirm(`Drop chunk ${row.id} (${row.tag}, ${row.state}, ${row.records} records)? Its records are deleted for good. [y/N] `))) {
              return 'nothing dropped';
            }
          }
          if (!mustStore(store).dropChunk(row.id)) {
            throw new TdfwdError('NOT_FOUND', `chunk ${row.id} is being sent right now and cannot be dropped; try again once the attempt is over`);
          }
          return `dropped chunk ${row.id} (key ${row.key}, ${row.records} records)`;
        });
        process.stderr.write(`tdfwd chunks: ${line}\n`);
        return 0;
      }),
    );

  chunks
    .command('export')
    .description("write a chunk's records to stdout as NDJSON (sealed or open chunks)")
    .argument('<id>', 'numeric id, key, or unique key prefix')
    .action(
      action(async (ref: string, _opts: unknown, cmd: Command) => {
        const records = await withStore(cmd, async (store) => recordsOf(mustStore(store), mustFind(store, ref)));
        await writeNdjson(records);
        return 0;
      }),
    );
}

/** Run fn with the buffer's store (null when there is no buffer yet), closing it afterwards. */
async function withStore<T>(cmd: Command, fn: (store: ChunkStore | null) => T | Promise<T>): Promise<T> {
  const ctx = loadForCommand(globalsOf(cmd));
  if (!bufferFileExists(ctx.config.buffer.path)) return fn(null);
  const store = openStore(ctx.config.buffer);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function mustStore(store: ChunkStore | null): ChunkStore {
  if (!store) throw new TdfwdError('NOT_FOUND', 'the buffer is empty');
  return store;
}

function mustFind(store: ChunkStore | null, ref: string): ChunkRow {
  if (!store) throw new TdfwdError('NOT_FOUND', `no chunk ${JSON.stringify(ref)}: the buffer is empty`);
  return findChunk(store, ref);
}

function parseState(s: string | undefined): ChunkState | null {
  if (s === undefined) return null;
  if (!(CHUNK_STATES as readonly string[]).includes(s)) throw new UsageError(`--state: expected one of ${CHUNK_STATES.join(', ')} (got ${JSON.stringify(s)})`);
  return s as ChunkState;
}

/** The records of a chunk: its sealed payload (gzip) or, while open, its concatenated parts. */
async function recordsOf(store: ChunkStore, row: ChunkRow): Promise<unknown[]> {
  const stored = store.chunkData(row.id);
  if (!stored) return [];
  try {
    return decodeRecords(stored.sealed ? await gunzipPayload(stored.data) : stored.data);
  } catch (err) {
    throw new TdfwdError('BUFFER_CORRUPT', `chunk ${row.id}'s stored records do not decode (${(err as Error).message}); \`tdfwd chunks drop ${row.id}\` removes it`);
  }
}

async function writeNdjson(records: readonly unknown[]): Promise<void> {
  const out = process.stdout;
  for (let i = 0; i < records.length; i += 1000) {
    const text = records.slice(i, i + 1000).map((r) => `${toJsonText(r)}\n`).join('');
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** JSON of a decoded record; 64-bit integers beyond 2^53 come back from msgpack as bigint. */
function toJsonText(record: unknown): string {
  return JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v));
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function toJson(r: ChunkRow, now: number): ChunkJson {
  return {
    id: r.id,
    key: r.key,
    tag: r.tag,
    state: r.state,
    output: r.output,
    records: r.records,
    bytes: r.raw_bytes,
    stored_bytes: r.stored_bytes,
    attempts: r.attempts,
    age_s: Math.max(0, (now - r.created_at) / 1000),
    created_at: new Date(r.created_at).toISOString(),
    sealed_at: iso(r.sealed_at),
    first_attempt_at: iso(r.first_attempt_at),
    last_attempt_at: iso(r.last_attempt_at),
    in_doubt_since: iso(r.in_doubt_since),
    parent_key: r.parent_key,
    last_error: r.last_error,
    park_reason: r.park_reason,
    parked_at: iso(r.parked_at),
  };
}

function renderList(rows: readonly ChunkRow[], now: number): string {
  if (rows.length === 0) return 'no chunks\n';
  const head = ['ID', 'KEY', 'TAG', 'STATE', 'OUTPUT', 'RECORDS', 'BYTES', 'ATTEMPTS', 'AGE', 'LAST ERROR / PARK REASON'];
  const table = rows.map((r) => [
    String(r.id),
    r.key.slice(0, 12),
    r.tag,
    r.state,
    r.output ?? '-',
    String(r.records),
    formatBytes(r.raw_bytes),
    String(r.attempts),
    formatDuration(now - r.created_at),
    oneLine(r.park_reason ?? r.last_error ?? '-'),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), ...table.map(line)].join('\n') + '\n';
}

function renderShow(r: ChunkRow, records: readonly unknown[], now: number): string {
  const ago = (ms: number | null): string => (ms === null ? '-' : `${new Date(ms).toISOString()} (${formatDuration(now - ms)} ago)`);
  const lines = [
    `chunk       ${r.id}`,
    `key         ${r.key}${r.parent_key ? `  (${isCopy(r) ? 'copy of' : 'split from'} ${r.parent_key})` : ''}`,
    `tag         ${r.tag}`,
    `state       ${r.state}`,
    `output      ${r.output ?? '- (the first output matching the tag)'}`,
    `records     ${r.records}`,
    `bytes       ${formatBytes(r.raw_bytes)} raw, ${formatBytes(r.stored_bytes)} stored`,
    `created     ${ago(r.created_at)}`,
    `sealed      ${ago(r.sealed_at)}`,
    `attempts    ${r.attempts}`,
    `first try   ${ago(r.first_attempt_at)}`,
    `last try    ${ago(r.last_attempt_at)}`,
    `in doubt    ${r.in_doubt_since === null ? '-' : `since ${ago(r.in_doubt_since)}`}`,
    `last error  ${r.last_error ?? '-'}`,
  ];
  if (r.state === 'parked') lines.push(`parked      ${ago(r.parked_at)}: ${r.park_reason ?? '-'}`);
  lines.push('', records.length > SHOW_RECORDS ? `first ${SHOW_RECORDS} of ${records.length} records:` : `records:`);
  for (const rec of records.slice(0, SHOW_RECORDS)) lines.push(`  ${toJsonText(rec)}`);
  if (r.state === 'parked') lines.push('', `re-queue: tdfwd chunks retry ${r.id}    export: tdfwd chunks export ${r.id}    delete: tdfwd chunks drop ${r.id}`);
  return lines.join('\n') + '\n';
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ');
  return t.length > 100 ? `${t.slice(0, 99)}…` : t;
}

/** A fan-out copy's key derives from the chunk it copies (its parent_key); a split half's does not. */
function isCopy(r: ChunkRow): boolean {
  return r.output !== null && r.parent_key !== null && r.key === copyChunkKey(r.parent_key, r.output);
}
