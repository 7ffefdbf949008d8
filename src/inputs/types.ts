// What every input is: something the daemon starts and stops, which turns what it reads into events
// and hands them to an EventSink. Inputs never see the buffer; they acknowledge their source only
// after `sink.write` resolves (durable before acknowledged).
import type { EventSink } from '../core/sink.js';

export type InputLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface InputContext {
  sink: EventSink;
  log: (level: InputLogLevel, msg: string, fields?: Record<string, unknown>) => void;
  /** Where the input's config is (`inputs[2]`), for messages that name a key to change. */
  configPath?: string;
  /**
   * Called with the number of lines that did not parse (kept as `{message, _parse_error}`), as they
   * are committed: the daemon counts them in `tdfwd_input_parse_errors_total`.
   */
  onParseErrors?: (n: number) => void;
}

export interface Input {
  readonly name: string;
  start(): Promise<void>;
  /** Stop accepting, finish in-flight writes, close sockets. */
  stop(): Promise<void>;
}
