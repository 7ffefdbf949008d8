// The sentence `tdfwd flush` ends with when chunks stay buffered: the real reason it stopped. Only a
// flush that ran out of time blames --timeout; one that stopped early says which output waits, until
// when, and why (credentials refused, a host that does not resolve, an endpoint failing).
import type { DrainResult, WaitingOutput } from '../delivery/engine.js';

export function drainEndLine(result: DrainResult, timeout: string, elapsedS: number): string | null {
  const rest = 'the rest stays buffered for the next flush';
  const why = result.waiting.map(waitingReason).filter((r): r is string => r !== null).join('; ');
  switch (result.end) {
    case 'done':
      return null;
    case 'interrupted':
      return 'interrupted; the rest stays buffered';
    case 'timeout':
      return `gave up after --timeout ${timeout}${why ? ` (${why})` : ''}; ${rest}`;
    case 'stuck':
      return `stopped after ${elapsedS.toFixed(2)}s, before --timeout ${timeout} ran out, as nothing can be sent before then: ${why}; ${rest}`;
  }
}

function waitingReason(o: WaitingOutput): string | null {
  const at = o.resumeAt === null ? null : new Date(o.resumeAt).toISOString();
  const error = o.lastError ?? 'no answer yet';
  switch (o.state) {
    case 'paused':
      return `${o.name} is paused until ${at ?? 'its next probe'} (credentials refused: ${error}; check the API key)`;
    case 'backoff':
      return `${o.name}'s endpoint is failing (${error})${at ? `; its next attempt is at ${at}` : ''}`;
    case 'probing':
      return `${o.name} is probing its endpoint (last error: ${error})`;
    case 'healthy':
      return o.lastError === null ? null : `${o.name}: last error: ${o.lastError}`;
  }
}
