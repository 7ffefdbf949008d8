// One error hierarchy with stable codes. The CLI maps a TdfwdError to its exit code and prints
// its message as a sentence; anything else is a bug and gets a stack trace.

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'BUFFER_LOCKED'
  | 'BUFFER_FULL'
  | 'DISK_FULL'
  | 'BUFFER_CORRUPT'
  | 'BUFFER_ACCESS'
  | 'IO'
  | 'NOT_FOUND'
  | 'UNDELIVERED';

/** Exit codes of PRODUCT.md: 0 success, 1 the job could not be completed, 2 usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_INCOMPLETE = 1;
export const EXIT_USAGE = 2;

export class TdfwdError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, exitCode: number = EXIT_INCOMPLETE) {
    super(message);
    this.name = 'TdfwdError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** A bad flag or argument: exit 2. */
export class UsageError extends TdfwdError {
  constructor(message: string) {
    super('USAGE', message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** A bad config key or value; the message names the key path: exit 2. */
export class ConfigError extends TdfwdError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('CONFIG', path ? `${path}: ${message}` : message, EXIT_USAGE);
    this.name = 'ConfigError';
    this.path = path;
  }
}

/** The buffer cannot take more data and the overflow action says reject. */
export class BufferFullError extends TdfwdError {
  constructor(message: string, code: 'BUFFER_FULL' | 'DISK_FULL' = 'BUFFER_FULL') {
    super(code, message, EXIT_INCOMPLETE);
    this.name = 'BufferFullError';
  }
}

/**
 * The disk (or file system quota) holding the buffer is full: SQLite could not write. Everything
 * committed before stays; inputs treat it as a full buffer (wait, or reject at the source).
 */
export class DiskFullError extends BufferFullError {
  constructor(dir: string) {
    super(`the disk holding the buffer (${dir}) is full: nothing more can be committed until space is freed there; everything committed so far is kept`, 'DISK_FULL');
    this.name = 'DiskFullError';
  }
}

export function isTdfwdError(err: unknown): err is TdfwdError {
  return err instanceof TdfwdError;
}
