// Delivery events as structured daemon log lines: one per event an operator must know about (an
// output failing, paused or recovered, a chunk parked or split, a duplicate risk), never one per request.
import type { SealedChunk } from '../core/chunk.js';
import type { Outcome } from '../core/outcome.js';
import type { ChunkAction, DeliveryObserver, DuplicateRiskCause, OutputState } from '../delivery/events.js';
import type { Logger } from './logger.js';

export function deliveryLogObserver(log: Logger): DeliveryObserver {
  return {
    stateChange(output: string, from: OutputState, to: OutputState, reason: string, resumeAt: number | null) {
      const next = resumeAt !== null ? new Date(resumeAt).toISOString() : null;
      if (to === 'backoff') log.warn({ output, reason, next_attempt_at: next }, `${output}: endpoint failing (${reason}); output paused until ${next}`);
      else if (to === 'paused') log.error({ output, reason, next_attempt_at: next }, `${output}: credentials refused (${reason}); output paused, data kept; fix the API key, next try at ${next}`);
      else if (to === 'healthy' && from === 'probing') log.info({ output }, `${output}: endpoint healthy again`);
    },
    outcome(output: string, chunk: SealedChunk, outcome: Outcome, action: ChunkAction) {
      if (action === 'parked') {
        log.error({ output, chunk: chunk.key, records: chunk.records, reason: outcome.kind === 'success' ? '' : outcome.reason }, `${output}: chunk ${chunk.key} parked; see \`tdfwd chunks show ${chunk.key}\``);
      } else if (action === 'split') {
        log.warn({ output, chunk: chunk.key, records: chunk.records }, `${output}: chunk ${chunk.key} too large for the endpoint; split in two`);
      } else if (action === 'lease_lost') {
        log.warn({ output, chunk: chunk.key }, `${output}: lost the lease of chunk ${chunk.key} (another process reclaimed it)`);
      }
    },
    bufferError(output: string, message: string) {
      log.error({ output, err: message }, `${output}: the buffer cannot record delivery results (${message}); retrying every second, nothing is lost`);
    },
    duplicateRisk(output: string, chunk: SealedChunk, ms: number, cause: DuplicateRiskCause) {
      const fields = { output, chunk: chunk.key, in_doubt_for_s: Math.round(ms / 1000), cause };
      if (cause === 'split') {
        log.warn(fields, `${output}: duplicate risk: chunk ${chunk.key} was in doubt (perhaps imported) and was split after a 413; its halves carry new keys`);
      } else log.warn(fields, `${output}: duplicate risk: chunk ${chunk.key} re-sent after the endpoint's dedup window`);
    },
  };
}
