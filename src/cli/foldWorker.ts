// A piscina worker that folds account streams on its own thread (rebuild, verify). It is loaded
// through foldWorker.bootstrap.cjs, which registers tsx first so this TypeScript file can be
// required inside the worker thread.
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { accountStreamProjection } from '../projections/accounts/accountProjection';
import { FoldedRun, foldStreams, StreamRun } from '../projections/rebuild/foldStreams';

export default function foldWorker(runs: StreamRun<AccountSummaryRow>[]): FoldedRun<AccountSummaryRow, StatementEntry>[] {
  return foldStreams(accountStreamProjection, runs);
}
