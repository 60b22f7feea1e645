// The account read model in memory (EVENT_STORE_KIND=in-memory), with the Postgres adapter's
// semantics: the same plan (planAccountBatch), rows that only move forward, statement rows never
// overwritten, a dead letter per poison message offset, a checkpoint per partition. The plan is
// computed first and written without an await in between, which is this adapter's transaction.
import assert from 'node:assert/strict';
import { AccountReadModel, AccountSummaryRow, HistoryPage, StatementEntry } from '../../ports/readModel';
import { AccountBatch, AccountBatchOutcome, AccountProjectionWriter, DeadLetter, ReadStream } from '../../projections/accountBatch';
import { accountIdsOfBatch, planAccountBatch } from '../../projections/planAccountBatch';

export const memoryReadModelLimits = {
  /** Dead letters kept; the oldest are dropped first (the Postgres table keeps them all). */
  deadLettersMax: 10_000,
} as const;

export class MemoryReadModel implements AccountReadModel, AccountProjectionWriter {
  private readonly summaries = new Map<string, AccountSummaryRow>();
  /** Per account, entries[i] is stream version i + 1. */
  private readonly statements = new Map<string, StatementEntry[]>();
  private readonly deadLetterLog = new Map<string, DeadLetter>();
  private readonly checkpointMap = new Map<string, string>();

  constructor(private readonly readStream: ReadStream) {}

  async summary(accountId: string): Promise<AccountSummaryRow | null> {
    const row = this.summaries.get(accountId);
    return row ? { ...row } : null;
  }

  async history(accountId: string, limit: number, offset: number): Promise<HistoryPage | null> {
    const summary = this.summaries.get(accountId);
    if (!summary) return null;
    const entries = (this.statements.get(accountId) ?? []).slice(offset, offset + limit).map((entry) => ({ ...entry }));
    return { accountId, entries, total: summary.version, limit, offset };
  }

  async applyAccountBatch(batch: AccountBatch): Promise<AccountBatchOutcome> {
    const current = new Map<string, AccountSummaryRow>();
    for (const accountId of accountIdsOfBatch(batch)) {
      const row = this.summaries.get(accountId);
      if (row) current.set(accountId, { ...row });
    }
    const plan = await planAccountBatch(batch, current, this.readStream);
    // From here to the end nothing awaits: the whole plan lands at once.
    this.insertEntries(plan.entries);
    this.upsertSummaries(plan.summaries);
    for (const letter of plan.deadLetters) this.recordDeadLetter(letter);
    this.checkpointMap.set(checkpointKey(batch.projection, batch.topic, batch.partition), batch.nextOffset);
    return plan.outcome;
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
    return [...this.deadLetterLog.values()];
  }

  checkpoint(projection: string, topic: string, partition: number): string | null {
    return this.checkpointMap.get(checkpointKey(projection, topic, partition)) ?? null;
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
    for (const row of rows) {
      const existing = this.summaries.get(row.accountId);
      if (!existing || existing.version < row.version) this.summaries.set(row.accountId, { ...row });
    }
  }

  private recordDeadLetter(letter: DeadLetter): void {
    const key = `${checkpointKey(letter.projection, letter.topic, letter.partition)}@${letter.offset}`;
    if (this.deadLetterLog.has(key)) return;
    this.deadLetterLog.set(key, { ...letter });
    if (this.deadLetterLog.size > memoryReadModelLimits.deadLettersMax) {
      const oldest = this.deadLetterLog.keys().next().value;
      if (oldest !== undefined) this.deadLetterLog.delete(oldest);
    }
  }
}

function checkpointKey(projection: string, topic: string, partition: number): string {
  return `${projection}/${topic}/${partition}`;
}
