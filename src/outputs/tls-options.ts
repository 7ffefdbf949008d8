// A resolved client `tls` config → the options of `tls.connect` (also undici's `connect` / a proxy
// agent's `requestTls`, which pass them to tls.connect). Shared by every output that opens TLS
// connections (td, http, forward). One SecureContext per output, built once: a CA list of ~150
// roots is parsed here, not on every connection.
//
// ca_file is trusted IN ADDITION to the default roots: Node's `ca` option replaces them, so the
// default list (bundled Mozilla roots + NODE_EXTRA_CA_CERTS, or on newer Node the process's default
// store) is put back in front of it.
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { ClientTlsConfig } from '../config/tls.js';
import { ConfigError } from '../core/errors.js';

export type ClientTlsOptions = Pick<tls.ConnectionOptions, 'secureContext' | 'rejectUnauthorized'>;

/** Options to spread into tls.connect; empty when the output has no `tls` key (Node's defaults). */
export function clientTlsOptions(cfg: ClientTlsConfig | undefined, where = 'tls', env: NodeJS.ProcessEnv = process.env): ClientTlsOptions {
  if (cfg === undefined) return {};
  const pem: tls.SecureContextOptions = {};
  if (cfg.caFile !== undefined) pem.ca = [...defaultRoots(env), read(cfg.caFile, `${where}.ca_file`)];
  if (cfg.certFile !== undefined && cfg.keyFile !== undefined) {
    pem.cert = read(cfg.certFile, `${where}.cert_file`);
    pem.key = read(cfg.keyFile, `${where}.key_file`);
  }
  const out: ClientTlsOptions = { rejectUnauthorized: cfg.verify };
  if (pem.ca !== undefined || pem.cert !== undefined) {
    try {
      out.secureContext = tls.createSecureContext(pem);
    } catch (err) {
      throw new ConfigError(where, `the TLS files cannot be used (${(err as Error).message})`);
    }
  }
  return out;
}

type WithDefaultStore = { getCACertificates?: (type: 'default') => string[] };

/** The roots a connection without `ca` would trust. */
export function defaultRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromNode = (tls as WithDefaultStore).getCACertificates;
  if (typeof fromNode === 'function') return fromNode('default');
  const extra = env.NODE_EXTRA_CA_CERTS;
  const roots = [...tls.rootCertificates];
  if (extra) {
    try {
      roots.push(readFileSync(extra, 'utf8'));
    } catch {
      // Node itself warned about an unreadable NODE_EXTRA_CA_CERTS at start and went on without it.
    }
  }
  return roots;
}

/** A file checked at config load; read again here (a reload re-reads rotated certificates). */
function read(file: string, where: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(where, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}
