// The syslog input (fluentd in_syslog, Fluent Bit's syslog input): RFC 3164 and RFC 5424 messages
// over UDP (udp.ts) or TCP with octet counting or newline framing (tcp.ts). Each record is tagged
// `<tag>.<facility>.<severity>`; a message that does not parse is kept with `_parse_error` and counted.
import type { InputContext } from '../types.js';
import type { SyslogInputConfig } from './config.js';
import { createSyslogTcpInput } from './tcp.js';
import { createSyslogUdpInput } from './udp.js';
import type { OnCommitted, SyslogInput } from './listener.js';

export type { SyslogInputConfig } from './config.js';
export type { SyslogInput } from './listener.js';

export function createSyslogInput(cfg: SyslogInputConfig, ctx: InputContext): SyslogInput {
  const onCommitted: OnCommitted = (_records, parseErrors) => {
    if (parseErrors > 0) ctx.onParseErrors?.(parseErrors);
  };
  return cfg.protocol === 'tcp' ? createSyslogTcpInput(cfg, ctx, onCommitted) : createSyslogUdpInput(cfg, ctx, onCommitted);
}
