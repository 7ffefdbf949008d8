// Tag → output: the first output whose `match` pattern accepts the tag, as fluentd's <match> order.
import { compilePattern, type TagMatcher } from './pattern.js';

export interface Route<T> {
  pattern: string;
  target: T;
}

export class Router<T> {
  readonly #routes: { match: TagMatcher; target: T }[];
  readonly #cache = new Map<string, T | null>();

  constructor(routes: readonly Route<T>[]) {
    this.#routes = routes.map((r) => ({ match: compilePattern(r.pattern), target: r.target }));
  }

  route(tag: string): T | null {
    let hit = this.#cache.get(tag);
    if (hit === undefined) {
      hit = this.#routes.find((r) => r.match(tag))?.target ?? null;
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(tag, hit);
    }
    return hit;
  }
}
