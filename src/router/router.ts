// Tag → output: the first output whose `match` pattern accepts the tag, as fluentd's <match> order
// (`routing: first_match`), or every output that accepts it, in order (`routing: copy`).
import { compilePattern, type TagMatcher } from './pattern.js';

/** The top-level `routing` key: one output per tag (fluentd's <match> order), or a copy for each. */
export const ROUTINGS = ['first_match', 'copy'] as const;
export type Routing = (typeof ROUTINGS)[number];

export interface Route<T> {
  pattern: string;
  target: T;
}

export class Router<T> {
  readonly #routes: { match: TagMatcher; target: T }[];
  readonly #cache = new Map<string, T | null>();
  readonly #allCache = new Map<string, readonly T[]>();

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

  /** Every target whose pattern accepts the tag, in route order. */
  routeAll(tag: string): readonly T[] {
    let hit = this.#allCache.get(tag);
    if (hit === undefined) {
      hit = this.#routes.filter((r) => r.match(tag)).map((r) => r.target);
      if (this.#allCache.size > 10_000) this.#allCache.clear();
      this.#allCache.set(tag, hit);
    }
    return hit;
  }
}
