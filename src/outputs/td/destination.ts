// Where a tag goes in Treasure Data: `td.<database>.<table>` → that database and table (the last two
// parts, the fluent-plugin-td convention), unless the output names them.
import type { TdOutputConfig } from '../../config/types.js';

export interface Destination {
  database: string;
  table: string;
}

/** The destination, or a sentence saying why there is none (the chunk is then parked). */
export function destinationOf(tag: string, cfg: Pick<TdOutputConfig, 'database' | 'table'>): Destination | string {
  const parts = tag.split('.');
  const table = cfg.table ?? (parts.length >= 2 ? parts[parts.length - 1] : undefined);
  const database = cfg.database ?? (parts.length >= 2 ? parts[parts.length - 2] : undefined);
  if (!database || !table) {
    return `tag "${tag}" does not name a database and table (expected td.<database>.<table>, or set database/table on the output)`;
  }
  return { database, table };
}

/** Accept `host`, `host:port` or a URL; default to https, as td-client does. No trailing slash. */
export function normalizeEndpoint(endpoint: string): string {
  const e = endpoint.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(e) ? e : `https://${e}`;
}
