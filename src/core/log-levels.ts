// The log levels `--log-level` accepts (checked once by commander for every command) and the daemon's
// logger (pino) takes: here so the CLI and the logger share one list.
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
