// Runs one policy in a worker thread (see index.ts): policies are independent simulations, so a
// multi-core machine runs them side by side. Posts the report and the request-rate histogram back.
import { parentPort, workerData } from 'node:worker_threads';
import type { PolicyName } from './policies.js';
import { outcomeOf } from './outcome.js';
import { runPolicy, type SimulationOptions } from './run.js';

const { policy, options } = workerData as { policy: PolicyName; options: SimulationOptions };
const outcome = outcomeOf(await runPolicy(policy, options));
parentPort?.postMessage(outcome, [outcome.bins.buffer as ArrayBuffer]);
