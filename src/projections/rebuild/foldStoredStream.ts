// Folds one stream straight from the event store (readStream, in pages): what rebuilding or
// re-checking a single account or transfer needs. It stops at a poison event, as the live projector does.
import { foldStream, FoldedRun } from './foldStreams';
import { ReadStream } from '../projectionBatch';
import { projectionLimits } from '../../config/limits';
import { ProjectedRow, StreamProjection } from '../streamProjection';

export async function foldStoredStream<Row extends ProjectedRow, Entry>(
  projection: StreamProjection<Row, Entry>,
  readStream: ReadStream,
  streamId: string,
): Promise<FoldedRun<Row, Entry> & { events: number }> {
  const entries: Entry[] = [];
  let row: Row | null = null;
  let events = 0;
  for (;;) {
    const page = await readStream(streamId, row?.version ?? events, projectionLimits.streamRebuildPageEvents);
    if (page.length === 0) return { streamId, row, entries, poison: null, events };
    events += page.length;
    const folded: FoldedRun<Row, Entry> = foldStream(projection, { streamId, start: row, events: page });
    row = folded.row;
    entries.push(...folded.entries);
    if (folded.poison) return { streamId, row, entries, poison: folded.poison, events };
  }
}
