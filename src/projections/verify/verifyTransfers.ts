// verify of the transfer read model: folds every transfer stream of the event store and compares
// transfer_summary with the fold, then re-checks each suspect (verifyRows.ts).
import { EventStore } from '../../ports/eventStore';
import { TransferSummaryRow } from '../../ports/transferReadModel';
import { Drift, rowDrift } from './drift';
import { foldStoredStream } from '../rebuild/foldStoredStream';
import { ReadStream } from '../projectionBatch';
import { ReplayProgress, replayStreams } from '../rebuild/replayStreams';
import { inProcessStreamFolder } from '../rebuild/streamFolder';
import { transferStreamProjection } from '../transfers/transferProjection';
import { confirmSuspects, foldedRows, ProjectionVerifyReport, suspectRows } from './verifyRows';

/** Read access to one transfer read model, as verify needs it (Postgres or in-memory). */
export interface TransferRowsSource {
  /** Rows with transferId > after, in transferId order, at most limit. */
  transfersAfter(after: string | null, limit: number): Promise<TransferSummaryRow[]>;
  transfer(transferId: string): Promise<TransferSummaryRow | null>;
}

export interface VerifyTransfersDeps {
  readAll: EventStore['readAll'];
  readStream: ReadStream;
  rows: TransferRowsSource;
  onProgress?: (progress: ReplayProgress) => void;
}

const table = 'transfer_summary';

export async function verifyTransfers(deps: VerifyTransfersDeps): Promise<ProjectionVerifyReport> {
  const suspects = new Set<string>();
  const state = await replayStreams({
    projection: transferStreamProjection,
    readAll: deps.readAll,
    folder: inProcessStreamFolder(transferStreamProjection),
    onProgress: deps.onProgress,
    onPage: async () => {},
  });
  const differs = (folded: TransferSummaryRow | null, actual: TransferSummaryRow) => rowDrift(table, actual.transferId, folded, actual) !== null;
  const expected = foldedRows(transferStreamProjection, state);
  await suspectRows((after, limit) => deps.rows.transfersAfter(after, limit), (row) => row.transferId, differs, expected, suspects);
  return confirmSuspects(state, suspects, (transferId) => recheckTransfer(deps, transferId));
}

/** The row first, then the stream (see confirmSuspects). */
async function recheckTransfer(deps: VerifyTransfersDeps, transferId: string): Promise<Drift[]> {
  const actual = await deps.rows.transfer(transferId);
  const folded = await foldStoredStream(transferStreamProjection, deps.readStream, transferStreamProjection.streamIdOf(transferId));
  const drift = rowDrift(table, transferId, folded.row, actual);
  return drift ? [drift] : [];
}
