// Label values for tdfwd's metrics. Pure, except TagLabels, which remembers the tags it has admitted.
// Every label here has a bounded set of values: Prometheus keeps one series per label combination
// forever, and a forwarder sees whatever tags its clients invent.
import type { Outcome } from '../core/outcome.js';

/** The `status_class` label of a request: an HTTP class, or why there was no HTTP answer. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'network' | 'timeout' | 'error';

function classOf(status: number): StatusClass {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx` as StatusClass;
  return 'error';
}

/**
 * The status class of the request behind an Outcome. An in-doubt outcome carries no status, so a
 * gateway timeout is recognised by its "HTTP 504" reason; other in-doubt and retry outcomes without a
 * status are network failures, `timeout` when the reason says so.
 */
export function statusClass(outcome: Outcome): StatusClass {
  switch (outcome.kind) {
    case 'success':
    case 'pause':
    case 'split':
      return classOf(outcome.status);
    case 'park':
      return outcome.status === undefined ? 'error' : classOf(outcome.status);
    case 'retry':
    case 'in_doubt': {
      if ('status' in outcome && outcome.status !== undefined) return classOf(outcome.status);
      const http = /^HTTP (\d{3})\b/.exec(outcome.reason);
      if (http) return classOf(Number(http[1]));
      return /timeout|timed out/i.test(outcome.reason) ? 'timeout' : 'network';
    }
  }
}

/** The label value for tags past the cap. */
export const OTHER_TAGS = '_other';

/**
 * Admits the first `max` distinct tags as label values; later tags share the value `_other`, so a
 * client that puts a request id in its tag cannot grow the metrics without bound.
 */
export class TagLabels {
  readonly #seen = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  label(tag: string): string {
    if (this.#seen.has(tag)) return tag;
    if (this.#seen.size >= this.#max) return OTHER_TAGS;
    this.#seen.add(tag);
    return tag;
  }
}
