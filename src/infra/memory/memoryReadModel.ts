// The account read model in memory (EVENT_STORE_KIND=in-memory), with the Postgres adapter's
// semantics: the same plan (planBatch), rows that only move forward, statement rows never
// overwritten, a dead letter per poison message offset, a checkpoint per partition
// (memoryProjectionBook.ts).
import assert from 'node:assert/strict';
import { AccountReadModel, AccountSummaryRow, HistoryPage, StatementEntry } from '../../ports/readModel';
import { AccountProjectionWriter, accountStreamProjection } from '../../projections/accounts/accountProjection';
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../projections/projectionBatch';
import { MemoryProjectionBook, MemoryRows, upsertForward } from './memoryProjectionBook';

export class MemoryReadModel implements AccountReadModel, AccountProjectionWriter {
  private readonly summaries = new Map<string, AccountSummaryRow>();
  /** Per account, entries[i] is stream version i + 1. */
  private readonly statements = new Map<string, StatementEntry[]>();
  private readonly book = new MemoryProjectionBook();
  private readonly batchRows: MemoryRows<AccountSummaryRow, StatementEntry> = {
    row: (accountId) => {
      const row = this.summaries.get(accountId);
      return row ? { ...row } : null;
    },
    write: (rows, entries) => {
      this.insertEntries(entries);
      this.upsertSummaries(rows);
    },
  };

  constructor(private readonly readStream: ReadStream) {}

  async summary(accountId: string): Promise<AccountSummaryRow | null> {
    return this.batchRows.row(accountId);
  }

  async history(accountId: string, limit: number, offset: number): Promise<HistoryPage | null> {
    const summary = this.summaries.get(accountId);
    if (!summary) return null;
    const entries = (this.statements.get(accountId) ?? []).slice(offset, offset + limit).map((entry) => ({ ...entry }));
    return { accountId, entries, total: summary.version, limit, offset };
  }

  async applyAccountBatch(batch: ProjectionBatch): Promise<BatchOutcome> {
    return this.book.apply(accountStreamProjection, this.batchRows, batch, this.readStream);
  }

  /** Replaces one account's rows with a fresh fold (rebuild); null removes the account. */
  replaceAccount(accountId: string, summary: AccountSummaryRow | null, entries: readonly StatementEntry[]): void {
    this.summaries.delete(accountId);
    this.statements.delete(accountId);
    this.insertEntries(entries);
    if (summary) this.upsertSummaries([summary]);
  }

  /** Swaps in a whole rebuilt read model at once: readers see the old one or the new one. */
  replaceAll(summaries: readonly AccountSummaryRow[], entries: readonly StatementEntry[]): void {
    this.summaries.clear();
    this.statements.clear();
    this.insertEntries(entries);
    this.upsertSummaries(summaries);
  }

  /** Every row, for verify and tests. */
  rows(): { summaries: AccountSummaryRow[]; entries: StatementEntry[] } {
    return {
      summaries: [...this.summaries.values()].map((row) => ({ ...row })),
      entries: [...this.statements.values()].flat().map((entry) => ({ ...entry })),
    };
  }

  /** One statement entry, null when the read model has none at that version. */
  entry(accountId: string, streamVersion: number): StatementEntry | null {
    const entry = this.statements.get(accountId)?.[streamVersion - 1];
    return entry ? { ...entry } : null;
  }

  /** Statement row counts per account. */
  statementCounts(): Map<string, number> {
    return new Map([...this.statements].map(([accountId, entries]) => [accountId, entries.length]));
  }

  deadLetters(): DeadLetter[] {
    return this.book.deadLetters();
  }

  checkpoint(projection: string, topic: string, partition: number): string | null {
    return this.book.checkpoint(projection, topic, partition);
  }

  private insertEntries(entries: readonly StatementEntry[]): void {
    for (const entry of entries) {
      let statement = this.statements.get(entry.accountId);
      if (!statement) {
        statement = [];
        this.statements.set(entry.accountId, statement);
      }
      if (entry.streamVersion <= statement.length) continue;
      assert.equal(entry.streamVersion, statement.length + 1, `statement of ${entry.accountId} would skip a version`);
      statement.push({ ...entry });
    }
  }

  private upsertSummaries(rows: readonly AccountSummaryRow[]): void {
    for (const row of rows) upsertForward(this.summaries, row.accountId, row);
  }
}
