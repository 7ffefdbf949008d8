// A grep pattern that is only ASCII text, optionally anchored (`^/health`, `error`, `^GET$`), tested
// on a string value's UTF-8 bytes instead of a decoded string: the same answer (UTF-8 is
// self-synchronizing, so an ASCII byte sequence occurs in the bytes exactly where it occurs in the
// text), without making a string per record. Anything else returns null and runs as a RegExp.

export interface Literal {
  bytes: Buffer;
  start: boolean;
  end: boolean;
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

export function literalOf(pattern: string): Literal | null {
  let body = pattern;
  const start = body.startsWith('^');
  if (start) body = body.slice(1);
  const end = body.endsWith('$') && !body.endsWith('\\$');
  if (end) body = body.slice(0, -1);
  let text = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c.charCodeAt(0) > 0x7e || c.charCodeAt(0) < 0x20) return null;
    if (c === '\\') {
      const next = body[i + 1];
      // `\/`, `\.`: the character itself; `\d`, `\b`, `\1`...: a regexp
      if (next === undefined || /[A-Za-z0-9]/.test(next) || next.charCodeAt(0) > 0x7e || next.charCodeAt(0) < 0x20) return null;
      text += next;
      i++;
    } else if (META.has(c)) return null;
    else text += c;
  }
  return { bytes: Buffer.from(text, 'latin1'), start, end };
}

/** Whether buf[from, to) (a string's UTF-8) matches the literal. */
export function matchesLiteral(lit: Literal, buf: Buffer, from: number, to: number): boolean {
  const n = lit.bytes.length;
  const len = to - from;
  if (n > len || ((lit.start && lit.end) && n !== len)) return false;
  if (lit.start) return bytesAt(lit.bytes, buf, from);
  if (lit.end) return bytesAt(lit.bytes, buf, to - n);
  for (let p = from; p <= to - n; p++) if (bytesAt(lit.bytes, buf, p)) return true;
  return false;
}

function bytesAt(needle: Buffer, buf: Buffer, at: number): boolean {
  for (let q = 0; q < needle.length; q++) if (buf[at + q] !== needle[q]) return false;
  return true;
}
