// What `tdfwd migrate` produces from a td-agent.conf before it is written as YAML: the sections of a
// tdfwd config, each entry with the comment lines that go above it.
import type { Where } from './fluentd-config.js';

/**
 * One list entry (an input, a filter, an output) in YAML key order, snake_case as in the file; null
 * for comments only (parts that converted to nothing, at the end of their section).
 */
export interface Entry {
  value: Record<string, unknown> | null;
  /** Comment lines (without `#`) written above the entry. */
  comments: string[];
}

/** An in_tail pos_file, for --import-positions. */
export interface PosFileRef extends Where {
  posFile: string;
  /** The tail input it belongs to (index in `inputs`). */
  input: number;
}

export interface Migration {
  /** Comment lines at the top: the source, and parts that belong to no section. */
  header: string[];
  buffer: Record<string, unknown>;
  bufferComments: string[];
  routing: 'first_match' | 'copy';
  routingComments: string[];
  inputs: Entry[];
  filters: Entry[];
  outputs: Entry[];
  posFiles: PosFileRef[];
  /** How many `not converted:` notes there are in all. */
  notConverted: number;
}
