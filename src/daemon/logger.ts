// The daemon's structured log: pino, JSON lines on stderr, every line passed through the secret
// masker so an API key or shared key never reaches a log file.
import pino, { type Logger } from 'pino';
import { secretMasker } from '../config/secrets.js';

export type { Logger } from 'pino';

export { LOG_LEVELS } from '../core/log-levels.js';

export function createLogger(level: string, secrets: readonly string[]): Logger {
  let mask = secretMasker(secrets);
  const stream = {
    write(line: string): void {
      process.stderr.write(mask(line));
    },
  };
  const logger = pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  // A reload may bring new secrets: let the daemon update the masker.
  (logger as Logger & { setSecrets?: (s: readonly string[]) => void }).setSecrets = (s) => {
    mask = secretMasker(s);
  };
  return logger;
}

export function setLoggerSecrets(logger: Logger, secrets: readonly string[]): void {
  (logger as Logger & { setSecrets?: (s: readonly string[]) => void }).setSecrets?.(secrets);
}

/**
 * A log line at most once per `everyMs` for the same message: for failures that repeat with every
 * event or tick (a full disk), so the log says it without flooding.
 */
export function throttledLog(log: Logger, everyMs = 30_000): (level: 'warn' | 'error', message: string) => void {
  const lastAt = new Map<string, number>();
  return (level, message) => {
    const now = Date.now();
    if (now - (lastAt.get(message) ?? -Infinity) < everyMs) return;
    if (lastAt.size > 100) lastAt.clear();
    lastAt.set(message, now);
    log[level](message);
  };
}
