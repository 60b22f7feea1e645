// Where rebuild and verify fold streams: in-process, or on worker threads (src/cli/
// piscinaStreamFolder.ts) when a page is big enough to pay for the round trip. Same function,
// same rows either way.
import { FoldedRun, foldAccountStreams, StreamRun } from './foldAccountStreams';

export interface StreamFolder {
  /** Folds each run; results in the order of `runs`. */
  fold(runs: StreamRun[]): Promise<FoldedRun[]>;
  close(): Promise<void>;
}

export const inProcessStreamFolder: StreamFolder = {
  fold: async (runs) => foldAccountStreams(runs),
  close: async () => {},
};
