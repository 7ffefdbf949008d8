// Whether two fluentd tag patterns can accept the same tag: conservative (true when unsure), for
// the notes on first-match order under `routing: copy`. Pure.

/** False only when no tag can match both `a` and `b` (patterns may list alternatives with spaces). */
export function mayOverlap(a: string, b: string): boolean {
  const as = a.trim().split(/\s+/);
  const bs = b.trim().split(/\s+/);
  return as.some((x) => bs.some((y) => partsOverlap(x.split('.'), y.split('.'))));
}

function partsOverlap(a: string[], b: string[]): boolean {
  if (a.includes('**') || b.includes('**') || a.some(hasBrace) || b.some(hasBrace)) {
    return literalPrefixAgrees(a, b);
  }
  if (a.length !== b.length) return false;
  return a.every((x, i) => partOverlap(x, b[i] as string));
}

/** Up to the first wildcard part of either, the literal parts must be equal. */
function literalPrefixAgrees(a: string[], b: string[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (isWild(x) || isWild(y)) return true;
    if (x !== y) return false;
  }
  return true;
}

function partOverlap(x: string, y: string): boolean {
  return isWild(x) || isWild(y) || x === y;
}

function isWild(part: string): boolean {
  return part.includes('*') || hasBrace(part);
}

function hasBrace(part: string): boolean {
  return part.includes('{');
}
