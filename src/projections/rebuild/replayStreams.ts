// Walks the whole event log in position order (EventStore.readAll, in pages) and folds every stream
// of one projection, page by page: each page's events are grouped per stream and folded from the
// row the previous pages left, so memory holds one row per stream, never the whole log. Streams of
// other aggregates are not this projection's and are passed over. The walk can be continued later
// from where it stopped (rebuild's catch-up before the swap).
import { EventStore } from '../../ports/eventStore';
import { StoredEvent } from '../../ports/storedEvent';
import { FoldedRun, StreamPoison, StreamRun } from './foldStreams';
import { projectionLimits } from '../../config/limits';
import { StreamFolder } from './streamFolder';
import { ProjectedRow, StreamProjection } from '../streamProjection';

export interface ReplayState<Row> {
  /** Per stream, the row folded so far (null: nothing folded yet, or the first event was poison). */
  rows: Map<string, Row | null>;
  /** Streams stopped at a poison event: their later events are not folded (as the live projector). */
  poisoned: Map<string, StreamPoison>;
  /** Position of the last event read. */
  position: string;
  events: number;
}

export interface ReplayProgress {
  projection: string;
  streams: number;
  events: number;
  position: string;
}

export interface ReplayOptions<Row extends ProjectedRow, Entry> {
  projection: StreamProjection<Row, Entry>;
  readAll: EventStore['readAll'];
  folder: StreamFolder<Row, Entry>;
  /** Receives each page's folded runs, in log order, before the next page is read. */
  onPage: (runs: FoldedRun<Row, Entry>[]) => Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
  /** Continue an earlier replay (default: from the start of the log). */
  state?: ReplayState<Row>;
}

export function emptyReplayState<Row>(): ReplayState<Row> {
  return { rows: new Map(), poisoned: new Map(), position: '0', events: 0 };
}

/** Reads pages until readAll has nothing more to give (the log's safe end right now). */
export async function replayStreams<Row extends ProjectedRow, Entry>(options: ReplayOptions<Row, Entry>): Promise<ReplayState<Row>> {
  const state = options.state ?? emptyReplayState<Row>();
  let reported = Math.floor(state.rows.size / projectionLimits.progressEveryStreams);
  for (;;) {
    const page = await options.readAll(state.position, projectionLimits.replayPageEvents);
    if (page.length === 0) return state;
    state.position = page[page.length - 1]!.globalPosition;
    state.events += page.length;
    const folded = await options.folder.fold(runsOf(options.projection, page, state));
    for (const run of folded) {
      state.rows.set(run.streamId, run.row);
      if (run.poison) state.poisoned.set(run.streamId, run.poison);
    }
    await options.onPage(folded);
    const milestone = Math.floor(state.rows.size / projectionLimits.progressEveryStreams);
    if (milestone > reported) {
      reported = milestone;
      options.onProgress?.({ projection: options.projection.name, streams: state.rows.size, events: state.events, position: state.position });
    }
  }
}

function runsOf<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>, page: readonly StoredEvent[], state: ReplayState<Row>): StreamRun<Row>[] {
  const runs = new Map<string, StreamRun<Row>>();
  for (const event of page) {
    if (!projection.ownsStream(event.streamId) || state.poisoned.has(event.streamId)) continue;
    let run = runs.get(event.streamId);
    if (!run) {
      run = { streamId: event.streamId, start: state.rows.get(event.streamId) ?? null, events: [] };
      runs.set(event.streamId, run);
    }
    run.events.push(event);
  }
  return [...runs.values()];
}
