// The databases and tables that exist, as the real API keeps them: an import into a table that was
// never created answers 404 (unless autoTables), create calls answer 409 when the name exists.

const NAME = /^[a-z0-9_]{1,255}$/;

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export class TableCatalog {
  readonly #dbs = new Map<string, Set<string>>();
  readonly #auto: boolean;

  constructor(autoTables: boolean) {
    this.#auto = autoTables;
  }

  /** 'created' or 'exists'. */
  createDatabase(db: string): 'created' | 'exists' {
    if (this.#dbs.has(db)) return 'exists';
    this.#dbs.set(db, new Set());
    return 'created';
  }

  createTable(db: string, table: string): 'created' | 'exists' | 'no-database' {
    const tables = this.#dbs.get(db);
    if (!tables) return 'no-database';
    if (tables.has(table)) return 'exists';
    tables.add(table);
    return 'created';
  }

  /** Whether an import may land in db.table; with autoTables the table comes into being. */
  accepts(db: string, table: string): boolean {
    if (this.#dbs.get(db)?.has(table)) return true;
    if (!this.#auto) return false;
    this.createDatabase(db);
    this.createTable(db, table);
    return true;
  }

  /** Every created table as "db.table", sorted. */
  list(): string[] {
    const out: string[] = [];
    for (const [db, tables] of this.#dbs) for (const t of tables) out.push(`${db}.${t}`);
    return out.sort();
  }
}
