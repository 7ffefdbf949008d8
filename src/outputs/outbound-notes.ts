// What an output says once when it starts (daemon start or reload, `tdfwd flush`): the proxy it goes
// through, and the two risky settings a user should hear about: `tls.verify: false`, and a
// credential (API key, Authorization header, URL password) sent over plain http:// off this host.
import type { HttpOutputConfig, TdOutputConfig } from '../config/types.js';
import { isSecretHeader, urlPassword } from '../config/secrets.js';
import type { ProxyChoice } from './proxy.js';

export interface OutputNote {
  level: 'info' | 'warn';
  message: string;
}

export function outboundNotes(cfg: TdOutputConfig | HttpOutputConfig, url: string, proxy: ProxyChoice | null): OutputNote[] {
  const notes: OutputNote[] = [];
  const target = new URL(url);
  if (proxy !== null) notes.push({ level: 'info', message: `${cfg.name}: sending to ${target.host} through the proxy ${proxy.label}` });
  if (cfg.tls?.verify === false && target.protocol === 'https:') {
    notes.push({
      level: 'warn',
      message: `${cfg.name}: tls.verify is false: the certificate of ${target.host} is not checked, so anyone on the path can read the data and credentials; trust its CA with tls.ca_file instead`,
    });
  }
  const credential = cfg.type === 'td' ? 'the API key' : credentialOf(cfg);
  if (target.protocol === 'http:' && credential !== null && !isLoopback(target.hostname)) {
    notes.push({
      level: 'warn',
      message: `${cfg.name}: ${credential} goes over plain http:// to ${target.host}: anyone on the path can read it; use https://`,
    });
  }
  return notes;
}

function credentialOf(cfg: HttpOutputConfig): string | null {
  const header = Object.keys(cfg.headers).find((h) => isSecretHeader(h));
  if (header !== undefined) return `the ${header} header`;
  return urlPassword(cfg.url) !== undefined ? "the URL's password" : null;
}

/** localhost, *.localhost, 127.0.0.0/8, ::1 (URL.hostname writes IPv6 as [::1]). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}
