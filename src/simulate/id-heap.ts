// A binary min-heap of chunk ids with a caller-given order (the in-memory queue's "in doubt first,
// then oldest"). Ids are plain numbers in an array: no object per entry.

export class IdHeap {
  readonly #h: number[] = [];
  readonly #less: (a: number, b: number) => boolean;

  constructor(less: (a: number, b: number) => boolean) {
    this.#less = less;
  }

  get size(): number {
    return this.#h.length;
  }

  push(id: number): void {
    const h = this.#h;
    let i = h.length;
    h.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pv = h[p] as number;
      if (!this.#less(id, pv)) break;
      h[i] = pv;
      i = p;
    }
    h[i] = id;
  }

  pop(): number | undefined {
    const h = this.#h;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#less(h[r] as number, h[l] as number) ? r : l;
      if (!this.#less(h[c] as number, last)) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = last;
    return top;
  }
}
