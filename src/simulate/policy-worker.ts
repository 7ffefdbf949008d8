// Runs one policy in a worker thread (see index.ts): policies are independent simulations, so a
// multi-core machine runs them side by side. Posts one WorkerReply back: the report and the
// request-rate histogram, or the error. No top-level await: the module's evaluation ends at once and
// the run's own pending work (the virtual clock's setImmediate turns) keeps the thread alive until
// the reply is posted; the thread then ends by itself.
import { parentPort, workerData } from 'node:worker_threads';
import type { PolicyName } from './policies.js';
import { outcomeOf, type WorkerReply } from './outcome.js';
import { runPolicy, type SimulationOptions } from './run.js';

const { policy, options } = workerData as { policy: PolicyName; options: SimulationOptions };
const port = parentPort;
if (port === null) throw new Error('policy-worker.js runs only as a worker thread');

runPolicy(policy, options).then(
  (run) => {
    const outcome = outcomeOf(run);
    const reply: WorkerReply = { ok: true, outcome };
    port.postMessage(reply, [outcome.bins.buffer as ArrayBuffer]);
  },
  (err: unknown) => {
    const reply: WorkerReply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    port.postMessage(reply);
  },
);
