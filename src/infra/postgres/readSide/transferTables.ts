// The transfer projection's table: transfer_summary (one row per transfer), with its shadow copy.
import { TransferSummaryRow } from '../../../ports/transferReadModel';
import { transferStreamProjection } from '../../../projections/transfers/transferProjection';
import { PostgresProjectionTables } from './projectionTables';
import { toTransfer, transferColumns, TransferDbRow, upsertTransfers } from './transferReadModelRows';

export const transferTables: PostgresProjectionTables<TransferSummaryRow, never> = {
  projection: transferStreamProjection,
  pairs: [{ live: 'transfer_summary', shadow: 'transfer_summary_next' }],
  keyColumn: 'transfer_id',
  rowColumns: transferColumns,
  toRow: (row) => toTransfer(row as TransferDbRow),
  write: (client, set, rows) => upsertTransfers(client, set === 'live' ? 'transfer_summary' : 'transfer_summary_next', rows),
};
