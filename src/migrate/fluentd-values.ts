// fluentd's value types (lib/fluent/config/types.rb) turned into tdfwd's: times, sizes, switches,
// lists, regexps, and the embedded Ruby that td-agent configs use for environment variables. Pure.
import type { Param, ValuePart } from './fluentd-config.js';

/** A converted value, or why it could not be converted. */
export type Converted<T> = { ok: true; value: T } | { ok: false; why: string };

const ok = <T>(value: T): Converted<T> => ({ ok: true, value });
const no = <T>(why: string): Converted<T> => ({ ok: false, why });

/** fluentd time (`30`, `0.5`, `30s`, `5m`, `1h`, `1d`) → a tdfwd duration string. */
export function duration(raw: string): Converted<string> {
  const v = raw.trim();
  if (/^\d+(\.\d+)?$/.test(v)) {
    const s = Number(v);
    return ok(Number.isInteger(s) ? `${s}s` : `${Math.round(s * 1000)}ms`);
  }
  if (/^\d+(\.\d+)?[smhd]$/.test(v)) return ok(v);
  return no(`"${v}" is not a fluentd time like 30s, 5m or 1h`);
}

/** fluentd size (`1024`, `256k`, `8m`, `2g`, `1t`; 1024-based) → a tdfwd size. */
export function size(raw: string): Converted<string | number> {
  const m = /^(\d+)\s*([kmgt])?b?$/i.exec(raw.trim());
  if (!m) return no(`"${raw}" is not a fluentd size like 8m or 256k`);
  const unit = m[2]?.toLowerCase();
  if (!unit) return ok(Number(m[1]));
  return ok(`${m[1]}${unit.toUpperCase()}iB`);
}

/** fluentd bool: no value, true or yes are true; false or no are false. */
export function bool(raw: string): Converted<boolean> {
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'true' || v === 'yes') return ok(true);
  if (v === 'false' || v === 'no') return ok(false);
  return no(`"${raw}" is not true or false`);
}

export function integer(raw: string): Converted<number> {
  return /^\d+$/.test(raw.trim()) ? ok(Number(raw.trim())) : no(`"${raw}" is not a whole number`);
}

/** A fluentd array: JSON (`["a","b"]`) or comma-separated (`a,b`). */
export function list(raw: string): string[] {
  const v = raw.trim();
  if (v.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON after all: comma-separated below
    }
  }
  return v.split(',').map((x) => x.trim()).filter(Boolean);
}

/**
 * A fluentd regexp (`/^(?<a>.*)$/` or the bare pattern) → a JavaScript pattern string. Ruby's `\A`,
 * `\z`/`\Z` and `\h` have JavaScript spellings; flags other than `m` (dot matches a newline: what
 * tdfwd's multi-line events do anyway) cannot be expressed in a tdfwd pattern.
 */
export function regexp(raw: string): Converted<string> {
  let v = raw.trim();
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(v);
  if (slashed) {
    v = slashed[1] as string;
    const flags = (slashed[2] as string).replace('m', '');
    if (flags !== '') return no(`the regexp flags /${flags} have no equivalent (tdfwd patterns take no flags)`);
  }
  const js = v
    .replace(/\\A/g, '^')
    .replace(/\\[zZ]/g, '$')
    .replace(/\\h/g, '[0-9a-fA-F]');
  try {
    new RegExp(js);
  } catch (err) {
    return no(`the regexp does not compile in JavaScript: ${(err as Error).message}`);
  }
  return ok(js);
}

/** Where a value goes: a record field may hold record placeholders (`${hostname}`, `${tag}`...). */
export type ValueContext = 'config' | 'record';

const RECORD_PLACEHOLDER = /^\$\{(hostname|tag|tag_parts\[-?\d+\])\}$/;

/**
 * A parameter's value with its embedded Ruby rewritten for tdfwd: `#{ENV['X']}` → `${X}`,
 * `#{ENV.fetch('X', 'd')}` → `${X:-d}`, `#{Socket.gethostname}` → `${hostname}` (in a record only).
 * In a record the fluentd placeholders `${hostname}`, `${tag}` and `${tag_parts[N]}` stay; any other
 * `${...}` (a record field, Ruby) cannot be converted. Elsewhere a literal `${` is written `$${`, so
 * tdfwd's environment expansion leaves it alone.
 */
export function textValue(p: Param, where: ValueContext = 'config'): Converted<string> {
  let out = '';
  for (const part of p.parts.length ? p.parts : [{ text: p.value } as ValuePart]) {
    if ('text' in part) {
      const t = literal(part.text, where);
      if (!t.ok) return t;
      out += t.value;
      continue;
    }
    const r = ruby(part.ruby, where);
    if (!r.ok) return r;
    out += r.value;
  }
  return ok(out);
}

function literal(text: string, where: ValueContext): Converted<string> {
  if (where === 'config') return ok(text.replace(/\$\{/g, () => '$${'));
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/\$\{[^}]*\}/g)) {
    if (!RECORD_PLACEHOLDER.test(m[0])) return no(`the placeholder ${m[0]} has no tdfwd equivalent (only \${hostname}, \${tag} and \${tag_parts[N]})`);
    out += text.slice(last, m.index) + m[0];
    last = (m.index as number) + m[0].length;
  }
  return ok(out + text.slice(last));
}

function ruby(code: string, where: ValueContext): Converted<string> {
  const env = /^ENV\[\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*\]$/.exec(code);
  if (env) return ok(`\${${env[2]}}`);
  const fetch = /^ENV\.fetch\(\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\1\s*(?:,\s*(['"])([^'"$}]*)\3\s*)?\)$/.exec(code);
  if (fetch) return ok(fetch[4] !== undefined ? `\${${fetch[2]}:-${fetch[4]}}` : `\${${fetch[2]}}`);
  if (/^Socket\.gethostname$/.test(code) && where === 'record') return ok('${hostname}');
  return no(`the embedded Ruby "#{${code}}" is not converted (only #{ENV['X']} and #{ENV.fetch('X', 'default')}${where === 'record' ? ' and #{Socket.gethostname}' : ''})`);
}

/** Whether a value is exactly `"#{Socket.gethostname}"` (tdfwd's default for a self_hostname). */
export function isHostnameRuby(p: Param): boolean {
  return p.parts.length === 1 && 'ruby' in (p.parts[0] as ValuePart) && /^Socket\.gethostname$/.test((p.parts[0] as { ruby: string }).ruby);
}
