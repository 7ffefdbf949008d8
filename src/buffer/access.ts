// "This buffer belongs to someone else": when the buffer directory or buffer.db cannot be read and
// written by this process (EACCES/EPERM, or SQLite refusing a read-only file), the sentence names the
// owner and what to do, for every command (exit 2: the invocation is wrong, not the data).
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { EXIT_USAGE, TdfwdError } from '../core/errors.js';

const DB_FILE = 'buffer.db';
const DENIED = new Set(['EACCES', 'EPERM']);
/** SQLite's ways of saying the file or its directory is not ours to write. */
const SQLITE_DENIED = /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH)/;

export function isAccessDenied(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (DENIED.has(code) || SQLITE_DENIED.test(code));
}

/**
 * Whether `dir` holds a buffer.db; throws the ownership sentence when that cannot even be known
 * (a directory of another user, mode 0700).
 */
export function bufferFileExists(dir: string): boolean {
  try {
    statSync(join(dir, DB_FILE));
    return true;
  } catch (err) {
    if (!isAccessDenied(err)) return false;
    throw accessError(dir) ?? deniedError(dir, dir);
  }
}

/**
 * The ownership sentence for `dir` when this process lacks rights on it or on its buffer.db (or, when
 * `dir` does not exist yet, on the directory that would hold it); null when the rights look fine.
 */
export function accessError(dir: string): TdfwdError | null {
  let target = dir;
  // Not created yet: the first existing ancestor is where it would be created.
  while (!exists(target) && dirname(target) !== target) target = dirname(target);
  const isDir = target === dir || !exists(target) ? true : statSync(target).isDirectory();
  const checks: [string, number][] = target === dir ? [[dir, constants.R_OK | constants.W_OK | constants.X_OK], [join(dir, DB_FILE), constants.R_OK | constants.W_OK]] : [[target, isDir ? constants.W_OK | constants.X_OK : constants.W_OK]];
  for (const [path, mode] of checks) {
    try {
      accessSync(path, mode);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code && DENIED.has(code)) return deniedError(dir, path);
    }
  }
  return null;
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    return isAccessDenied(err);
  }
}

function deniedError(dir: string, path: string): TdfwdError {
  const me = process.getuid?.();
  let owner: number | null = null;
  let mode = '';
  try {
    const st = statSync(path);
    owner = st.uid;
    mode = (st.mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    // not even stat-able: its directory is not ours; say so without an owner
  }
  const ownerText = owner === null ? null : userName(owner) !== null ? `user ${userName(owner)} (uid ${owner})` : `uid ${owner}`;
  const inside = path === dir || dirname(path) === dir;
  if (!inside) {
    // The buffer does not exist yet and its parent is not ours to create it in.
    return new TdfwdError(
      'BUFFER_ACCESS',
      `the buffer directory ${dir} cannot be created: ${path}${ownerText ? ` belongs to ${ownerText}` : ' is not writable by this user'}; ` +
        `create it for this user (sudo install -d -m 0700 -o ${currentUser()} ${dir}) or pass --buffer DIR`,
      EXIT_USAGE,
    );
  }
  const what = path === dir ? `the buffer ${dir}` : `the buffer ${dir} (${basename(path)})`;
  if (owner !== null && owner !== me) {
    return new TdfwdError('BUFFER_ACCESS', `${what} belongs to ${ownerText}: run as that user (sudo -u ${userName(owner) ?? `'#${owner}'`} ${invocation()}) or pass --buffer DIR`, EXIT_USAGE);
  }
  return new TdfwdError(
    'BUFFER_ACCESS',
    `${what} is not readable and writable by this user${mode ? ` (mode ${mode})` : ''}: fix its permissions (tdfwd creates it 0700, buffer.db 0600) or pass --buffer DIR`,
    EXIT_USAGE,
  );
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'USER');
  }
}

/** A user name from /etc/passwd (Node has no getpwuid); null when it is not listed there. */
function userName(uid: number): string | null {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id === String(uid)) return name;
    }
  } catch {
    // no /etc/passwd (or unreadable): the uid alone is said
  }
  return null;
}

/** The command line as typed when this is the tdfwd program (`tdfwd --buffer X status`), else `tdfwd ...`. */
function invocation(): string {
  const script = process.argv[1] ?? '';
  if (!/tdfwd(\.js)?$/.test(script)) return 'tdfwd ...';
  const args = process.argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  return ['tdfwd', ...args].join(' ');
}
