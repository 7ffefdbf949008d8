// The forward input's TLS server: the certificate and key from `tls`, and with `tls.ca_file`
// mutual TLS (a client without a certificate signed by that CA is refused in the handshake, before
// any byte of the forward protocol is read). A failed handshake is logged once per peer address
// and minute at most, so a port scanner cannot fill the log; a client hanging up is not logged.
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import type { ServerTlsConfig } from '../../config/tls.js';
import { TdfwdError } from '../../core/errors.js';
import type { InputContext } from '../types.js';

const LOG_EVERY_MS = 60_000;

export function createTlsServer(tls: ServerTlsConfig, onSocket: (socket: Socket) => void, log: InputContext['log']) {
  const server = createServer(
    {
      allowHalfOpen: true,
      cert: read(tls.certFile),
      key: read(tls.keyFile),
      ...(tls.caFile ? { ca: read(tls.caFile), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (socket: TLSSocket) => onSocket(socket),
  );
  const lastLogged = new Map<string, number>();
  server.on('tlsClientError', (err: Error & { code?: string }, socket: TLSSocket) => {
    // A client that went away mid-handshake (a health check, a port scan) has nothing to tell.
    if (err.code === 'ECONNRESET' || /socket hang up/.test(err.message)) return;
    const peer = socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    if ((lastLogged.get(peer) ?? 0) > now - LOG_EVERY_MS) return;
    if (lastLogged.size > 1000) lastLogged.clear();
    lastLogged.set(peer, now);
    // OpenSSL's "…:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:file:line:" → its reason.
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(err.message)?.[1]?.trim() ?? err.message.replace(/\s+/g, ' ').trim();
    const hint = tls.caFile && /certificate/i.test(reason) ? ' (clients must present a certificate signed by tls.ca_file)' : '';
    log('warn', `forward: TLS handshake with ${peer} failed: ${reason}${hint}`, { peer, code: err.code });
  });
  return server;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TdfwdError('IO', `the forward input cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check its tls keys`);
  }
}
