// Read access to the live account read model as verify needs it: rows by key, keyset pages of
// summaries and of statement row counts, and everything of one account.
import type { Pool } from 'pg';
import { AccountSummaryRow, StatementEntry } from '../../../ports/readModel';
import { AccountRowsSource } from '../../../projections/verify/verifyAccounts';
import { projectionLimits } from '../../../config/limits';
import { statementColumns, StatementDbRow, summaryColumns, SummaryDbRow, toEntry, toSummary } from './accountReadModelRows';

export class PostgresAccountRows implements AccountRowsSource {
  constructor(private readonly pool: Pool) {}

  async entriesAt(keys: ReadonlyArray<{ accountId: string; streamVersion: number }>): Promise<StatementEntry[]> {
    const entries: StatementEntry[] = [];
    for (let start = 0; start < keys.length; start += projectionLimits.verifyReadRowsMax) {
      const chunk = keys.slice(start, start + projectionLimits.verifyReadRowsMax);
      const { rows } = await this.pool.query<StatementDbRow>(
        `select ${statementColumns} from account_statement
         where (account_id, stream_version) in (select * from unnest($1::text[], $2::int[]))`,
        [chunk.map((key) => key.accountId), chunk.map((key) => key.streamVersion)],
      );
      entries.push(...rows.map(toEntry));
    }
    return entries;
  }

  async summariesAfter(after: string | null, limit: number): Promise<AccountSummaryRow[]> {
    const { rows } = await this.pool.query<SummaryDbRow>(
      `select ${summaryColumns} from account_summary where ($1::text is null or account_id > $1) order by account_id limit $2`,
      [after, limit],
    );
    return rows.map(toSummary);
  }

  async statementCountsAfter(after: string | null, limit: number): Promise<Array<{ accountId: string; entries: number }>> {
    const { rows } = await this.pool.query<{ account_id: string; entries: number }>(
      `select account_id, count(*)::int as entries from account_statement
       where ($1::text is null or account_id > $1) group by account_id order by account_id limit $2`,
      [after, limit],
    );
    return rows.map((row) => ({ accountId: row.account_id, entries: row.entries }));
  }

  async accountRows(accountId: string): Promise<{ summary: AccountSummaryRow | null; entries: StatementEntry[] }> {
    const summary = await this.pool.query<SummaryDbRow>(`select ${summaryColumns} from account_summary where account_id = $1`, [accountId]);
    const statement = await this.pool.query<StatementDbRow>(
      `select ${statementColumns} from account_statement where account_id = $1 order by stream_version`,
      [accountId],
    );
    return { summary: summary.rows[0] ? toSummary(summary.rows[0]) : null, entries: statement.rows.map(toEntry) };
  }
}
