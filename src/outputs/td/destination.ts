// Where a tag goes in Treasure Data: the rule lives in src/router/td-destination.ts (shared with the
// config loader and `send`, which refuse a tag without a destination before it is buffered).
import type { TdOutputConfig } from '../../config/types.js';
import { tdDestination, type TdDestination } from '../../router/td-destination.js';

export type Destination = TdDestination;

/** The destination, or a sentence saying why there is none (the chunk is then parked). */
export function destinationOf(tag: string, cfg: Pick<TdOutputConfig, 'database' | 'table'>): Destination | string {
  return tdDestination(tag, cfg);
}

/** Accept `host`, `host:port` or a URL; default to https, as td-client does. No trailing slash. */
export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(e) ? e : `https://${e}`;
}
