// Keeps each output's last known state in the buffer (so `tdfwd status` shows it without a daemon):
// at every state or concurrency change, and at the first attempt's outcome of this process, so an
// output that was contacted has a record (with its time) even if its state never changed. Best effort: a write the buffer refuses (a full disk) is reported to `onError` and never reaches
// delivery; the next change writes the latest state again.
import type { DeliveryObserver, OutputState } from './events.js';

export interface OutputStateSink {
  saveOutputState(name: string, state: string, concurrency: number, nextAttemptAt: number | null): void;
}

export function persistOutputState(
  sink: OutputStateSink,
  initial: readonly { name: string; concurrency: number }[],
  onError: (err: Error) => void = () => {},
): DeliveryObserver {
  const last = new Map<string, { state: OutputState; concurrency: number; next: number | null }>();
  for (const o of initial) last.set(o.name, { state: 'healthy', concurrency: o.concurrency, next: null });
  const save = (name: string): void => {
    const s = last.get(name);
    if (!s) return;
    try {
      sink.saveOutputState(name, s.state, s.concurrency, s.next);
    } catch (err) {
      onError(err as Error);
    }
  };
  const contacted = new Set<string>();
  return {
    outcome(output) {
      if (contacted.has(output)) return;
      contacted.add(output);
      save(output);
    },
    stateChange(output, _from, to, _reason, resumeAt) {
      const s = last.get(output) ?? { state: to, concurrency: 1, next: null };
      last.set(output, { ...s, state: to, next: resumeAt });
      save(output);
    },
    concurrency(output, limit) {
      const s = last.get(output) ?? { state: 'healthy' as OutputState, concurrency: limit, next: null };
      last.set(output, { ...s, concurrency: limit });
      save(output);
    },
  };
}
