// `tdfwd chunks show|retry|drop|export ID`: ID is a numeric id, a key, or a unique key prefix of 4+
// characters. The keys are set to known values in the real buffer.db, so prefixes collide on purpose.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charactersToPick } from '../../src/cli/chunk-ref.js';
import { runTdfwd } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const KEYS = ['0adb1f'.padEnd(32, '0'), '0adb1f'.padEnd(32, '1'), '0adc'.padEnd(32, 'e')];

const { dir, cleanup } = tempDir();
const buffer = join(dir, 'buf');
const b = ['--buffer', buffer];
afterAll(() => cleanup());

beforeAll(async () => {
  for (const table of ['one', 'two', 'three']) {
    const r = await runTdfwd([...b, 'send', '--tag', `td.db.${table}`], { input: `${table}\n` });
    expect(r.code).toBe(0);
  }
  const db = new Database(join(buffer, 'buffer.db'));
  try {
    const ids = (db.prepare('SELECT id FROM chunks ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).toHaveLength(3);
    ids.forEach((id, i) => db.prepare('UPDATE chunks SET key = ? WHERE id = ?').run(KEYS[i], id));
  } finally {
    db.close();
  }
}, 30_000);

describe('chunk key prefixes', () => {
  it('a unique prefix of 4 characters finds the chunk (show, export), in any case', async () => {
    const shown = await runTdfwd([...b, 'chunks', 'show', '0adc']);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`key         ${KEYS[2]}`);
    const exported = await runTdfwd([...b, 'chunks', 'export', '0ADC']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout.trim())).toMatchObject({ message: 'three' });
  });

  it('an ambiguous prefix says how many chunks match and how many characters pick one', async () => {
    const r = await runTdfwd([...b, 'chunks', 'show', '0adb']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/0adb is ambiguous: 2 chunks have keys starting with it; give at least 7 characters/);
    expect(r.stdout).toBe('');
    const picked = await runTdfwd([...b, 'chunks', 'show', '0adb1f1']);
    expect(picked.code).toBe(0);
    expect(picked.stdout).toContain(`key         ${KEYS[1]}`);
  });

  it('a prefix shorter than 4 characters says so', async () => {
    const r = await runTdfwd([...b, 'chunks', 'export', '0ad']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a key prefix needs at least 4 characters \(this one has 3\)/);
  });

  it('retry and drop take a prefix too; numeric ids still work; an unknown prefix is not found', async () => {
    const retry = await runTdfwd([...b, 'chunks', 'retry', '0adb1f0']);
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/chunk \d+ is open, not parked/);
    const drop = await runTdfwd([...b, 'chunks', 'drop', '0adc', '--yes']);
    expect(drop.code).toBe(0);
    expect(drop.stderr).toContain(`key ${KEYS[2]}`);
    const byId = await runTdfwd([...b, 'chunks', 'show', '1']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain(`key         ${KEYS[0]}`);
    const missing = await runTdfwd([...b, 'chunks', 'show', 'ffff']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no chunk "ffff" in the buffer/);
  });

  it('characters to pick: one more than the longest prefix two neighbouring keys share', () => {
    expect(charactersToPick(['0adb10', '0adb20', '0adb21'])).toBe(6);
    expect(charactersToPick(['0adb1', '0adc2'])).toBe(4);
  });
});
