// verify: folds every account stream of the event store and compares the account read model with
// the fold, row by row. Phase one walks the log once and only collects suspect accounts (cheap,
// one row per account in memory). Phase two re-checks each suspect against a fresh read of its
// stream and its rows, so a projector applying events while verify runs is not reported as drift;
// what still differs is drift.
import { EventStore } from '../ports/eventStore';
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { ReadStream } from './accountBatch';
import { Drift, differentFields, statementDrifts, summaryDrift } from './accountDrift';
import { accountStreamId } from '../domain/account/accountEvents';
import { accountIdOfStream } from './accountStreams';
import { StreamPoison } from './foldAccountStreams';
import { foldStoredStream } from './foldStoredStream';
import { projectionLimits } from './projectionLimits';
import { ReplayProgress, replayAccountStreams } from './replayAccountStreams';
import { StreamFolder } from './streamFolder';

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

export interface VerifyDeps {
  readAll: EventStore['readAll'];
  readStream: ReadStream;
  folder: StreamFolder;
  rows: AccountRowsSource;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface VerifyReport {
  streams: number;
  events: number;
  /** Streams the projection stops in (dead-lettered live as well): reported, not drift. */
  poisoned: StreamPoison[];
  /** Confirmed drifts, at most projectionLimits.driftsListedMax. */
  drifts: Drift[];
  /** Accounts with confirmed drift. */
  driftedAccounts: number;
  /** Suspects beyond the re-check bound: not confirmed, but not known to be fine either. */
  uncheckedSuspects: number;
}

export function verifyFailed(report: VerifyReport): boolean {
  return report.drifts.length > 0 || report.uncheckedSuspects > 0;
}

export async function verifyAccounts(deps: VerifyDeps): Promise<VerifyReport> {
  const suspects = new Set<string>();
  const state = await replayAccountStreams({
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

  const expectedRows = new Map<string, AccountSummaryRow>();
  for (const [streamId, row] of state.rows) if (row) expectedRows.set(accountIdOfStream(streamId), row);
  await compareSummaries(deps.rows, expectedRows, suspects);
  await compareStatementCounts(deps.rows, expectedRows, suspects);

  const report: VerifyReport = {
    streams: state.rows.size,
    events: state.events,
    poisoned: [...state.poisoned.values()],
    drifts: [],
    driftedAccounts: 0,
    uncheckedSuspects: Math.max(0, suspects.size - projectionLimits.driftsListedMax),
  };
  for (const accountId of [...suspects].slice(0, projectionLimits.driftsListedMax)) {
    const drifts = await recheckAccount(deps, accountId);
    if (drifts.length === 0) continue;
    report.driftedAccounts += 1;
    report.drifts.push(...drifts.slice(0, projectionLimits.driftsListedMax - report.drifts.length));
  }
  return report;
}

async function compareSummaries(rows: AccountRowsSource, expected: Map<string, AccountSummaryRow>, suspects: Set<string>): Promise<void> {
  const unseen = new Set(expected.keys());
  let after: string | null = null;
  for (;;) {
    const page = await rows.summariesAfter(after, projectionLimits.verifyReadRowsMax);
    if (page.length === 0) break;
    after = page[page.length - 1]!.accountId;
    for (const actual of page) {
      unseen.delete(actual.accountId);
      const folded = expected.get(actual.accountId) ?? null;
      if (summaryDrift(actual.accountId, folded, actual) !== null) suspects.add(actual.accountId);
    }
  }
  for (const accountId of unseen) suspects.add(accountId);
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

/**
 * Rows first, then the stream: the store is never behind what the read model shows, so a projector
 * that advances in between cannot make the read model look ahead of the fold. A projector that is
 * behind does show as drift: run verify once the projectors have caught up.
 */
async function recheckAccount(deps: VerifyDeps, accountId: string): Promise<Drift[]> {
  const actual = await deps.rows.accountRows(accountId);
  const folded = await foldStoredStream(deps.readStream, accountStreamId(accountId));
  const summary = summaryDrift(accountId, folded.summary, actual.summary);
  return [...(summary ? [summary] : []), ...statementDrifts(accountId, folded.entries, actual.entries)];
}
