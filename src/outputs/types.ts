// What delivery sees of an output: a sealed chunk in, an Outcome out. Outputs know nothing of SQLite.
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import type { OutputConfig } from '../config/types.js';
import type { OutputNote } from './outbound-notes.js';

export interface Output {
  readonly name: string;
  readonly config: OutputConfig;
  /** Said once when the output starts: its proxy, risky TLS or plain-http settings. */
  readonly notes?: readonly OutputNote[];
  /** One attempt. Never throws for endpoint or network trouble: every result is an Outcome. */
  send(chunk: SealedChunk, signal?: AbortSignal): Promise<Outcome>;
  close(): Promise<void>;
}
