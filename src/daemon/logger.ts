// The daemon's structured log: pino, JSON lines on stderr, every line passed through the secret
// masker so an API key or shared key never reaches a log file.
import pino, { type Logger } from 'pino';
import { secretMasker } from '../config/secrets.js';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

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
