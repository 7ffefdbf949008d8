// The scenarios: what happens to the endpoint, and when. A run starts with `warmup` of normal
// operation, then the trouble for `duration`, then full capacity again (recovery) until the backlog
// has drained. Conditions are piecewise constant.
//
// incident (September 2019): capacity drops to `capacityFactor` (20%) and `failRate` (80%) of the
//          requests the endpoint processes fail (HTTP 500); `acceptThenTimeout` of the rest are
//          imported but answered too late (the load balancer cuts them).
// outage:  the endpoint refuses connections.

export type ScenarioName = 'incident' | 'outage';
export const SCENARIOS: readonly ScenarioName[] = ['incident', 'outage'];

export interface Condition {
  /** Fraction of the nominal capacity available. */
  capacityFactor: number;
  /** Fraction of processed requests that fail with HTTP 500 (nothing imported). */
  failRate: number;
  /** Fraction of imported requests answered only after the load balancer timeout. */
  acceptThenTimeout: number;
  /** Connection refused: nothing reaches the endpoint. */
  down: boolean;
}

export interface ScenarioOptions {
  name: ScenarioName;
  warmupMs: number;
  durationMs: number;
  capacityFactor: number;
  failRate: number;
  acceptThenTimeout: number;
}

const NORMAL: Condition = { capacityFactor: 1, failRate: 0, acceptThenTimeout: 0, down: false };

export class Timeline {
  readonly name: ScenarioName;
  readonly startAt: number;
  readonly troubleAt: number;
  readonly recoveryAt: number;
  readonly #trouble: Condition;

  constructor(o: ScenarioOptions, startAt: number) {
    this.name = o.name;
    this.startAt = startAt;
    this.troubleAt = startAt + o.warmupMs;
    this.recoveryAt = this.troubleAt + o.durationMs;
    this.#trouble =
      o.name === 'outage'
        ? { capacityFactor: 0, failRate: 0, acceptThenTimeout: 0, down: true }
        : { capacityFactor: o.capacityFactor, failRate: o.failRate, acceptThenTimeout: o.acceptThenTimeout, down: false };
  }

  conditionAt(t: number): Condition {
    return t >= this.troubleAt && t < this.recoveryAt ? this.#trouble : NORMAL;
  }

  /** The capacity factor as steps [time, factor] (for the chart's capacity line). */
  capacitySteps(): [number, number][] {
    return [
      [this.startAt, 1],
      [this.troubleAt, this.#trouble.capacityFactor],
      [this.recoveryAt, 1],
    ];
  }
}
