// The forward output's client TLS options (`tls: { ca_file, verify, cert_file, key_file }`) as
// `tls.connect` options. Kept in one function so it can be swapped for the shared
// src/outputs/tls-options.ts once that lands. Files are read once, when the output is built.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import type { ForwardTlsConfig } from './config.js';

export function forwardTlsOptions(cfg: ForwardTlsConfig, host: string): ConnectionOptions {
  const opts: ConnectionOptions = { rejectUnauthorized: cfg.verify };
  // ca_file is trusted in addition to the system roots, not instead of them.
  if (cfg.caFile !== undefined) opts.ca = [...rootCertificates, readFileSync(cfg.caFile, 'utf8')];
  if (cfg.certFile !== undefined && cfg.keyFile !== undefined) {
    opts.cert = readFileSync(cfg.certFile, 'utf8');
    opts.key = readFileSync(cfg.keyFile, 'utf8');
  }
  // SNI takes a host name only; an address is checked against the certificate's IP SANs.
  if (isIP(host) === 0) opts.servername = host;
  return opts;
}
