// The forward output's client TLS options: the shared client `tls` settings (one SecureContext per
// output, src/outputs/tls-options.ts) plus SNI for the server's host name.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { clientTlsOptions } from '../tls-options.js';
import type { ForwardTlsConfig } from './config.js';

export function forwardTlsOptions(cfg: ForwardTlsConfig, host: string): ConnectionOptions {
  // SNI takes a host name only; an address is checked against the certificate's IP SANs.
  return { ...clientTlsOptions(cfg), ...(isIP(host) === 0 ? { servername: host } : {}) };
}
