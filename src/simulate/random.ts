// A small seeded PRNG (mulberry32) so a simulation with a given --seed is reproducible, and derived
// streams so each agent and the endpoint draw from their own sequence.
import type { Random } from '../core/clock.js';

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent stream for `stream` (an agent index, a component number) under `seed`. */
export function deriveRandom(seed: number, stream: number): Random {
  return seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
}
