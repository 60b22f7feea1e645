// verify of the account read model: folds every account stream of the event store and compares
// account_summary and account_statement with the fold. Phase one walks the log once and only
// collects suspect accounts (cheap, one row per account in memory); phase two re-checks each
// suspect (verifyRows.ts).
import { EventStore } from '../../ports/eventStore';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { accountStreamProjection } from '../accounts/accountProjection';
import { differentFields, Drift, rowDrift, statementDrifts } from './drift';
import { foldStoredStream } from '../rebuild/foldStoredStream';
import { ReadStream } from '../projectionBatch';
import { projectionLimits } from '../../config/limits';
import { ReplayProgress, replayStreams } from '../rebuild/replayStreams';
import { StreamFolder } from '../rebuild/streamFolder';
import { confirmSuspects, foldedRows, ProjectionVerifyReport, suspectRows } from './verifyRows';

/** Read access to one account read model, as verify needs it (Postgres or in-memory). */
export interface AccountRowsSource {
  /** The statement rows at these keys (absent keys are simply not returned). */
  entriesAt(keys: ReadonlyArray<{ accountId: string; streamVersion: number }>): Promise<StatementEntry[]>;
  /** Summary rows with accountId > after, in accountId order, at most limit. */
  summariesAfter(after: string | null, limit: number): Promise<AccountSummaryRow[]>;
  /** Statement row counts of accounts with accountId > after, in accountId order, at most limit. */
  statementCountsAfter(after: string | null, limit: number): Promise<Array<{ accountId: string; entries: number }>>;
  /** Everything the read model holds for one account. */
  accountRows(accountId: string): Promise<{ summary: AccountSummaryRow | null; entries: StatementEntry[] }>;
}

export interface VerifyAccountsDeps {
  readAll: EventStore['readAll'];
  readStream: ReadStream;
  folder: StreamFolder<AccountSummaryRow, StatementEntry>;
  rows: AccountRowsSource;
  onProgress?: (progress: ReplayProgress) => void;
}

export async function verifyAccounts(deps: VerifyAccountsDeps): Promise<ProjectionVerifyReport> {
  const suspects = new Set<string>();
  const state = await replayStreams({
    projection: accountStreamProjection,
    readAll: deps.readAll,
    folder: deps.folder,
    onProgress: deps.onProgress,
    onPage: async (runs) => {
      const expected = runs.flatMap((run) => run.entries);
      if (expected.length === 0) return;
      const actual = await deps.rows.entriesAt(expected.map(({ accountId, streamVersion }) => ({ accountId, streamVersion })));
      const actualByKey = new Map(actual.map((entry) => [`${entry.streamVersion}#${entry.accountId}`, entry]));
      for (const entry of expected) {
        const found = actualByKey.get(`${entry.streamVersion}#${entry.accountId}`);
        if (!found || differentFields(entry, found).length > 0) suspects.add(entry.accountId);
      }
    },
  });
  const expected = foldedRows(accountStreamProjection, state);
  const differs = (folded: AccountSummaryRow | null, actual: AccountSummaryRow) => rowDrift('account_summary', actual.accountId, folded, actual) !== null;
  await suspectRows((after, limit) => deps.rows.summariesAfter(after, limit), (row) => row.accountId, differs, expected, suspects);
  await compareStatementCounts(deps.rows, expected, suspects);
  return confirmSuspects(state, suspects, (accountId) => recheckAccount(deps, accountId));
}

/** Extra statement rows show up as a count above the folded version (one row per version). */
async function compareStatementCounts(rows: AccountRowsSource, expected: Map<string, AccountSummaryRow>, suspects: Set<string>): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page = await rows.statementCountsAfter(after, projectionLimits.verifyReadRowsMax);
    if (page.length === 0) return;
    after = page[page.length - 1]!.accountId;
    for (const { accountId, entries } of page) {
      if (entries !== (expected.get(accountId)?.version ?? 0)) suspects.add(accountId);
    }
  }
}

/** Rows first, then the stream (see confirmSuspects). */
async function recheckAccount(deps: VerifyAccountsDeps, accountId: string): Promise<Drift[]> {
  const actual = await deps.rows.accountRows(accountId);
  const folded = await foldStoredStream(accountStreamProjection, deps.readStream, accountStreamProjection.streamIdOf(accountId));
  const summary = rowDrift('account_summary', accountId, folded.row, actual.summary);
  return [...(summary ? [summary] : []), ...statementDrifts(accountId, folded.entries, actual.entries)];
}
