// The forward protocol's shared-key digests: PING carries sha512_hex(salt + hostname + nonce + key)
// from the client, PONG the same over the server's hostname. Both sides (the forward input and the
// forward output) compute and compare them here.
import { createHash, timingSafeEqual } from 'node:crypto';

/** sha512 of the parts one after another, as lowercase hex. */
export function sha512Hex(parts: readonly Buffer[]): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Whether a received hex digest equals the expected one (any case), in constant time. */
export function sameDigest(expected: string, received: string): boolean {
  const x = Buffer.from(expected, 'latin1');
  const y = Buffer.from(received.toLowerCase(), 'latin1');
  return x.length === y.length && timingSafeEqual(x, y);
}
