// Folds whole runs of account streams, as rebuild and verify need them: each stream from a known
// starting row through its next events, stopping at a poison event exactly as the live projector
// does (planAccountBatch), so both produce the same rows. Pure and structured-clone friendly: the
// piscina worker (src/cli/foldWorker.ts) runs this same function on other threads.
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { StoredEvent } from '../ports/storedEvent';
import { projectAccountEvent } from './accountProjection';
import { PoisonEventError } from './poisonEventError';

export interface StreamRun {
  streamId: string;
  /** The row folded so far (null before the stream's first event). */
  start: AccountSummaryRow | null;
  /** The stream's next events, in version order. */
  events: StoredEvent[];
}

export interface StreamPoison {
  streamId: string;
  version: number;
  code: string;
  message: string;
}

export interface FoldedRun {
  streamId: string;
  summary: AccountSummaryRow | null;
  entries: StatementEntry[];
  /** The poison event the stream stopped at in this run; its later events were not folded. */
  poison: StreamPoison | null;
}

export function foldAccountStream(run: StreamRun): FoldedRun {
  let summary = run.start;
  const entries: StatementEntry[] = [];
  for (const event of run.events) {
    try {
      const projected = projectAccountEvent(summary, event);
      summary = projected.summary;
      entries.push(projected.entry);
    } catch (error) {
      if (!(error instanceof PoisonEventError)) throw error;
      return { streamId: run.streamId, summary, entries, poison: { streamId: run.streamId, version: event.streamVersion, code: error.code, message: error.message } };
    }
  }
  return { streamId: run.streamId, summary, entries, poison: null };
}

export function foldAccountStreams(runs: readonly StreamRun[]): FoldedRun[] {
  return runs.map(foldAccountStream);
}
