// Folds whole runs of streams, as rebuild and verify need them: each stream from a known starting
// row through its next events, stopping at a poison event exactly as the live projector does
// (planBatch), so both produce the same rows. Pure and structured-clone friendly: the piscina
// worker (src/cli/foldWorker.ts) runs the account fold on other threads.
import { StoredEvent } from '../../ports/storedEvent';
import { PoisonEventError } from '../poisonEventError';
import { ProjectedRow, StreamProjection } from '../streamProjection';

export interface StreamRun<Row> {
  streamId: string;
  /** The row folded so far (null before the stream's first event). */
  start: Row | null;
  /** The stream's next events, in version order. */
  events: StoredEvent[];
}

export interface StreamPoison {
  streamId: string;
  version: number;
  code: string;
  message: string;
}

export interface FoldedRun<Row, Entry> {
  streamId: string;
  row: Row | null;
  entries: Entry[];
  /** The poison event the stream stopped at in this run; its later events were not folded. */
  poison: StreamPoison | null;
}

export function foldStream<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>, run: StreamRun<Row>): FoldedRun<Row, Entry> {
  let row = run.start;
  const entries: Entry[] = [];
  for (const event of run.events) {
    try {
      const projected = projection.project(row, event);
      row = projected.row;
      if (projected.entry !== null) entries.push(projected.entry);
    } catch (error) {
      if (!(error instanceof PoisonEventError)) throw error;
      return { streamId: run.streamId, row, entries, poison: { streamId: run.streamId, version: event.streamVersion, code: error.code, message: error.message } };
    }
  }
  return { streamId: run.streamId, row, entries, poison: null };
}

export function foldStreams<Row extends ProjectedRow, Entry>(
  projection: StreamProjection<Row, Entry>,
  runs: readonly StreamRun<Row>[],
): FoldedRun<Row, Entry>[] {
  return runs.map((run) => foldStream(projection, run));
}
