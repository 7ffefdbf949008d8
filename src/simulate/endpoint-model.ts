// The modelled import endpoint, shared by every agent of a run. Owns: the endpoint's work queue (one
// FIFO server working at `capacityRps` × the scenario's capacity factor), the dedup ledger, and the
// request-rate histogram.
//
// A request arriving at t:
//   down (outage)              → connection refused at once; nothing reaches the endpoint
//   queue holds >= queueLimit  → overloadStatus (503 or 429, optional Retry-After) after one RTT
//   otherwise it queues: it finishes after the work ahead of it plus 1/capacity seconds. Then it fails
//   (HTTP 500, `failRate`) or is imported (the ledger decides first / dedup hit / duplicate). If its
//   response would come after the load balancer timeout (queue wait, or an accept-then-timeout
//   request), the agent sees 504 at `lbTimeoutMs` — AFTER the endpoint imported it: in doubt.
// The queue limit is a number of requests (a server's backlog), so the same backlog that waits 30 s
// at full capacity waits 150 s at 20% capacity: during the incident queued requests pass the load
// balancer timeout, after recovery they no longer do.
import type { Random } from '../core/clock.js';
import { DedupLedger } from './dedup-ledger.js';
import type { Timeline } from './scenario.js';

export interface EndpointModelOptions {
  capacityRps: number;
  queueLimit: number;
  lbTimeoutMs: number;
  dedupWindowMs: number;
  /** Network round trip plus the fixed part of handling one request. */
  rttMs: number;
  overloadStatus: 429 | 503;
  /** Retry-After (seconds) sent with the overload status, or null for none. */
  overloadRetryAfterS: number | null;
  /** Width of the request-rate histogram bins. */
  binMs: number;
}

/** What the agent sees: an HTTP status (null: connection refused) after `latencyMs`. */
export interface EndpointAnswer {
  status: number | null;
  latencyMs: number;
  retryAfter: string | undefined;
}

export interface EndpointCounters {
  requests: number;
  refused: number;
  rejected: number;
  processed: number;
  failed: number;
  /** Answers the load balancer cut (504) — the endpoint may have imported them. */
  cut: number;
}

export class EndpointModel {
  readonly o: EndpointModelOptions;
  readonly ledger: DedupLedger;
  readonly counters: EndpointCounters = { requests: 0, refused: 0, rejected: 0, processed: 0, failed: 0, cut: 0 };
  readonly #timeline: Timeline;
  readonly #random: Random;
  #bins: Float64Array;
  #busyUntil = 0;
  #rate: number;
  readonly #refusedAnswer: EndpointAnswer;
  readonly #overloadAnswer: EndpointAnswer;

  constructor(o: EndpointModelOptions, timeline: Timeline, random: Random) {
    this.o = o;
    this.#timeline = timeline;
    this.#random = random;
    this.ledger = new DedupLedger(o.dedupWindowMs);
    this.#bins = new Float64Array(1024);
    this.#rate = o.capacityRps;
    this.#refusedAnswer = { status: null, latencyMs: 1, retryAfter: undefined };
    const ra = o.overloadRetryAfterS;
    this.#overloadAnswer = { status: o.overloadStatus, latencyMs: o.rttMs, retryAfter: ra === null ? undefined : String(ra) };
  }

  /** Requests per bin since the timeline's start (index i covers [start + i·binMs, start + (i+1)·binMs)). */
  get bins(): Float64Array {
    return this.#bins;
  }

  /** True if a request arriving at `t` would be queued (not refused, not rejected). */
  wouldAdmit(t: number): boolean {
    const c = this.#timeline.conditionAt(t);
    if (c.down) return false;
    return this.#queued(t, c.capacityFactor) < this.o.queueLimit;
  }

  /** `n` requests arriving at `t` that are not admitted (see wouldAdmit): one shared answer. */
  turnAway(n: number, t: number): EndpointAnswer {
    this.#count(n, t);
    if (this.#timeline.conditionAt(t).down) {
      this.counters.refused += n;
      return this.#refusedAnswer;
    }
    this.counters.rejected += n;
    return this.#overloadAnswer;
  }

  /** One import request for chunk `id` arriving at `t`. */
  request(id: number, records: number, t: number): EndpointAnswer {
    const c = this.#timeline.conditionAt(t);
    if (c.down || this.#queued(t, c.capacityFactor) >= this.o.queueLimit) return this.turnAway(1, t);
    this.#count(1, t);
    this.counters.processed++;
    const o = this.o;
    const finish = Math.max(t, this.#busyUntil) + 1000 / this.#rate;
    this.#busyUntil = finish;
    const latency = finish - t + o.rttMs;
    let status = 200;
    let slow = false;
    if (c.failRate > 0 && this.#random() < c.failRate) {
      status = 500;
      this.counters.failed++;
    } else {
      this.ledger.import(id, records, finish);
      slow = c.acceptThenTimeout > 0 && this.#random() < c.acceptThenTimeout;
    }
    if (slow || latency > o.lbTimeoutMs) {
      this.counters.cut++;
      return { status: 504, latencyMs: o.lbTimeoutMs, retryAfter: undefined };
    }
    return { status, latencyMs: latency, retryAfter: undefined };
  }

  /** Requests waiting in the queue at `t`; rescales queued work when the capacity changed. */
  #queued(t: number, factor: number): number {
    const rate = this.o.capacityRps * factor;
    if (rate !== this.#rate) {
      if (this.#busyUntil > t) this.#busyUntil = t + ((this.#busyUntil - t) * this.#rate) / rate;
      this.#rate = rate;
    }
    return this.#busyUntil > t ? ((this.#busyUntil - t) * rate) / 1000 : 0;
  }

  #count(n: number, t: number): void {
    const i = Math.floor((t - this.#timeline.startAt) / this.o.binMs);
    if (i < 0) return;
    if (i >= this.#bins.length) {
      let len = this.#bins.length;
      while (len <= i) len *= 2;
      const b = new Float64Array(len);
      b.set(this.#bins);
      this.#bins = b;
    }
    this.#bins[i] = (this.#bins[i] as number) + n;
    this.counters.requests += n;
  }
}
