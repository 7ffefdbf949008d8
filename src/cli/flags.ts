// Flag values → typed values, with usage errors that name the flag.
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/units.js';

export function durationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`${flag}: expected a duration like "30s" or "5m", got "${value}"`);
  return ms;
}
