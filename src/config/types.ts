// The resolved configuration: what the rest of tdfwd consumes after the YAML file, `${VAR}` expansion,
// defaults and flags have been applied. Durations are milliseconds, sizes are bytes. Each type is
// derived from its schema (z.output), declared once next to its code; this file only gathers them,
// plus what the loader adds (the resolved buffer directory, output names, the secrets).
import type { z } from 'zod';
import type { InputConfig } from './inputs.js';
import type { OutputConfig } from './outputs.js';
import type { adminSchema, bufferSchema } from './schema.js';
import type { Routing } from '../router/router.js';
import type { FilterConfig } from '../filters/config.js';

export type { FilterConfig } from '../filters/config.js';

export type { ParserFormat } from './parser-format.js';
export type { StdinInputConfig } from '../inputs/stdin-config.js';
export type { TailInputConfig } from '../inputs/tail/config.js';
export type { ForwardInputConfig } from '../inputs/forward/config.js';
export type { HttpInputConfig } from '../inputs/http/config.js';
export type { SyslogInputConfig } from '../inputs/syslog/config.js';
export type { InputConfig } from './inputs.js';
export type { TdOutputConfig } from '../outputs/td/config.js';
export type { HttpOutputConfig } from '../outputs/http/config.js';
export type { StdoutOutputConfig } from '../outputs/stdout-config.js';
export type { ForwardOutputConfig } from '../outputs/forward/config.js';
export type { ClientTlsConfig, ProxySetting, ServerTlsConfig } from './tls.js';
export type { OutputConfig } from './outputs.js';
export type { ConcurrencyConfig, JitterMode, RetryConfig, RetryType } from './output-common.js';

/** The buffer section, its directory resolved (flag > TDFWD_BUFFER > buffer.path > XDG default). */
export type BufferConfig = Omit<z.output<typeof bufferSchema>, 'path'> & { path: string };

export type AdminConfig = z.output<typeof adminSchema>;

export interface TdfwdConfig {
  buffer: BufferConfig;
  inputs: InputConfig[];
  /** Applied in order between the inputs and the buffer (src/filters). */
  filters: FilterConfig[];
  outputs: OutputConfig[];
  admin: AdminConfig;
  shutdownTimeout: number;
  /** first_match: a tag's chunks go to the first output that matches; copy: every matching output gets a copy. */
  routing: Routing;
  /** Strings to mask in logs and `config check` (API keys, shared keys, header values). */
  secrets: string[];
}
