// Where rebuild and verify fold streams: in-process, or on worker threads (src/cli/
// piscinaStreamFolder.ts, accounts only) when a page is big enough to pay for the round trip.
// Same function, same rows either way.
import { foldStreams, FoldedRun, StreamRun } from './foldStreams';
import { ProjectedRow, StreamProjection } from '../streamProjection';

export interface StreamFolder<Row, Entry> {
  /** Folds each run; results in the order of `runs`. */
  fold(runs: StreamRun<Row>[]): Promise<FoldedRun<Row, Entry>[]>;
  close(): Promise<void>;
}

export function inProcessStreamFolder<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>): StreamFolder<Row, Entry> {
  return {
    fold: async (runs) => foldStreams(projection, runs),
    close: async () => {},
  };
}
