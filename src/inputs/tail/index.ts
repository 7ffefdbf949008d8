// The tail input's public face: `createTailInput(cfg, ctx)`.
import type { TailInputConfig } from '../../config/types.js';
import { TailInput, type TailInputContext } from './tail-input.js';

export { TailInput, type TailInputContext } from './tail-input.js';
export type { PositionLookup, StoredPositionLookup } from './start-position.js';

export function createTailInput(cfg: TailInputConfig, ctx: TailInputContext): TailInput {
  return new TailInput(cfg, ctx);
}
