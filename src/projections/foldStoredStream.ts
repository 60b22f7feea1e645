// Folds one account stream straight from the event store (readStream, in pages): what rebuilding
// or re-checking a single account needs. It stops at a poison event, as the live projector does.
import { StatementEntry } from '../ports/readModel';
import { ReadStream } from './accountBatch';
import { FoldedRun, foldAccountStream } from './foldAccountStreams';
import { projectionLimits } from './projectionLimits';

export async function foldStoredStream(readStream: ReadStream, streamId: string): Promise<FoldedRun & { events: number }> {
  const entries: StatementEntry[] = [];
  let summary: FoldedRun['summary'] = null;
  let events = 0;
  for (;;) {
    const page = await readStream(streamId, summary?.version ?? events, projectionLimits.accountRebuildPageEvents);
    if (page.length === 0) return { streamId, summary, entries, poison: null, events };
    events += page.length;
    const folded = foldAccountStream({ streamId, start: summary, events: page });
    summary = folded.summary;
    entries.push(...folded.entries);
    if (folded.poison) return { streamId, summary, entries, poison: folded.poison, events };
  }
}
