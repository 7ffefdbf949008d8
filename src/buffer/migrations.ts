// Numbered schema migrations. Each runs once, in order, inside a transaction; `user_version` records
// the last one applied. Never edit a shipped migration: add the next number.

export const MIGRATIONS: readonly string[] = [
  // 1: chunks, their payloads and open parts; tail positions; counters.
  `
  CREATE TABLE chunks (
    id               INTEGER PRIMARY KEY,
    key              TEXT    NOT NULL UNIQUE,   -- idempotency key, 32 lowercase hex, never regenerated
    tag              TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('open','sealing','queued','inflight','parked')),
    records          INTEGER NOT NULL DEFAULT 0,
    raw_bytes        INTEGER NOT NULL DEFAULT 0, -- uncompressed record stream
    stored_bytes     INTEGER NOT NULL DEFAULT 0, -- what it occupies: parts while open, payload once sealed
    created_at       INTEGER NOT NULL,           -- ms; first record committed (delivery delay starts here)
    sealed_at        INTEGER,
    parent_key       TEXT,                       -- set on the halves of a split chunk
    attempts         INTEGER NOT NULL DEFAULT 0,
    first_attempt_at INTEGER,
    last_attempt_at  INTEGER,
    in_doubt_since   INTEGER,                    -- first time an attempt ended in doubt
    last_error       TEXT,
    park_reason      TEXT,
    parked_at        INTEGER,
    lease_owner      TEXT,                       -- host:pid:nonce of the process sending (or sealing) it
    lease_expires    INTEGER
  );
  CREATE INDEX chunks_by_state ON chunks (state, in_doubt_since, created_at, id);
  CREATE INDEX chunks_open_tag ON chunks (tag) WHERE state = 'open';
  CREATE TABLE chunk_parts (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    data     BLOB    NOT NULL
  );
  CREATE INDEX chunk_parts_by_chunk ON chunk_parts (chunk_id);
  CREATE TABLE payloads (
    chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    data     BLOB    NOT NULL
  );
  CREATE TABLE positions (
    source TEXT PRIMARY KEY,   -- e.g. tail:<path>
    inode  TEXT,
    offset INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  `,
  // 2: the last known state of each output, so `tdfwd status` can show it without a running daemon.
  `
  CREATE TABLE output_state (
    name            TEXT PRIMARY KEY,
    state           TEXT    NOT NULL,
    concurrency     INTEGER NOT NULL,
    next_attempt_at INTEGER,
    updated_at      INTEGER NOT NULL
  );
  `,
  // 3: parts compressed where they were encoded: a raw deflate segment (sync-flushed, not final) of
  // raw_len bytes of records whose CRC-32 is crc. NULL raw_len: the part holds the records themselves.
  `
  ALTER TABLE chunk_parts ADD COLUMN raw_len INTEGER;
  ALTER TABLE chunk_parts ADD COLUMN crc INTEGER;
  `,
  // 4: fan-out (`routing: copy`). A chunk whose tag several outputs match becomes one row per output,
  // each with its own key, state and retries (`output` names the one output that delivers it; NULL:
  // routed by tag when leased), sharing one payload in shared_payloads. The payload is deleted with
  // the last row that uses it (the trigger), so it stays while any copy is queued, in flight or parked.
  `
  ALTER TABLE chunks ADD COLUMN output TEXT;
  ALTER TABLE chunks ADD COLUMN shared_payload INTEGER;
  CREATE TABLE shared_payloads (
    id    INTEGER PRIMARY KEY,
    bytes INTEGER NOT NULL,
    data  BLOB    NOT NULL
  );
  CREATE INDEX chunks_by_shared_payload ON chunks (shared_payload) WHERE shared_payload IS NOT NULL;
  CREATE INDEX chunks_by_output ON chunks (output, state) WHERE output IS NOT NULL;
  CREATE TRIGGER shared_payload_freed AFTER DELETE ON chunks
    WHEN old.shared_payload IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chunks WHERE shared_payload = old.shared_payload)
  BEGIN
    DELETE FROM shared_payloads WHERE id = old.shared_payload;
  END;
  `,
  // 5: a tail position's fingerprint: the CRC-32 of its file's first head_len bytes (at most 1 KiB),
  // so a file replaced under the same inode (deleted and recreated, rewritten in place) is told apart
  // at start. NULL: no fingerprint (positions imported by `tdfwd migrate`, or stored before this).
  `
  ALTER TABLE positions ADD COLUMN head_len INTEGER;
  ALTER TABLE positions ADD COLUMN head_crc INTEGER;
  `,
];
