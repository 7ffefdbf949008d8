// `<source>` directives → tdfwd inputs: in_tail → tail, in_forward → forward, in_http → http,
// in_syslog → syslog. fluentd's network inputs listen on 0.0.0.0 by default and tdfwd's on
// 127.0.0.1, so a converted input without `bind` gets `bind: 0.0.0.0` written out: the switch must
// not stop the hosts that send to it.
import type { Directive } from './fluentd-config.js';
import { bool, duration, integer, isHostnameRuby, list, size, textValue } from './fluentd-values.js';
import type { Entry } from './model.js';
import { convertParse, PARSE_REASONS } from './parse-section.js';
import { describe, Notes, Section, type Places } from './section.js';

export interface SourceResult {
  /** The input, or null when the source has no tdfwd equivalent (its comments say why). */
  value: Entry['value'] | null;
  comments: string[];
  /** in_tail's pos_file, for --import-positions. */
  posFile?: { path: string; at: Directive };
}

const NO_INPUT: Readonly<Record<string, string>> = {
  debug_agent: 'no Ruby debug console in tdfwd',
  monitor_agent: "tdfwd's admin server (admin.listen) serves /metrics and /api/status instead",
  exec: 'no exec input in tdfwd; pipe the command into `tdfwd send`',
  dummy: 'no dummy input in tdfwd',
  sample: 'no sample input in tdfwd',
};

export function convertSource(d: Directive, places: Places): SourceResult {
  const notes = new Notes(places);
  const sec = new Section(d, notes);
  const type = sec.type.replace(/^in_/, '');
  notes.info(`from ${places.at(d)} ${describe(d)}`);
  const label = sec.take('@label');
  if (label) sec.reject(label, 'label routing is not converted: these events go through the top-level filters and outputs');
  let value: Record<string, unknown> | null;
  let posFile: SourceResult['posFile'];
  switch (type) {
    case 'tail': {
      const r = tail(sec);
      value = r.value;
      posFile = r.posFile ? { path: r.posFile, at: d } : undefined;
      break;
    }
    case 'forward':
      value = forward(sec);
      break;
    case 'http':
      value = http(sec);
      break;
    case 'syslog':
      value = syslog(sec);
      break;
    default:
      notes.notConverted(d, `${describe(d)} (${NO_INPUT[type] ?? `no ${type || 'untyped'} input in tdfwd`})`);
      return { value: null, comments: notes.lines };
  }
  return { value, comments: notes.lines, ...(posFile ? { posFile } : {}) };
}

function tail(sec: Section): { value: Record<string, unknown>; posFile?: string } {
  const v: Record<string, unknown> = { type: 'tail' };
  const path = sec.take('path');
  const paths = path ? list(path.value) : [];
  v.path = paths.length === 1 ? paths[0] : paths;
  if (paths.some((p) => p.includes('%'))) sec.notes.notConverted(path!, 'path: strftime placeholders like %Y-%m-%d are not expanded by tdfwd; use a glob (*)');
  const exclude = sec.take('exclude_path');
  if (exclude) v.exclude = list(exclude.value);
  const tag = sec.take('tag');
  v.tag = tag?.value ?? 'tail';
  const parse = sec.children('parse')[0];
  const parsed = parse ? convertParse(new Section(parse, sec.notes), false) : convertParse(sec, true);
  v.format = parsed.format;
  if (parsed.time_key) v.time_key = parsed.time_key;
  const head = sec.convert('read_from_head', bool);
  if (head !== undefined) v.read_from_head = head;
  for (const key of ['rotate_wait', 'refresh_interval', 'multiline_flush_interval'] as const) {
    const d = sec.convert(key, duration);
    if (d !== undefined) v[key] = d;
  }
  const maxLine = sec.convert('max_line_size', size);
  if (maxLine !== undefined) v.max_line_size = maxLine;
  if (parsed.multiline_start) v.multiline_start = parsed.multiline_start;
  const pos = sec.take('pos_file');
  if (pos) sec.notes.info(`pos_file ${pos.value}: tdfwd keeps tail positions in its buffer; tdfwd migrate --import-positions copies them there`);
  sec.finish({
    ...PARSE_REASONS,
    follow_inodes: 'tdfwd always follows a rotated file by its inode',
    enable_watch_timer: 'tdfwd watches directories with inotify and polls files',
    enable_stat_watcher: 'tdfwd watches directories with inotify and polls files',
    open_on_every_update: 'tdfwd keeps the file open',
    path_key: 'tdfwd does not add the file path to records; a * in the tag puts it in the tag',
    pos_file_compaction_interval: 'tdfwd forgets positions of files gone for 24 hours by itself',
  });
  return pos ? { value: v, posFile: pos.value } : { value: v };
}

function listenKeys(sec: Section, v: Record<string, unknown>, defaultPort: number): void {
  v.bind = sec.take('bind')?.value ?? '0.0.0.0';
  v.port = sec.convert('port', integer) ?? defaultPort;
}

function forward(sec: Section): Record<string, unknown> {
  const v: Record<string, unknown> = { type: 'forward' };
  listenKeys(sec, v, 24224);
  for (const security of sec.children('security')) {
    const s = new Section(security, sec.notes);
    const key = s.take('shared_key');
    if (key) {
      const k = textValue(key);
      if (k.ok) v.shared_key = k.value;
      else s.notes.notConverted(key, `shared_key: ${k.why}`);
    }
    const host = s.take('self_hostname');
    if (host && !isHostnameRuby(host)) {
      const h = textValue(host);
      if (h.ok) v.self_hostname = h.value;
      else s.notes.notConverted(host, `self_hostname: ${h.why}; tdfwd's default is this host's name`);
    }
    s.finish({
      user_auth: 'no user authentication in tdfwd; shared_key only',
      allow_anonymous_source: 'no per-client rules in tdfwd',
      '<client>': 'no per-client rules in tdfwd',
      '<user>': 'no user authentication in tdfwd; shared_key only',
    });
  }
  const tls = transportTls(sec, true);
  if (tls) v.tls = tls;
  sec.finish({ skip_invalid_event: 'tdfwd refuses a malformed frame and closes the connection' });
  return v;
}

/** `<transport tls>` of a listening input → tls: { cert_file, key_file, ca_file }. */
function transportTls(sec: Section, clientCerts: boolean): Record<string, unknown> | undefined {
  const transport = sec.children('transport')[0];
  if (!transport) return undefined;
  const t = new Section(transport, sec.notes);
  if (transport.arg !== 'tls') {
    if (transport.arg !== 'tcp' && transport.arg !== '') sec.notes.notConverted(transport, `<transport ${transport.arg}> (tdfwd takes tcp or tls here)`);
    t.finish();
    return undefined;
  }
  const tls: Record<string, unknown> = {};
  const cert = t.take('cert_path');
  if (cert) tls.cert_file = cert.value;
  const key = t.take('private_key_path');
  if (key) tls.key_file = key.value;
  const auth = t.take('client_cert_auth');
  const ca = t.take('ca_path');
  if (clientCerts && auth && bool(auth.value).ok && (bool(auth.value) as { value: boolean }).value && ca) tls.ca_file = ca.value;
  else if (ca) t.reject(ca, 'without client_cert_auth true fluentd does not check client certificates; tdfwd would');
  t.finish({
    version: 'tdfwd uses Node.js TLS defaults (TLS 1.2 and newer)',
    ciphers: 'tdfwd uses Node.js TLS defaults',
    private_key_passphrase: 'give tdfwd a key file without a passphrase',
    cert_verifier: 'no Ruby verifier in tdfwd',
    insecure: 'tdfwd uses Node.js TLS defaults',
  });
  return tls;
}

function http(sec: Section): Record<string, unknown> {
  const v: Record<string, unknown> = { type: 'http' };
  listenKeys(sec, v, 9880);
  const body = sec.convert('body_size_limit', size);
  if (body !== undefined) v.max_body_size = body;
  sec.finish({
    add_http_headers: 'tdfwd does not add request headers to records',
    add_remote_addr: 'tdfwd does not add the client address to records',
    cors_allow_origins: 'no CORS in tdfwd',
    keepalive_timeout: "tdfwd uses Node.js's keep-alive",
    '<parse>': 'tdfwd takes JSON, NDJSON and json= forms',
  });
  return v;
}

function syslog(sec: Section): Record<string, unknown> {
  const v: Record<string, unknown> = { type: 'syslog' };
  const transport = sec.children('transport')[0];
  const protocol = transport?.arg || sec.take('protocol_type')?.value || 'udp';
  if (protocol !== 'udp' && protocol !== 'tcp') {
    sec.notes.notConverted(transport ?? sec.d, `protocol ${protocol} (tdfwd's syslog input takes udp or tcp); udp is written`);
    v.protocol = 'udp';
  } else v.protocol = protocol;
  if (transport) new Section(transport, sec.notes).finish();
  v.bind = sec.take('bind')?.value ?? '0.0.0.0';
  v.port = sec.convert('port', integer) ?? 5140;
  v.tag = sec.take('tag')?.value ?? 'syslog';
  const parse = sec.children('parse')[0];
  const p = parse ? new Section(parse, sec.notes) : sec;
  const formatParam = p.take('message_format');
  const format = formatParam?.value ?? 'rfc3164';
  if (format === 'auto' || format === 'rfc3164' || format === 'rfc5424') v.format = format;
  else p.reject(formatParam, 'tdfwd reads auto, rfc3164 and rfc5424');
  if (parse) {
    p.take('@type', 'type');
    p.finish({ ...PARSE_REASONS, with_priority: 'tdfwd reads the <PRI> part itself' });
  }
  const frame = sec.take('frame_type');
  if (frame) {
    if (frame.value === 'octet_count') v.framing = 'octet_counting';
    else if (frame.value === 'traditional') v.framing = 'newline';
    else sec.reject(frame, 'tdfwd takes octet_count or traditional framing');
  }
  const max = sec.convert('message_length_limit', size);
  if (max !== undefined) v.max_message_size = max;
  sec.finish({
    source_hostname_key: 'tdfwd keeps the host of the message in the record',
    resolve_hostname: 'tdfwd does not resolve client addresses',
    priority_key: 'tdfwd puts facility and severity in the tag',
    facility_key: 'tdfwd puts facility and severity in the tag',
    severity_key: 'tdfwd puts facility and severity in the tag',
  });
  return v;
}
