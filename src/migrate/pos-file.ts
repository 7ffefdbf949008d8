// fluentd in_tail's pos_file: one line per followed file, `path<TAB>offset<TAB>inode`, both numbers
// as 16 hexadecimal digits; an offset of ffffffffffffffff marks a file no longer watched. Pure.

export interface PosEntry {
  path: string;
  offset: number;
  /** The inode as tdfwd's tail writes it: decimal, as Node's fs.Stats gives it. */
  inode: string;
  line: number;
}

export interface PosFile {
  entries: PosEntry[];
  /** Lines that could not be read, as sentences with their line number. */
  problems: string[];
}

const UNWATCHED = 'ffffffffffffffff';

/** The entries of a pos_file's text; for a path listed twice, the last line wins (fluentd appends). */
export function parsePosFile(text: string): PosFile {
  const byPath = new Map<string, PosEntry>();
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const m = /^(.+)\t([0-9a-fA-F]{1,16})\t([0-9a-fA-F]{1,16})$/.exec(line);
    if (!m) {
      problems.push(`line ${i + 1} is not "path<TAB>offset<TAB>inode" in hexadecimal; skipped`);
      return;
    }
    const [, path, posHex, inodeHex] = m as unknown as [string, string, string, string];
    if (posHex.toLowerCase() === UNWATCHED) {
      byPath.delete(path);
      return;
    }
    const offset = Number(BigInt(`0x${posHex}`));
    if (!Number.isSafeInteger(offset)) {
      problems.push(`line ${i + 1}: the offset of ${path} is too large; skipped`);
      return;
    }
    // tdfwd's tail takes String(stat.ino), a JavaScript number: the same rounding here.
    byPath.set(path, { path, offset, inode: String(Number(BigInt(`0x${inodeHex}`))), line: i + 1 });
  });
  return { entries: [...byPath.values()], problems };
}
