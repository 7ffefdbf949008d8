// Which proxy, if any, an output's requests go through. Pure: the output's URL, its `proxy` key and
// the environment in, a choice out. Decided once per output (each output talks to one origin).
//
// Like curl:
//   - https:// endpoints use https_proxy / HTTPS_PROXY, http:// ones http_proxy / HTTP_PROXY, then
//     all_proxy / ALL_PROXY for either; the lower-case form wins; an empty value is unset; a value
//     without a scheme is http:// (HTTPS_PROXY=proxy:3128).
//   - NO_PROXY (no_proxy first): comma- or space-separated; `*` alone = never proxy; `host` matches
//     the host and its subdomains (a leading `.` or `*.` is the same); `host:port` only that port;
//     IP addresses and CIDR ranges (10.0.0.0/8, ::1) match IP literals.
//   - Loopback is NOT exempt by itself: list it in NO_PROXY (localhost,127.0.0.1,::1) as with curl.
// Unlike curl, an output's explicit `proxy` key is used as written: NO_PROXY (a host-wide default)
// does not override a proxy set for this one endpoint; `proxy: off` is a direct connection.
import { BlockList, isIP } from 'node:net';
import { maskUserInfo, proxyUrlProblem } from '../config/tls.js';

export interface ProxyChoice {
  /** The proxy URL, credentials included (never log it: use `label`). */
  url: string;
  /** For messages: the URL with its password masked, and where it came from. */
  label: string;
}

export type ProxyDecision = ProxyChoice | { error: string; variable: string } | null;

/** The proxy for requests to `target`, null for a direct connection, or an error naming the variable. */
export function chooseProxy(target: string, setting: string | undefined, env: NodeJS.ProcessEnv): ProxyDecision {
  if (setting === 'off') return null;
  if (setting !== undefined) return { url: setting, label: `${maskUserInfo(setting)} (the proxy key)` };
  const url = new URL(target);
  const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const found = [...names, 'all_proxy', 'ALL_PROXY'].map((n) => [n, env[n]?.trim()] as const).find(([, v]) => v);
  if (found === undefined) return null;
  const [variable, rawValue = ''] = found;
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  if (bypassesProxy(url.hostname, Number(url.port) || (url.protocol === 'https:' ? 443 : 80), noProxy)) return null;
  const value = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawValue) ? rawValue : `http://${rawValue}`;
  const problem = proxyUrlProblem(value);
  if (problem !== null) return { variable, error: `${problem} (got ${JSON.stringify(maskUserInfo(rawValue))}); fix or unset it` };
  return { url: value, label: `${maskUserInfo(value)} (from ${variable})` };
}

/** Whether NO_PROXY says `host:port` is reached directly. `host` as URL.hostname gives it ([::1] for IPv6). */
export function bypassesProxy(host: string, port: number, noProxy: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const entries = noProxy.split(/[,\s]+/).filter((e) => e !== '');
  if (entries.length === 1 && entries[0] === '*') return true;
  for (const raw of entries) {
    const entry = parseEntry(raw);
    if (entry.port !== undefined && entry.port !== port) continue;
    if (entry.cidr !== undefined) {
      if (isIP(name) !== 0 && inRange(name, entry.cidr)) return true;
      continue;
    }
    if (name === entry.host || name.endsWith(`.${entry.host}`)) return true;
  }
  return false;
}

interface Entry {
  host: string;
  port?: number;
  cidr?: { base: string; bits: number };
}

function parseEntry(raw: string): Entry {
  let e = raw.toLowerCase();
  let port: number | undefined;
  // [::1]:8080, host:8080 (a bare IPv6 address has several colons and no port)
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(e);
  if (bracketed) {
    e = bracketed[1] ?? '';
    if (bracketed[2]) port = Number(bracketed[2]);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(e);
    if (m) {
      e = m[1] ?? '';
      port = Number(m[2]);
    }
  }
  const cidr = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(e);
  if (cidr && isIP(cidr[1] ?? '') !== 0) return { host: e, port, cidr: { base: cidr[1] ?? '', bits: Number(cidr[2]) } };
  if (isIP(e) !== 0) return { host: e, port, cidr: { base: e, bits: isIP(e) === 4 ? 32 : 128 } };
  return { host: e.replace(/^\*?\./, '').replace(/\.$/, ''), port };
}

function inRange(address: string, cidr: { base: string; bits: number }): boolean {
  const family = isIP(cidr.base) === 4 ? 'ipv4' : 'ipv6';
  if ((isIP(address) === 4 ? 'ipv4' : 'ipv6') !== family) return false;
  try {
    const list = new BlockList();
    list.addSubnet(cidr.base, cidr.bits, family);
    return list.check(address, family);
  } catch {
    return false;
  }
}
