// The header of a msgpack map (fixmap, map16, map32), read in place: the byte-level record editors
// (the forward byte copy, the filters' block path, the forward output's re-framing) all start here.
// Two plain functions rather than one returning an object: they run once per record on hot paths.

/** The number of key/value pairs of the map that starts at buf[pos], or -1 when no map starts there. */
export function mapCount(buf: Uint8Array, pos: number): number {
  const b = buf[pos] as number;
  if (b >= 0x80 && b <= 0x8f) return b & 0x0f;
  if (b === 0xde) return ((buf[pos + 1] as number) << 8) | (buf[pos + 2] as number);
  if (b === 0xdf) return (buf[pos + 1] as number) * 0x1000000 + (((buf[pos + 2] as number) << 16) | ((buf[pos + 3] as number) << 8) | (buf[pos + 4] as number));
  return -1;
}

/** The length of the map header whose first byte is b: 1 (fixmap), 3 (map16) or 5 (map32). */
export function mapHeaderBytes(b: number): number {
  return b === 0xde ? 3 : b === 0xdf ? 5 : 1;
}
