// Human log lines for a one-off command's delivery: state changes, parked chunks, duplicate risks.
// One line per event that matters to the operator, never one per request.
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import { formatDuration } from '../core/units.js';
import type { ChunkAction, DeliveryObserver, DuplicateRiskCause, OutputState } from '../delivery/events.js';

export function deliveryLog(write: (line: string) => void, now: () => number = Date.now): DeliveryObserver {
  return {
    stateChange(output: string, _from: OutputState, to: OutputState, reason: string, resumeAt: number | null) {
      const wait = resumeAt !== null ? `; next attempt in ${formatDuration(Math.max(0, resumeAt - now()))}` : '';
      if (to === 'backoff') write(`${output}: endpoint failing (${reason})${wait}`);
      else if (to === 'paused') write(`${output}: credentials refused (${reason}); output paused, data kept${wait}. Check the API key.`);
      else if (to === 'healthy') write(`${output}: endpoint healthy again`);
    },
    outcome(output: string, chunk: SealedChunk, outcome: Outcome, action: ChunkAction) {
      if (action === 'parked') write(`${output}: chunk ${chunk.key} parked (${outcome.kind === 'success' ? '' : outcome.reason}); see \`tdfwd chunks list --state parked\``);
      if (action === 'split') write(`${output}: chunk ${chunk.key} (${chunk.records} records) was too large for the endpoint; split in two`);
    },
    duplicateRisk(output: string, chunk: SealedChunk, ms: number, cause: DuplicateRiskCause) {
      if (cause === 'split') {
        write(`${output}: duplicate risk: chunk ${chunk.key} was in doubt for ${formatDuration(ms)} (perhaps imported) and was split after a 413; its halves carry new keys`);
        return;
      }
      write(`${output}: duplicate risk: chunk ${chunk.key} has been in doubt for ${formatDuration(ms)}, longer than the endpoint's dedup window; re-sending with the same key`);
    },
    bufferError(output: string, message: string) {
      write(`${output}: the buffer cannot record delivery results (${message}); retrying every second`);
    },
  };
}
