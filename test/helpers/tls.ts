// Certificates made at test time with the openssl command line (Node has no certificate generator):
// a self-signed one for 127.0.0.1, and a CA that issues server and client certificates.
// opensslMissing() gives the reason to skip when openssl is not on PATH.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SelfSigned {
  cert: string;
  key: string;
  certFile: string;
}

export function opensslMissing(): string | null {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'openssl is not on PATH: the self-signed certificate cannot be made';
  }
}

export function selfSignedCert(dir: string): SelfSigned {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

export interface TestCa {
  dir: string;
  /** PEM text of the CA certificate, and its file. */
  cert: string;
  certFile: string;
  keyFile: string;
}

export interface IssuedCert {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A certificate authority made with openssl at test time (its files under `dir/<name>-ca.*`). */
export function makeCa(dir: string, name = 'test'): TestCa {
  const keyFile = join(dir, `${name}-ca.key`);
  const certFile = join(dir, `${name}-ca.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', ...EC, '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=tdfwd ${name} CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    { stdio: 'ignore' },
  );
  return { dir, cert: readFileSync(certFile, 'utf8'), certFile, keyFile };
}

/**
 * A leaf certificate signed by `ca`: for 127.0.0.1 and localhost, usable as a server certificate
 * and as a client certificate (mTLS).
 */
export function issueCert(ca: TestCa, name: string): IssuedCert {
  const keyFile = join(ca.dir, `${name}.key`);
  const csrFile = join(ca.dir, `${name}.csr`);
  const certFile = join(ca.dir, `${name}.pem`);
  const extFile = join(ca.dir, `${name}.ext`);
  writeFileSync(extFile, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n');
  execFileSync('openssl', ['req', ...EC, '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${name}`], { stdio: 'ignore' });
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', '1', '-extfile', extFile],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
