// A piscina worker that folds account streams on its own thread (rebuild, verify). It is loaded
// through foldWorker.bootstrap.cjs, which registers tsx first so this TypeScript file can be
// required inside the worker thread.
import { FoldedRun, foldAccountStreams, StreamRun } from '../projections/foldAccountStreams';

export default function foldWorker(runs: StreamRun[]): FoldedRun[] {
  return foldAccountStreams(runs);
}
