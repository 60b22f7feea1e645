// The account projection's tables: account_summary (one row per account) and account_statement
// (one row per event), with their shadow copies.
import { AccountSummaryRow, StatementEntry } from '../../../ports/readModel';
import { accountStreamProjection } from '../../../projections/accounts/accountProjection';
import { insertEntries, summaryColumns, SummaryDbRow, toSummary, upsertSummaries } from './accountReadModelRows';
import { PostgresProjectionTables } from './projectionTables';

export const accountTables: PostgresProjectionTables<AccountSummaryRow, StatementEntry> = {
  projection: accountStreamProjection,
  pairs: [
    { live: 'account_summary', shadow: 'account_summary_next' },
    { live: 'account_statement', shadow: 'account_statement_next' },
  ],
  keyColumn: 'account_id',
  rowColumns: summaryColumns,
  toRow: (row) => toSummary(row as SummaryDbRow),
  write: async (client, set, rows, entries) => {
    // Entries first, as the live projector always did: a reader that sees the summary's version
    // finds every statement row up to it.
    await insertEntries(client, set === 'live' ? 'account_statement' : 'account_statement_next', entries);
    await upsertSummaries(client, set === 'live' ? 'account_summary' : 'account_summary_next', rows);
  },
};
