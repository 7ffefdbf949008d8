// An Output whose requests go to the modelled endpoint on virtual time. The answer is classified by
// the real status/error policy (outputs/classify.ts), so 504 from the load balancer is "in doubt",
// 429/503 are backpressure with Retry-After, a refused connection is a plain retry — exactly as the
// td output classifies real responses.
import type { SealedChunk } from '../core/chunk.js';
import type { Clock } from '../core/clock.js';
import type { Outcome } from '../core/outcome.js';
import type { OutputConfig } from '../config/types.js';
import { classifyError, classifyStatus } from '../outputs/classify.js';
import type { Output } from '../outputs/types.js';
import type { EndpointAnswer, EndpointModel } from './endpoint-model.js';

const REFUSED = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED (simulated outage)' };
const TIMEOUT = { code: 'UND_ERR_HEADERS_TIMEOUT', message: 'headers timeout (simulated)' };

export class SimOutput implements Output {
  readonly name: string;
  readonly config: OutputConfig;
  readonly #clock: Clock;
  readonly #endpoint: EndpointModel;

  constructor(config: OutputConfig, clock: Clock, endpoint: EndpointModel) {
    this.name = config.name;
    this.config = config;
    this.#clock = clock;
    this.#endpoint = endpoint;
  }

  send(chunk: SealedChunk): Promise<Outcome> {
    const answer = this.#endpoint.request(chunk.id, chunk.records, this.#clock.now());
    const timedOut = answer.latencyMs > this.config.timeout;
    const latency = timedOut ? this.config.timeout : answer.latencyMs;
    return new Promise<Outcome>((resolve) => {
      this.#clock.setTimer(latency, () => resolve(timedOut ? classifyError(TIMEOUT, latency) : this.#classify(answer)));
    });
  }

  #classify(a: EndpointAnswer): Outcome {
    if (a.status === null) return classifyError(REFUSED, a.latencyMs);
    return classifyStatus('td', a.status, a.retryAfter, a.latencyMs, this.#clock.now());
  }

  async close(): Promise<void> {}
}
