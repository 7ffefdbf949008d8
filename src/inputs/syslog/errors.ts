// Why a syslog message could not be read: the text goes into the kept record's `_parse_error`.
export class SyslogParseError extends Error {
  override readonly name = 'SyslogParseError';
}
