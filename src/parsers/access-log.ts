// `nginx` and `apache2`: the access-log formats of fluentd's parsers of the same names (same field
// names, same regexps up to JS syntax). The log line's `[time]` becomes the record's `time`.
// Differences from fluentd, on purpose: nginx `code`/`size` are numbers (fluentd leaves strings; a "-"
// size becomes null), and a quoted `"$http_x_forwarded_for"` after the agent is accepted as well as a
// bare one.

import { setField, type FieldParser } from './types.js';

// nginx "combined": $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
// "$http_referer" "$http_user_agent" [optional $http_x_forwarded_for]. fluentd names the literal "-"
// after the address `host` and $remote_user `user`; we keep its names so td tables line up.
const NGINX =
  /^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>(?:[^"\\]|\\.)*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>(?:[^"\\]|\\.)*)" "(?<agent>(?:[^"\\]|\\.)*)"(?:\s+"?(?<http_x_forwarded_for>[^"]*)"?)?)?$/;

// Apache "combined": %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i" (the agent part optional).
const APACHE2 =
  /^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>(?:[^"\\]|\\.)*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>(?:[^"\\]|\\.)*)" "(?<agent>(?:[^"\\]|\\.)*)")?$/;

const DIGITS = /^\d+$/;

/** "200" → 200; "-" → null (no value); anything else stays as written. */
function toNumber(v: string): number | string | null {
  if (DIGITS.test(v)) return Number(v);
  return v === '-' ? null : v;
}

const NGINX_FIELDS = ['remote', 'host', 'user', 'time', 'method', 'path', 'code', 'size', 'referer', 'agent', 'http_x_forwarded_for'];

export const parseNginxFields: FieldParser = (line) => {
  const g = NGINX.exec(line)?.groups;
  if (g === undefined) return 'line is not an nginx "combined" access log line';
  const rec: Record<string, unknown> = {};
  for (const name of NGINX_FIELDS) {
    const v = g[name];
    if (v === undefined) continue; // fluentd leaves out groups that did not match
    setField(rec, name, name === 'code' || name === 'size' ? toNumber(v) : v);
  }
  return rec;
};

/** fluentd's apache2 parser turns "-" into nil (null) for these fields, and code 0 too. */
function dashToNull(v: string | undefined): string | null {
  return v === undefined || v === '-' ? null : v;
}

export const parseApache2Fields: FieldParser = (line) => {
  const g = APACHE2.exec(line)?.groups;
  if (g === undefined) return 'line is not an apache2 "combined" access log line';
  const code = toNumber(g.code as string);
  const size = toNumber(g.size as string);
  return {
    host: dashToNull(g.host),
    user: dashToNull(g.user),
    time: g.time,
    method: g.method,
    path: g.path ?? null,
    code: code === 0 ? null : code,
    size,
    referer: dashToNull(g.referer),
    agent: dashToNull(g.agent),
  };
};
