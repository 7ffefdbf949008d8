// The `tls` and `proxy` keys: client TLS of the outputs (td, http, forward), server TLS of the
// forward input, and the outputs' proxy. The schemas only check the shape; checkTlsFiles (called by
// the loader, which knows the config file's directory) resolves relative paths from that directory
// and reads every file once, so a missing or wrong file is a config error naming its key.
import { createSecureContext } from 'node:tls';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { Problem } from './issues.js';
import { flag, got, strict, text, type KeyDoc } from './keys.js';

/** Client side: what an output trusts and presents. */
export const clientTlsSchema = strict({
  ca_file: text().optional().describe('PEM CA certificate(s) trusted in addition to the system roots').meta({ example: '/etc/ssl/private-ca.pem', commented: true }),
  verify: flag(true).describe("check the server's certificate and name; false: no check (warned at start)").meta({ commented: true }),
  cert_file: text().optional().describe('client certificate (PEM) for mutual TLS, with key_file').meta({ example: '/etc/tdfwd/client.pem', commented: true }),
  key_file: text().optional().describe('private key (PEM, unencrypted) of cert_file').meta({ example: '/etc/tdfwd/client.key', commented: true }),
})
  .superRefine((c, ctx) => pairProblem(c.cert_file, c.key_file, ctx))
  .transform((c) => ({ caFile: c.ca_file, verify: c.verify, certFile: c.cert_file, keyFile: c.key_file }));

export type ClientTlsConfig = z.output<typeof clientTlsSchema>;

/** Server side (forward input): its certificate, and the CA client certificates must be signed by. */
export const serverTlsSchema = strict({
  cert_file: text().describe('server certificate (PEM; may include the intermediate chain)').meta({ example: '/etc/tdfwd/server.pem', commented: true }),
  key_file: text().describe('private key (PEM, unencrypted) of cert_file').meta({ example: '/etc/tdfwd/server.key', commented: true }),
  ca_file: text().optional().describe('when set, clients must present a certificate signed by this CA (PEM)').meta({ example: '/etc/tdfwd/clients-ca.pem', commented: true }),
}).transform((c) => ({ certFile: c.cert_file, keyFile: c.key_file, caFile: c.ca_file }));

export type ServerTlsConfig = z.output<typeof serverTlsSchema>;

/** `proxy`: an http(s) proxy URL, or `off` (direct). Not set: HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
export const proxySchema = z
  .string()
  .superRefine((v, ctx) => {
    if (v === 'off' || proxyUrlProblem(v) === null) return;
    ctx.addIssue({ code: 'custom', message: `${proxyUrlProblem(v)} (got ${got(maskUserInfo(v))}); or write off for a direct connection`, input: v });
  })
  .describe('http(s)://[user:password@]host:port, or off; default: HTTPS_PROXY / HTTP_PROXY, NO_PROXY honoured')
  .meta({ kind: 'url', example: 'http://proxy.internal:3128', commented: true } satisfies KeyDoc);

/** The keys of the outputs that open connections (td, http, forward): `proxy` is for HTTP ones only. */
export const outputTlsKey = {
  tls: clientTlsSchema.optional().describe('ca_file, verify, cert_file, key_file (off when not set: system roots, verify on)'),
};

export type ProxySetting = z.output<typeof proxySchema>;

/** Why `v` is not a usable proxy URL, or null when it is. */
export function proxyUrlProblem(v: string): string | null {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'expected a proxy URL like "http://proxy.internal:3128"';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `expected an http:// or https:// proxy URL, not ${url.protocol}//`;
  if (url.pathname !== '/' && url.pathname !== '') return 'a proxy URL has no path: write scheme://host:port';
  return null;
}

/** `http://user:****@host`: hides the password of a URL's user info. */
export function maskUserInfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)([^/?#@]+)@/i, (_, head: string) => `${head}****@`);
}

function pairProblem(cert: string | undefined, key: string | undefined, ctx: z.core.$RefinementCtx): void {
  if ((cert === undefined) === (key === undefined)) return;
  const [missing, given] = cert === undefined ? ['cert_file', 'key_file'] : ['key_file', 'cert_file'];
  ctx.issues.push({ code: 'custom', path: [missing], message: `is required with ${given} (a client certificate needs its key)`, input: undefined });
}

type Kind = 'certificate' | 'key';

/** A file's text, or a problem at `path` saying why it cannot be used. */
function readPem(file: string, kind: Kind, path: string, problems: Problem[]): string | undefined {
  let textOf: string;
  try {
    textOf = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    problems.push({ path, message: `cannot read ${file}: ${why}` });
    return undefined;
  }
  const marker = kind === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;
  if (!marker.test(textOf)) {
    const expected = kind === 'certificate' ? '-----BEGIN CERTIFICATE-----' : '-----BEGIN PRIVATE KEY-----';
    const encrypted = kind === 'key' && /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(textOf);
    problems.push({
      path,
      message: encrypted
        ? `${file} is an encrypted key; decrypt it (openssl pkey -in ${file} -out plain.key) and keep it readable only by tdfwd`
        : `${file} is not a PEM ${kind} file (no ${expected} line)`,
    });
    return undefined;
  }
  return textOf;
}

function absolute(file: string, baseDir: string): string {
  return isAbsolute(file) ? file : resolve(baseDir, file);
}

/** OpenSSL's "error:05800074:x509 certificate routines::key values mismatch" → "key values mismatch". */
function opensslReason(message: string): string {
  return /routines:[^:]*:+([^:]+)$/.exec(message)?.[1]?.trim() ?? message;
}

/** A certificate and its key, checked to belong together (and the CA to parse). */
function checkContext(pem: { cert?: string; key?: string; ca?: string }, path: string, problems: Problem[]): void {
  try {
    createSecureContext(pem);
  } catch (err) {
    const reason = opensslReason((err as Error).message);
    const what = /mismatch/.test(reason) ? 'cert_file and key_file do not belong together' : 'the files cannot be used for TLS';
    problems.push({ path, message: `${what} (${reason})` });
  }
}

/** Client TLS with absolute paths; each file read and checked. Problems are keyed `<path>.ca_file` etc. */
export function checkClientTls(tls: ClientTlsConfig, path: string, baseDir: string, problems: Problem[]): ClientTlsConfig {
  const out: ClientTlsConfig = {
    verify: tls.verify,
    caFile: tls.caFile === undefined ? undefined : absolute(tls.caFile, baseDir),
    certFile: tls.certFile === undefined ? undefined : absolute(tls.certFile, baseDir),
    keyFile: tls.keyFile === undefined ? undefined : absolute(tls.keyFile, baseDir),
  };
  const before = problems.length;
  const ca = out.caFile === undefined ? undefined : readPem(out.caFile, 'certificate', `${path}.ca_file`, problems);
  const cert = out.certFile === undefined ? undefined : readPem(out.certFile, 'certificate', `${path}.cert_file`, problems);
  const key = out.keyFile === undefined ? undefined : readPem(out.keyFile, 'key', `${path}.key_file`, problems);
  if (problems.length === before) checkContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) }, path, problems);
  return out;
}

/** Server TLS with absolute paths; each file read and checked. */
export function checkServerTls(tls: ServerTlsConfig, path: string, baseDir: string, problems: Problem[]): ServerTlsConfig {
  const out: ServerTlsConfig = {
    certFile: absolute(tls.certFile, baseDir),
    keyFile: absolute(tls.keyFile, baseDir),
    caFile: tls.caFile === undefined ? undefined : absolute(tls.caFile, baseDir),
  };
  const before = problems.length;
  const cert = readPem(out.certFile, 'certificate', `${path}.cert_file`, problems);
  const key = readPem(out.keyFile, 'key', `${path}.key_file`, problems);
  const ca = out.caFile === undefined ? undefined : readPem(out.caFile, 'certificate', `${path}.ca_file`, problems);
  if (problems.length === before) checkContext({ cert, key, ...(ca ? { ca } : {}) }, path, problems);
  return out;
}

/** The loader's pass over inputs and outputs: TLS files resolved from `baseDir`, read and checked. */
export function checkTlsFiles<I extends { type: string; tls?: ServerTlsConfig | undefined }, O extends { type: string; tls?: ClientTlsConfig | undefined }>(
  inputs: readonly I[],
  outputs: readonly O[],
  baseDir: string,
  problems: Problem[],
): { inputs: I[]; outputs: O[] } {
  return {
    inputs: inputs.map((i, n) => (i.tls ? { ...i, tls: checkServerTls(i.tls, `inputs[${n}].tls`, baseDir, problems) } : i)),
    outputs: outputs.map((o, n) => (o.tls ? { ...o, tls: checkClientTls(o.tls, `outputs[${n}].tls`, baseDir, problems) } : o)),
  };
}

/** The `tls` mapping back in the file's style (config check). */
export function renderClientTls(tls: ClientTlsConfig | undefined): Record<string, unknown> | undefined {
  return tls && { ca_file: tls.caFile, verify: tls.verify, cert_file: tls.certFile, key_file: tls.keyFile };
}

export function renderServerTls(tls: ServerTlsConfig | undefined): Record<string, unknown> | undefined {
  return tls && { cert_file: tls.certFile, key_file: tls.keyFile, ca_file: tls.caFile };
}
