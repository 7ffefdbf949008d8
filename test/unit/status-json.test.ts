// Output states in the status document: only what is known. unknown before any attempt; the recorded
// state with its time; idle when the recorded wait is over (or it was probing) and no process delivers.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/load.js';
import { statusJson, type OutputStateView } from '../../src/daemon/status-json.js';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const outputs = defaultConfig({ TD_API_KEY: 'k' }, '/tmp/buf').outputs;
const name = outputs[0]!.name;
const iso = (ms: number): string => new Date(ms).toISOString();

function state(st: Partial<OutputStateView> | undefined, delivering: boolean): Record<string, unknown> {
  const states = new Map<string, OutputStateView>(st ? [[name, { name, state: 'healthy', concurrency: 1, next_attempt_at: null, ...st }]] : []);
  return statusJson('/tmp/buf', null, {}, outputs, states, { nowMs: NOW, delivering }).outputs[0] as unknown as Record<string, unknown>;
}

describe('status output state', () => {
  it('unknown when nothing was recorded, or a live output has had no attempt yet', () => {
    expect(state(undefined, false)).toMatchObject({ state: 'unknown', recorded_at: null, next_attempt_at: null });
    expect(state({ contacted: false }, true)).toMatchObject({ state: 'unknown', recorded_at: null });
  });

  it('the recorded state with its time', () => {
    const at = iso(NOW - 60_000);
    expect(state({ state: 'healthy', recorded_at: at }, false)).toMatchObject({ state: 'healthy', recorded_at: at });
    const later = iso(NOW + 30_000);
    expect(state({ state: 'backoff', next_attempt_at: later, recorded_at: at }, false)).toMatchObject({ state: 'backoff', next_attempt_at: later });
    expect(state({ state: 'paused', next_attempt_at: later, recorded_at: at }, false)).toMatchObject({ state: 'paused' });
  });

  it('idle when the recorded next attempt is past, or it was probing, and no process is delivering', () => {
    const at = iso(NOW - 3_600_000);
    const past = iso(NOW - 3_000_000);
    expect(state({ state: 'backoff', next_attempt_at: past, recorded_at: at }, false)).toEqual(
      expect.objectContaining({ state: 'idle', last_state: 'backoff', next_attempt_at: null, recorded_at: at }),
    );
    expect(state({ state: 'probing', recorded_at: at }, false)).toMatchObject({ state: 'idle', last_state: 'probing' });
    // A delivering process keeps its state current: shown as it is.
    expect(state({ state: 'backoff', next_attempt_at: past, recorded_at: at }, true)).toMatchObject({ state: 'backoff', next_attempt_at: past });
  });

  it('live state without a record time is as of now', () => {
    expect(state({ state: 'healthy', contacted: true }, true)).toMatchObject({ state: 'healthy', recorded_at: iso(NOW) });
  });
});
