// Walks the whole event log in position order (EventStore.readAll, in pages) and folds every
// account stream, page by page: each page's events are grouped per stream and folded from the row
// the previous pages left, so memory holds one row per account, never the whole log. Streams of
// other aggregates are not this projection's and are passed over. The walk can be continued later
// from where it stopped (rebuild's catch-up before the swap).
import { EventStore } from '../ports/eventStore';
import { AccountSummaryRow } from '../ports/readModel';
import { StoredEvent } from '../ports/storedEvent';
import { isAccountStream } from './accountStreams';
import { FoldedRun, StreamPoison, StreamRun } from './foldAccountStreams';
import { projectionLimits } from './projectionLimits';
import { StreamFolder } from './streamFolder';

export interface ReplayState {
  /** Per account stream, the row folded so far (null: no AccountCreated folded yet). */
  rows: Map<string, AccountSummaryRow | null>;
  /** Streams stopped at a poison event: their later events are not folded (as the live projector). */
  poisoned: Map<string, StreamPoison>;
  /** Position of the last event read. */
  position: string;
  events: number;
}

export interface ReplayProgress {
  streams: number;
  events: number;
  position: string;
}

export interface ReplayOptions {
  readAll: EventStore['readAll'];
  folder: StreamFolder;
  /** Receives each page's folded runs, in log order, before the next page is read. */
  onPage: (runs: FoldedRun[]) => Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
  /** Continue an earlier replay (default: from the start of the log). */
  state?: ReplayState;
}

export function emptyReplayState(): ReplayState {
  return { rows: new Map(), poisoned: new Map(), position: '0', events: 0 };
}

/** Reads pages until readAll has nothing more to give (the log's safe end right now). */
export async function replayAccountStreams(options: ReplayOptions): Promise<ReplayState> {
  const state = options.state ?? emptyReplayState();
  let reported = Math.floor(state.rows.size / projectionLimits.progressEveryStreams);
  for (;;) {
    const page = await options.readAll(state.position, projectionLimits.replayPageEvents);
    if (page.length === 0) return state;
    state.position = page[page.length - 1]!.globalPosition;
    state.events += page.length;
    const runs = runsOf(page, state);
    const folded = await options.folder.fold(runs);
    for (const run of folded) {
      state.rows.set(run.streamId, run.summary);
      if (run.poison) state.poisoned.set(run.streamId, run.poison);
    }
    await options.onPage(folded);
    const milestone = Math.floor(state.rows.size / projectionLimits.progressEveryStreams);
    if (milestone > reported) {
      reported = milestone;
      options.onProgress?.({ streams: state.rows.size, events: state.events, position: state.position });
    }
  }
}

function runsOf(page: readonly StoredEvent[], state: ReplayState): StreamRun[] {
  const runs = new Map<string, StreamRun>();
  for (const event of page) {
    if (!isAccountStream(event.streamId) || state.poisoned.has(event.streamId)) continue;
    let run = runs.get(event.streamId);
    if (!run) {
      run = { streamId: event.streamId, start: state.rows.get(event.streamId) ?? null, events: [] };
      runs.set(event.streamId, run);
    }
    run.events.push(event);
  }
  return [...runs.values()];
}
