// The shared-key handshake of forward protocol v1 (fluentd in_forward's <security>):
//   server → HELO  ['HELO', {nonce, auth, keepalive}]
//   client → PING  ['PING', client_hostname, salt, sha512_hex(salt + client_hostname + nonce + shared_key), username, password]
//   server → PONG  ['PONG', ok, reason, server_hostname, sha512_hex(salt + server_hostname + nonce + shared_key)]
// Digests are computed over the raw bytes the peer sent: Fluent Bit's salt is 16 random bytes in a str.
import { randomBytes } from 'node:crypto';
import { sameDigest, sha512Hex } from '../../codec/forward-digest.js';
import { packOne } from '../../codec/msgpack.js';
import type { PingFrame } from '../../codec/forward-frame.js';

export interface Handshake {
  nonce: Buffer;
  helo: Buffer;
}

export function newHandshake(): Handshake {
  const nonce = randomBytes(16);
  // auth '' = no username/password; the nonce goes out as bin, as fluentd sends it.
  return { nonce, helo: packOne(['HELO', { nonce, auth: '', keepalive: true }]) };
}

export interface PongResult {
  ok: boolean;
  reason: string;
  pong: Buffer;
}

export function answerPing(ping: PingFrame, hs: Handshake, sharedKey: string, selfHostname: string): PongResult {
  const expected = sha512Hex([ping.salt, ping.hostname, hs.nonce, Buffer.from(sharedKey, 'utf8')]);
  if (!sameDigest(expected, ping.digest)) {
    return { ok: false, reason: 'shared_key mismatch', pong: packOne(['PONG', false, 'shared_key mismatch', selfHostname, '']) };
  }
  if (ping.hostname.toString('utf8') === selfHostname) {
    // fluentd refuses this too: both ends claiming one name means a forwarding loop or a copied config.
    const reason = 'same hostname between input and output: invalid configuration';
    return { ok: false, reason, pong: packOne(['PONG', false, reason, selfHostname, '']) };
  }
  const digest = sha512Hex([ping.salt, Buffer.from(selfHostname, 'utf8'), hs.nonce, Buffer.from(sharedKey, 'utf8')]);
  return { ok: true, reason: '', pong: packOne(['PONG', true, '', selfHostname, digest]) };
}
