// Endpoint health: healthy → backoff → probing → healthy, probe failures, 401/403 pauses, Retry-After.
import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../src/delivery/backoff.js';
import { EndpointHealth } from '../../src/delivery/health.js';
import { scriptedRandom } from '../helpers/fake-clock.js';

const policy: BackoffPolicy = { type: 'exponential', wait: 1000, maxWait: 60_000, jitter: 'none', randomize: 0.5 };
const T0 = 1_000_000;

describe('EndpointHealth', () => {
  it('starts healthy with every slot of the concurrency limit open', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    expect(h.state).toBe('healthy');
    expect(h.slots(4, 1)).toBe(3);
    expect(h.slots(4, 6)).toBe(0);
    expect(h.resumeAt).toBeNull();
  });

  it('healthy → backoff (nothing sent) → probing (one request) → healthy', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onFailure(T0);
    expect(h.state).toBe('backoff');
    expect(h.resumeAt).toBe(T0 + 1000);
    expect(h.slots(8, 0)).toBe(0);
    expect(h.tick(T0 + 999)).toBe('backoff');
    expect(h.tick(T0 + 1000)).toBe('probing');
    expect(h.resumeAt).toBeNull();
    expect(h.slots(8, 0)).toBe(1);
    expect(h.slots(8, 1)).toBe(0);
    expect(h.onSuccess()).toBe(true); // the probe ended the outage
    expect(h.state).toBe('healthy');
    expect(h.failures).toBe(0);
    expect(h.onSuccess()).toBe(false);
  });

  it('a failed probe backs off again, for twice as long', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onFailure(T0);
    h.tick(T0 + 1000);
    h.onFailure(T0 + 1000);
    expect(h.state).toBe('backoff');
    expect(h.resumeAt).toBe(T0 + 1000 + 2000);
    h.tick(T0 + 3000);
    h.onFailure(T0 + 3000);
    expect(h.resumeAt).toBe(T0 + 3000 + 4000);
    expect(h.failures).toBe(3);
  });

  it('the other failures of a burst in flight do not multiply the wait', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onFailure(T0);
    h.onFailure(T0 + 5);
    h.onFailure(T0 + 6);
    expect(h.failures).toBe(1);
    expect(h.resumeAt).toBe(T0 + 1000);
    // a late success from before the outage does not end the backoff either
    expect(h.onSuccess()).toBe(false);
    expect(h.state).toBe('backoff');
  });

  it('Retry-After pauses the whole output for that long plus a little jitter', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onFailure(T0, 2000);
    expect(h.state).toBe('backoff');
    // 2000 + 0.5 * min(1000, 2000 * 0.1 + 100)
    expect(h.resumeAt).toBe(T0 + 2150);
    // a longer Retry-After seen during the backoff extends it; a shorter one does not shorten it
    h.onFailure(T0 + 10, 5000);
    expect(h.resumeAt).toBe(T0 + 5010);
    h.onFailure(T0 + 20, 1000);
    expect(h.resumeAt).toBe(T0 + 5010);
    expect(h.tick(T0 + 5009)).toBe('backoff');
    expect(h.tick(T0 + 5010)).toBe('probing');
  });

  it('401/403 pauses for max_wait ±10%, and then probes', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onPause(T0);
    expect(h.state).toBe('paused');
    expect(h.resumeAt).toBe(T0 + 60_000);
    expect(h.slots(8, 0)).toBe(0);
    expect(h.tick(T0 + 59_999)).toBe('paused');
    expect(h.tick(T0 + 60_000)).toBe('probing');
    const low = new EndpointHealth(policy, scriptedRandom(0));
    low.onPause(T0);
    expect(low.resumeAt).toBe(T0 + 54_000);
  });

  it('a retryable failure does not end a pause', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onPause(T0);
    h.onFailure(T0 + 1);
    expect(h.state).toBe('paused');
    expect(h.resumeAt).toBe(T0 + 60_000);
  });

  it('Retry-After is a floor under the exponential wait, not a replacement for it', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    // failures 1..6: exponential waits 1s, 2s, 4s, 8s, 16s, 32s (jitter none); Retry-After: 3
    const waits: number[] = [];
    let t = T0;
    for (let i = 0; i < 6; i++) {
      h.onFailure(t, 3000);
      waits.push(h.resumeAt! - t);
      t = h.resumeAt!;
      expect(h.tick(t)).toBe('probing');
    }
    // 3000 + 0.5 * min(1000, 3000 * 0.1 + 100) = 3200 while it is longer than the backoff wait
    expect(waits).toEqual([3200, 3200, 4000, 8000, 16_000, 32_000]);
  });

  it('the Retry-After floor keeps its jitter, and full jitter applies to the backoff under it', () => {
    const full: BackoffPolicy = { ...policy, jitter: 'full' };
    // backoff random 0.9 → 0.9 * 8s = 7.2s at failure 4; Retry-After jitter random 0.25
    const h = new EndpointHealth(full, scriptedRandom(0.9, 0.25, 0.9, 0.25, 0.9, 0.25, 0.9, 0.25));
    let t = T0;
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      h.onFailure(t, 1000);
      waits.push(h.resumeAt! - t);
      t = h.resumeAt!;
      h.tick(t);
    }
    // 1000 + 0.25 * min(1000, 200) = 1050; backoff 900, 1800, 3600, 7200
    expect(waits).toEqual([1050, 1800, 3600, 7200]);
  });

  it('by default (fluentd-like) a successful probe resets the backoff level', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5));
    h.onFailure(T0);
    h.tick(T0 + 1000);
    h.onFailure(T0 + 1000);
    h.tick(T0 + 3000);
    expect(h.level).toBe(2);
    expect(h.onSuccess()).toBe(true);
    expect(h.level).toBe(0);
    h.onFailure(T0 + 3000);
    expect(h.resumeAt).toBe(T0 + 4000);
  });

  it('keepLevelAfterProbe: a successful probe keeps the backoff level; a success while healthy resets it', () => {
    const h = new EndpointHealth(policy, scriptedRandom(0.5), { keepLevelAfterProbe: true });
    let t = T0;
    for (let i = 0; i < 3; i++) {
      h.onFailure(t);
      t = h.resumeAt!;
      h.tick(t);
    }
    expect(h.level).toBe(3);
    expect(h.onSuccess()).toBe(true); // the probe got through
    expect(h.failures).toBe(0);
    expect(h.level).toBe(3);
    // the next request fails again (an endpoint failing most imports): the wait keeps doubling
    h.onFailure(t);
    expect(h.resumeAt! - t).toBe(8000);
    t = h.resumeAt!;
    h.tick(t);
    expect(h.onSuccess()).toBe(true);
    expect(h.onSuccess()).toBe(false); // a second success, sent while healthy: the endpoint is back
    expect(h.level).toBe(0);
    h.onFailure(t);
    expect(h.resumeAt! - t).toBe(1000);
  });
});
