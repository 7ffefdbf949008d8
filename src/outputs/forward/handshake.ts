// The client side of the forward protocol's shared-key handshake (fluentd out_forward's <security>):
//   server → HELO  ['HELO', {nonce, auth, keepalive}]
//   client → PING  ['PING', self_hostname, salt, sha512_hex(salt + self_hostname + nonce + shared_key), '', '']
//   server → PONG  ['PONG', ok, reason, server_hostname, sha512_hex(salt + server_hostname + nonce + shared_key)]
// The server's digest is checked too: a server that does not know the key cannot pretend to. Digests
// are over the raw bytes sent, so the nonce is read from the HELO as bytes (str or bin).
import { randomBytes } from 'node:crypto';
import { sameDigest, sha512Hex } from '../../codec/forward-digest.js';
import { Cursor, valueEnd } from '../../codec/forward-scan.js';
import { decodeOne, packOne } from '../../codec/msgpack.js';

export interface Helo {
  nonce: Buffer;
  /** Non-empty when the server also wants a username and password. */
  auth: Buffer;
}

/** The HELO message's nonce and auth salt, or null when `raw` is not a HELO. */
export function readHelo(raw: Buffer): Helo | null {
  const c = new Cursor(raw, 0, raw.length);
  const n = c.arrayHeader();
  if (n === null || n < 2 || c.bytes()?.toString('latin1') !== 'HELO') return null;
  const b = c.peek();
  let pairs: number;
  if (b >= 0x80 && b <= 0x8f) {
    pairs = b & 0x0f;
    c.pos += 1;
  } else if (b === 0xde) {
    pairs = raw.readUInt16BE(c.pos + 1);
    c.pos += 3;
  } else return null;
  let nonce: Buffer | null = null;
  let auth: Buffer = Buffer.alloc(0);
  for (let i = 0; i < pairs; i++) {
    const key = c.bytes()?.toString('latin1');
    if (key === undefined) {
      c.skip();
      c.skip();
      continue;
    }
    const value = c.peek() === 0xc0 ? null : c.bytes();
    if (value === null) c.skip();
    if (key === 'nonce' && value) nonce = value;
    if (key === 'auth' && value) auth = value;
  }
  return nonce ? { nonce, auth } : null;
}

export interface Ping {
  salt: Buffer;
  message: Buffer;
}

export function buildPing(helo: Helo, selfHostname: string, sharedKey: string): Ping {
  const salt = Buffer.from(randomBytes(16).toString('hex'), 'latin1');
  const digest = sha512Hex([salt, Buffer.from(selfHostname, 'utf8'), helo.nonce, Buffer.from(sharedKey, 'utf8')]);
  return { salt, message: packOne(['PING', selfHostname, salt.toString('latin1'), digest, '', '']) };
}

/** null when the PONG accepts us and proves the server knows the key; else why not, as a sentence. */
export function checkPong(raw: Buffer, helo: Helo, ping: Ping, selfHostname: string, sharedKey: string): string | null {
  if (valueEnd(raw, 0) !== raw.length) return 'the server answered the PING with something that is not a PONG';
  const pong = decodeOne(raw);
  if (!Array.isArray(pong) || pong[0] !== 'PONG' || pong.length < 5) return 'the server answered the PING with something that is not a PONG';
  const [, ok, reason, serverHostname, digest] = pong as [string, unknown, unknown, unknown, unknown];
  if (ok !== true) {
    const why = typeof reason === 'string' && reason !== '' ? reason : 'no reason given';
    return `the server refused the shared_key handshake (${why}); check that both ends use the same shared_key`;
  }
  if (typeof serverHostname !== 'string' || typeof digest !== 'string') return 'the PONG lacks the server hostname or digest';
  if (serverHostname === selfHostname) return 'the server has the same hostname as this host (a forwarding loop?); set self_hostname';
  const expected = sha512Hex([ping.salt, Buffer.from(serverHostname, 'utf8'), helo.nonce, Buffer.from(sharedKey, 'utf8')]);
  if (!sameDigest(expected, digest)) return "the server's PONG digest does not match: it does not know the shared_key";
  return null;
}
