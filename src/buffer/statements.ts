// Every statement of the chunk store, prepared once per connection (as undici's sqlite cache store
// does), each with the types of its parameters and of its row, so no caller casts a result. Grouped by
// the lifecycle step they serve.
import type { Statement } from 'better-sqlite3';
import type { ChunkState, PendingRoute } from '../core/chunk.js';
import type { Db } from './db.js';

export interface ChunkRow {
  id: number;
  key: string;
  tag: string;
  state: ChunkState;
  records: number;
  raw_bytes: number;
  stored_bytes: number;
  created_at: number;
  sealed_at: number | null;
  parent_key: string | null;
  attempts: number;
  first_attempt_at: number | null;
  last_attempt_at: number | null;
  in_doubt_since: number | null;
  last_error: string | null;
  park_reason: string | null;
  parked_at: number | null;
  lease_owner: string | null;
  lease_expires: number | null;
  /** A fan-out copy's output (routing: copy); null: routed by tag when leased. */
  output: string | null;
  /** The shared_payloads row holding a fan-out copy's payload; null: its own payloads row. */
  shared_payload: number | null;
}

/** A chunk_parts row: raw_len and crc are set when data is a deflate segment. */
export interface PartRow {
  data: Buffer;
  raw_len: number | null;
  crc: number | null;
}

/** The few columns append needs of a tag's open chunk. */
export interface OpenChunkRow {
  id: number;
  records: number;
  raw_bytes: number;
}

/** A chunk the overflow action may drop. */
export interface DroppableRow {
  id: number;
  records: number;
  stored_bytes: number;
}

/** A chunk whose lease (sealing or sending) may have to be reclaimed. */
export interface LeaseRow {
  id: number;
  lease_owner: string | null;
  lease_expires: number | null;
}

export interface PositionRow {
  source: string;
  inode: string | null;
  offset: number;
  /** The fingerprint: CRC-32 of the file's first headLen bytes; null when none was stored. */
  headLen: number | null;
  headCrc: number | null;
}

export interface StateCountRow {
  state: ChunkState;
  chunks: number;
  records: number;
  raw: number;
  stored: number;
  oldest: number;
}

export interface OutputStateRow {
  name: string;
  state: string;
  concurrency: number;
  next_attempt_at: number | null;
  updated_at: number;
}

type Id = { id: number };

export type Statements = ReturnType<typeof prepare>;

export function prepare(db: Db) {
  const s = <P extends unknown[] = [], R = never>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
  return {
    // -- append
    openChunkOfTag: s<[string], OpenChunkRow>(`SELECT id, records, raw_bytes FROM chunks WHERE state = 'open' AND tag = ? ORDER BY id LIMIT 1`),
    insertChunk: s<[string, string, string, number, string | null]>(
      `INSERT INTO chunks (key, tag, state, created_at, parent_key) VALUES (?, ?, ?, ?, ?)`,
    ),
    insertPart: s<[number, Buffer, number | null, number | null]>(`INSERT INTO chunk_parts (chunk_id, data, raw_len, crc) VALUES (?, ?, ?, ?)`),
    growChunk: s<[number, number, number, number]>(
      `UPDATE chunks SET records = records + ?, raw_bytes = raw_bytes + ?, stored_bytes = stored_bytes + ? WHERE id = ?`,
    ),
    // A payload shared by fan-out copies counts once.
    totalStored: s<[], { n: number }>(
      `SELECT (SELECT total(stored_bytes) FROM chunks WHERE shared_payload IS NULL) + (SELECT total(bytes) FROM shared_payloads) AS n`,
    ),
    oldestDroppable: s<[], DroppableRow>(`SELECT id, records, stored_bytes FROM chunks WHERE state IN ('queued', 'sealing') ORDER BY created_at, id LIMIT 1`),
    upsertPosition: s<[string, string | null, number, number | null, number | null, number]>(
      `INSERT INTO positions (source, inode, offset, head_len, head_crc, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET inode = excluded.inode, offset = excluded.offset,
         head_len = excluded.head_len, head_crc = excluded.head_crc, updated_at = excluded.updated_at`,
    ),
    getPosition: s<[string], PositionRow>(`SELECT source, inode, offset, head_len AS headLen, head_crc AS headCrc FROM positions WHERE source = ?`),
    allPositions: s<[], PositionRow>(`SELECT source, inode, offset, head_len AS headLen, head_crc AS headCrc FROM positions ORDER BY source`),
    stalePositions: s<[number], { source: string }>(`SELECT source FROM positions WHERE updated_at < ? ORDER BY source`),
    deleteStalePosition: s<[string, number]>(`DELETE FROM positions WHERE source = ? AND updated_at < ?`),

    // -- seal
    markSealing: s<[string, number, number]>(
      `UPDATE chunks SET state = 'sealing', lease_owner = ?, lease_expires = ? WHERE id = ? AND state = 'open'`,
    ),
    openChunks: s<[], { id: number; tag: string; created_at: number }>(`SELECT id, tag, created_at FROM chunks WHERE state = 'open' ORDER BY id`),
    sealingChunks: s<[], LeaseRow>(`SELECT id, lease_owner, lease_expires FROM chunks WHERE state = 'sealing' ORDER BY id`),
    claimSealing: s<[string, number, number, string | null]>(
      `UPDATE chunks SET lease_owner = ?, lease_expires = ? WHERE id = ? AND state = 'sealing' AND lease_owner IS ?`,
    ),
    partsOf: s<[number], PartRow>(`SELECT data, raw_len, crc FROM chunk_parts WHERE chunk_id = ? ORDER BY rowid`),
    nextPartOf: s<[number, number], PartRow & { rowid: number }>(
      `SELECT rowid, data, raw_len, crc FROM chunk_parts WHERE chunk_id = ? AND rowid > ? ORDER BY rowid LIMIT 1`,
    ),
    completeSeal: s<[number, number, number, string]>(
      `UPDATE chunks SET state = 'queued', sealed_at = ?, stored_bytes = ?, lease_owner = NULL, lease_expires = NULL
       WHERE id = ? AND state = 'sealing' AND lease_owner = ?`,
    ),
    insertPayload: s<[number, Buffer]>(`INSERT INTO payloads (chunk_id, data) VALUES (?, ?)`),
    deleteParts: s<[number]>(`DELETE FROM chunk_parts WHERE chunk_id = ?`),

    // -- lease and deliver
    queuedTags: s<[], { tag: string }>(`SELECT DISTINCT tag FROM chunks WHERE state = 'queued' AND output IS NULL`),
    queuedCopies: s<[], { output: string; tag: string }>(
      `SELECT DISTINCT output, tag FROM chunks WHERE state = 'queued' AND output IS NOT NULL ORDER BY output, tag`,
    ),
    inflightChunks: s<[], LeaseRow & { lease_owner: string; lease_expires: number }>(`SELECT id, lease_owner, lease_expires FROM chunks WHERE state = 'inflight'`),
    reclaim: s<[number, number, string]>(
      `UPDATE chunks SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
              in_doubt_since = COALESCE(in_doubt_since, last_attempt_at, ?)
       WHERE id = ? AND state = 'inflight' AND lease_owner = ?`,
    ),
    takeLease: s<[string, number, number, number, number]>(
      `UPDATE chunks SET state = 'inflight', lease_owner = ?, lease_expires = ?, attempts = attempts + 1,
              first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?
       WHERE id = ? AND state = 'queued'`,
    ),
    // Its own payload, or the one its fan-out copies share (the chunk id given twice).
    payloadOf: s<[number, number], { data: Buffer }>(
      `SELECT data FROM payloads WHERE chunk_id = ?
       UNION ALL SELECT s.data FROM chunks c JOIN shared_payloads s ON s.id = c.shared_payload WHERE c.id = ?
       LIMIT 1`,
    ),
    chunkById: s<[number], ChunkRow>(`SELECT * FROM chunks WHERE id = ?`),
    chunkByKey: s<[string], ChunkRow>(`SELECT * FROM chunks WHERE key = ?`),
    // A range on the unique key's index: every key starting with a lowercase hex prefix (given twice).
    keysWithPrefix: s<[string, string, number], { key: string }>(`SELECT key FROM chunks WHERE key >= ? AND key < ? || 'g' ORDER BY key LIMIT ?`),
    ack: s<[number, string]>(`DELETE FROM chunks WHERE id = ? AND state = 'inflight' AND lease_owner = ?`),
    release: s<[string | null, number, number, number, string]>(
      `UPDATE chunks SET state = 'queued', lease_owner = NULL, lease_expires = NULL, last_error = ?,
              in_doubt_since = CASE WHEN ? = 1 THEN COALESCE(in_doubt_since, ?) ELSE in_doubt_since END
       WHERE id = ? AND state = 'inflight' AND lease_owner = ?`,
    ),
    // An attempt this process interrupted (Ctrl-C, stop) is not a failure: no last_error, no failed
    // count. But the request was on its way and the endpoint may have imported it, so it is in doubt.
    unlease: s<[number, number, string]>(
      `UPDATE chunks SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
              in_doubt_since = COALESCE(in_doubt_since, ?)
       WHERE id = ? AND state = 'inflight' AND lease_owner = ?`,
    ),
    releaseOwner: s<[string]>(
      `UPDATE chunks SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
              in_doubt_since = COALESCE(in_doubt_since, last_attempt_at)
       WHERE state = 'inflight' AND lease_owner = ?`,
    ),
    park: s<[string, number, number, string]>(
      `UPDATE chunks SET state = 'parked', park_reason = ?, last_error = COALESCE(last_error, park_reason), parked_at = ?,
              lease_owner = NULL, lease_expires = NULL
       WHERE id = ? AND state = 'inflight' AND lease_owner = ?`,
    ),
    insertSealed: s<[string, string, number, number, number, number, number, string, string | null]>(
      `INSERT INTO chunks (key, tag, state, records, raw_bytes, stored_bytes, created_at, sealed_at, parent_key, output)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)`,
    ),

    // -- fan-out (routing: copy)
    unassignedOfTag: s<[string], ChunkRow>(`SELECT * FROM chunks WHERE state = 'queued' AND output IS NULL AND tag = ? ORDER BY id`),
    sharePayload: s<[number]>(`INSERT INTO shared_payloads (bytes, data) SELECT length(data), data FROM payloads WHERE chunk_id = ?`),
    deletePayload: s<[number]>(`DELETE FROM payloads WHERE chunk_id = ?`),
    assignOutput: s<[string, number, number]>(
      `UPDATE chunks SET output = ?, shared_payload = ? WHERE id = ? AND state = 'queued' AND output IS NULL`,
    ),
    insertCopy: s<[string, string, number, number, number, number, number | null, string, string, number]>(
      `INSERT INTO chunks (key, tag, state, records, raw_bytes, stored_bytes, created_at, sealed_at, parent_key, output, shared_payload)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteChunk: s<[number]>(`DELETE FROM chunks WHERE id = ?`),
    unpark: s<[number]>(
      `UPDATE chunks SET state = 'queued', park_reason = NULL, parked_at = NULL, attempts = 0,
              first_attempt_at = NULL WHERE id = ? AND state = 'parked'`,
    ),
    parkedIds: s<[], Id>(`SELECT id FROM chunks WHERE state = 'parked' ORDER BY id`),

    // -- observe
    countsByState: s<[], StateCountRow>(
      `SELECT state, count(*) AS chunks, total(records) AS records, total(raw_bytes) AS raw, total(stored_bytes) AS stored,
              min(created_at) AS oldest FROM chunks GROUP BY state`,
    ),
    pendingByRoute: s<[], PendingRoute>(
      `SELECT tag, output, count(*) AS chunks, total(records) AS records FROM chunks
        WHERE state IN ('queued', 'inflight') GROUP BY tag, output ORDER BY tag, output`,
    ),
    copiesByOutput: s<[], { output: string; state: ChunkState; chunks: number }>(
      `SELECT output, state, count(*) AS chunks FROM chunks WHERE output IS NOT NULL GROUP BY output, state`,
    ),
    listChunks: s<[string | null, string | null, number], ChunkRow>(
      `SELECT * FROM chunks WHERE (? IS NULL OR state = ?) ORDER BY id LIMIT ?`,
    ),
    bumpCounter: s<[string, number]>(
      `INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
    ),
    counters: s<[], { name: string; value: number }>(`SELECT name, value FROM counters ORDER BY name`),
    saveOutputState: s<[string, string, number, number | null, number]>(
      `INSERT INTO output_state (name, state, concurrency, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET state = excluded.state, concurrency = excluded.concurrency,
         next_attempt_at = excluded.next_attempt_at, updated_at = excluded.updated_at`,
    ),
    outputStates: s<[], OutputStateRow>(`SELECT name, state, concurrency, next_attempt_at, updated_at FROM output_state ORDER BY name`),
  };
}
