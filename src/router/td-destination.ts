// Where a tag goes in Treasure Data. The rule, as fluent-plugin-td names things but stricter about
// the tag's shape:
//
// - an output with both `database` and `table` sends every tag there (the names must already be
//   valid Treasure Data names: validTdName);
// - otherwise the tag must be exactly `td.<database>.<table>`, and `database:` or `table:` on the
//   output replaces that part. `td.web` (no table) and `td.a.b.c` (fluent-plugin-td would silently
//   take the last two parts, database `b`) are errors, found where the tag is known: `send --tag`,
//   a stdin/tail input's `tag` at config load, and for tags that arrive with the data (forward,
//   http inputs) the chunk is parked with the same sentence;
// - names from the tag are normalized as fluent-plugin-td's normalize_database_name /
//   normalize_table_name (td-client): padded with `_` to 3 characters, cut to 255 (253 + `__`),
//   lowercased, every character other than a-z 0-9 _ replaced by `_`: `td.Web-Logs.a` goes to
//   database `web_logs`, table `a__`.
// Pure: imports nothing of ours, so the config loader, `send` and the td output share it.

export interface TdDestination {
  database: string;
  table: string;
}

/** The database and table an output names itself (TdOutputConfig's fields). */
export interface FixedTdNames {
  database?: string | undefined;
  table?: string | undefined;
}

const MIN_LENGTH = 3;
const MAX_LENGTH = 255;
const VALID = /^[a-z0-9_]{3,255}$/;

/** td-client's normalize_database_name (= normalize_table_name), character for character. */
export function normalizeTdName(name: string): string {
  let chars = [...name];
  if (chars.length < MIN_LENGTH) chars = chars.concat(Array<string>(MIN_LENGTH - chars.length).fill('_'));
  if (chars.length > MAX_LENGTH) chars = [...chars.slice(0, MAX_LENGTH - 2), '_', '_'];
  return chars.join('').toLowerCase().replace(/[^a-z0-9_]/gu, '_');
}

/** A name Treasure Data accepts as is: 3 to 255 of a-z, 0-9 and `_`. */
export function validTdName(name: string): boolean {
  return VALID.test(name);
}

const SHAPE = 'a td output takes the database and table from tags td.<database>.<table>';

/** The destination of `tag`, or a sentence saying why there is none and what to write instead. */
export function tdDestination(tag: string, fixed: FixedTdNames = {}): TdDestination | string {
  if (fixed.database !== undefined && fixed.table !== undefined) return { database: fixed.database, table: fixed.table };
  const parts = tag.split('.');
  if (parts[0] !== 'td') {
    return `tag "${tag}" does not start with td.: ${SHAPE}; tag the records td.<database>.<table>, or set database and table on the output`;
  }
  if (parts.length < 3) {
    const example = parts[1] === undefined ? 'td.mydb.mytable' : `td.${parts[1]}.<table>`;
    return `tag "${tag}" has no table: ${SHAPE}; write ${example}, or set table on the output`;
  }
  if (parts.length > 3) {
    const [db, table] = parts.slice(-2);
    return `tag "${tag}" has ${parts.length} parts: ${SHAPE}, exactly three; tdfwd does not guess (fluent-plugin-td would take the last two, database "${db ?? ''}" and table "${table ?? ''}"): retag the records, or set database and table on the output`;
  }
  return {
    database: fixed.database ?? normalizeTdName(parts[1] as string),
    table: fixed.table ?? normalizeTdName(parts[2] as string),
  };
}
