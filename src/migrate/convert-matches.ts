// `<match pattern>` directives → tdfwd outputs: out_tdlog → td, out_forward → forward, out_stdout →
// stdout, out_copy → one output per `<store>` (and `routing: copy` for the whole file). The pattern
// becomes the output's `match`; `@id` its `name`.
import type { Directive } from './fluentd-config.js';
import { bool, duration, integer, isHostnameRuby, list, textValue } from './fluentd-values.js';
import { convertBuffer, type SharedBuffer } from './convert-buffer.js';
import { describe, Notes, Section, type Places } from './section.js';

export interface MatchResult {
  /** The outputs (several for a copy), each with its comment lines. */
  outputs: Array<{ value: Record<string, unknown>; comments: string[] }>;
  /** Comment lines when no output came of it. */
  comments: string[];
  copy: boolean;
}

const NO_OUTPUT: Readonly<Record<string, string>> = {
  null: 'tdfwd never drops records silently; drop them before the buffer with a grep filter',
  file: 'no file output in tdfwd; `tdfwd chunks export` writes parked chunks as NDJSON',
  relabel: 'label routing is not converted',
  rewrite_tag_filter: 'no tag rewriting in tdfwd',
  secondary_file: 'tdfwd parks chunks instead of writing them to a <secondary>',
};

export function convertMatch(d: Directive, places: Places, buffer: SharedBuffer): MatchResult {
  const notes = new Notes(places);
  const sec = new Section(d, notes);
  const match = d.arg || '**';
  notes.info(`from ${places.at(d)} ${describe(d)}`);
  if (sec.type === 'copy') {
    const outputs: MatchResult['outputs'] = [];
    const dropped: string[] = [];
    for (const store of sec.children('store')) {
      const storeNotes = new Notes(places);
      storeNotes.info(`from ${places.at(store)} <store> of ${describe(d)}`);
      if (store.arg) storeNotes.notConverted(store, `<store ${store.arg}> (a failing output never stops the others in tdfwd)`);
      const value = output(new Section(store, storeNotes), match, buffer);
      if (value) outputs.push({ value, comments: storeNotes.lines });
      else dropped.push(...storeNotes.lines);
    }
    sec.finish({ copy_mode: 'each tdfwd output gets its own copy of every record' });
    const own = [...notes.lines, ...dropped];
    if (outputs.length === 0) return { outputs, comments: own, copy: false };
    outputs[0]!.comments.unshift(...own);
    return { outputs, comments: [], copy: true };
  }
  const value = output(sec, match, buffer);
  return value ? { outputs: [{ value, comments: notes.lines }], comments: [], copy: false } : { outputs: [], comments: notes.lines, copy: false };
}

function output(sec: Section, match: string, buffer: SharedBuffer): Record<string, unknown> | null {
  const type = sec.type.replace(/^out_/, '');
  const head = (t: string): Record<string, unknown> => {
    const v: Record<string, unknown> = { type: t };
    const id = sec.take('@id', 'id');
    if (id) v.name = id.value;
    v.match = match;
    return v;
  };
  let typed: Typed;
  switch (type) {
    case 'tdlog':
      typed = td(sec, head('td'));
      break;
    case 'forward':
      typed = forward(sec, head('forward'));
      break;
    case 'stdout':
      typed = { value: head('stdout'), reasons: { output_type: 'tdfwd prints each record as a JSON line', '<format>': 'tdfwd prints each record as a JSON line' } };
      break;
    default:
      sec.notes.notConverted(sec.d, `${describe(sec.d)} (${NO_OUTPUT[type] ?? `no ${type || 'untyped'} output in tdfwd`})`);
      return null;
  }
  const v = typed.value;
  convertBuffer(sec, v, buffer);
  sec.finish({
    ...typed.reasons,
    '<secondary>': 'tdfwd parks a chunk it cannot deliver: tdfwd chunks list --state parked, then retry or export',
    '<inject>': 'no tdfwd equivalent',
    '<format>': 'no tdfwd equivalent',
  });
  return v;
}

/** An output's keys, and why its parameters tdfwd does not take are not converted. */
interface Typed {
  value: Record<string, unknown>;
  reasons: Record<string, string>;
}

function td(sec: Section, v: Record<string, unknown>): Typed {
  const ssl = sec.convert('use_ssl', bool) ?? true;
  const endpoint = sec.take('endpoint', 'import_endpoint');
  if (endpoint) v.endpoint = /^https?:\/\//.test(endpoint.value) ? endpoint.value : `${ssl ? 'https' : 'http'}://${endpoint.value}`;
  else if (!ssl) v.endpoint = 'http://api-import.treasuredata.com';
  const key = sec.take('apikey');
  const apikey = key ? textValue(key) : undefined;
  if (apikey?.ok) v.apikey = apikey.value;
  else {
    if (key && apikey && !apikey.ok) sec.notes.notConverted(key, `apikey: ${apikey.why}`);
    v.apikey = '${TD_API_KEY}';
  }
  for (const name of ['database', 'table'] as const) {
    const p = sec.take(name);
    if (p) v[name] = p.value;
  }
  const create = sec.convert('auto_create_table', bool);
  if (create !== undefined) v.auto_create_table = create;
  const proxy = sec.take('http_proxy');
  if (proxy) v.proxy = proxy.value;
  const read = sec.convert('read_timeout', duration);
  if (read !== undefined) v.timeout = read;
  return { value: v, reasons: {
    api_endpoint: "tdfwd creates databases and tables through the import endpoint",
    connect_timeout: 'tdfwd has one request timeout (timeout, from read_timeout)',
    send_timeout: 'tdfwd has one request timeout (timeout, from read_timeout)',
    use_gzip_command: 'tdfwd compresses on its thread pool',
    tmpdir: 'tdfwd keeps chunks in its buffer, no temporary files',
  } };
}

function forward(sec: Section, v: Record<string, unknown>): Typed {
  const servers: Record<string, unknown>[] = [];
  for (const s of sec.children('server')) {
    const ss = new Section(s, sec.notes);
    const server: Record<string, unknown> = {};
    const host = ss.take('host');
    if (!host) {
      sec.notes.notConverted(s, '<server> without host');
      ss.finish();
      continue;
    }
    server.host = host.value;
    server.port = ss.convert('port', integer) ?? 24224;
    const weight = ss.convert('weight', integer);
    if (weight !== undefined) server.weight = weight;
    const standby = ss.convert('standby', bool);
    if (standby) server.standby = true;
    ss.take('name');
    ss.finish({ shared_key: 'tdfwd has one shared_key for all servers', username: 'no user authentication in tdfwd', password: 'no user authentication in tdfwd' });
    servers.push(server);
  }
  v.servers = servers;
  for (const security of sec.children('security')) {
    const s = new Section(security, sec.notes);
    const key = s.take('shared_key');
    const k = key ? textValue(key) : undefined;
    if (k?.ok) v.shared_key = k.value;
    else if (key && k && !k.ok) s.notes.notConverted(key, `shared_key: ${k.why}`);
    const host = s.take('self_hostname');
    if (host && !isHostnameRuby(host)) {
      const h = textValue(host);
      if (h.ok) v.self_hostname = h.value;
      else s.notes.notConverted(host, `self_hostname: ${h.why}; tdfwd's default is this host's name`);
    }
    s.finish({ user_auth: 'no user authentication in tdfwd' });
  }
  const ack = sec.convert('require_ack_response', bool);
  if (ack !== undefined) v.require_ack_response = ack;
  const ackTimeout = sec.convert('ack_response_timeout', duration);
  if (ackTimeout !== undefined) v.ack_response_timeout = ackTimeout;
  const compress = sec.take('compress');
  if (compress) {
    if (compress.value === 'gzip') v.compress = 'gzip';
    else if (compress.value === 'text') v.compress = 'none';
    else sec.reject(compress, 'tdfwd takes gzip or text');
  }
  const heartbeat = sec.convert('heartbeat_interval', duration);
  if (heartbeat !== undefined) v.heartbeat_interval = heartbeat;
  const hbType = sec.take('heartbeat_type');
  if (hbType && hbType.value !== 'transport' && hbType.value !== 'tcp') sec.reject(hbType, 'tdfwd sends its heartbeats on the connection');
  const tls = outboundTls(sec);
  if (tls) v.tls = tls;
  const timeout = sec.convert('send_timeout', duration);
  if (timeout !== undefined) v.timeout = timeout;
  return { value: v, reasons: {
    recover_wait: "tdfwd's retry settings pace a failed server",
    hard_timeout: "tdfwd's heartbeats and retry settings decide when a server is down",
    phi_threshold: "tdfwd's heartbeats and retry settings decide when a server is down",
    phi_failure_detector: "tdfwd's heartbeats and retry settings decide when a server is down",
    expire_dns_cache: 'tdfwd resolves the host at each connection',
    dns_round_robin: 'list each address as a server',
    keepalive: 'tdfwd keeps its connections open',
    keepalive_timeout: 'tdfwd keeps its connections open',
    connect_timeout: 'tdfwd has one timeout (send_timeout)',
    '<service_discovery>': 'list the servers',
  } };
}

/** out_forward's `transport tls` and tls_* parameters → tls: { ca_file, verify, cert_file, key_file }. */
function outboundTls(sec: Section): Record<string, unknown> | undefined {
  const transport = sec.take('transport');
  const ca = sec.take('tls_cert_path');
  const verifyHost = sec.take('tls_verify_hostname');
  const insecure = sec.take('tls_insecure_mode');
  const cert = sec.take('tls_client_cert_path');
  const key = sec.take('tls_client_private_key_path');
  if (transport?.value !== 'tls') {
    if (transport && transport.value !== 'tcp') sec.reject(transport, 'tdfwd takes tcp or tls');
    return undefined;
  }
  const tls: Record<string, unknown> = {};
  if (ca) {
    const files = list(ca.value);
    if (files.length > 0) tls.ca_file = files[0];
    if (files.length > 1) sec.notes.notConverted(ca, `tls_cert_path: only the first CA file ${files[0]} is kept (tls.ca_file takes one file; concatenate them)`);
  }
  const noVerify = (insecure && bool(insecure.value).ok && (bool(insecure.value) as { value: boolean }).value) || (verifyHost && (bool(verifyHost.value) as { value?: boolean }).value === false);
  if (noVerify) tls.verify = false;
  if (cert) tls.cert_file = cert.value;
  if (key) tls.key_file = key.value;
  return tls;
}
