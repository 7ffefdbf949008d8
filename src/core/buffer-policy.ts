// Buffer policies named by the config and applied by the buffer: here so that neither imports the other.

/** What `append` does when the buffer is at `total_limit_size`. */
export type OverflowAction = 'block' | 'drop_oldest_chunk' | 'throw_exception';

/** SQLite `synchronous`: `full` fsyncs every commit (the durable default), `normal` only at checkpoints. */
export type SyncMode = 'full' | 'normal';
