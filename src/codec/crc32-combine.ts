// crc32Combine: the CRC-32 of A‖B from crc(A), crc(B) and B's length, without the bytes (zlib's
// crc32_combine, which Node does not expose). A sealed payload is assembled from parts compressed
// separately; its gzip trailer needs the CRC of all their bytes, and only each part's CRC is kept.

/** mat × vec over GF(2): the xor of the rows selected by vec's bits. */
function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  let v = vec >>> 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i] as number;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n] as number);
}

/** CRC-32 (the gzip/zlib polynomial) of the concatenation A‖B, where len2 = B's length in bytes. */
export function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32); // operator for 2^k zero bits, alternating with odd
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the operator for one zero bit
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four zero bits
  let crc = crc1 >>> 0;
  let len = len2;
  // Apply len zero bytes to crc1 (the first square gives one zero byte = eight bits).
  for (;;) {
    gf2Square(even, odd);
    if (len % 2 === 1) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len % 2 === 1) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
  }
  return (crc ^ crc2) >>> 0;
}
