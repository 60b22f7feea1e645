// The account read model on Postgres: the queries the HTTP gateway makes, and the projector's
// batch write. A batch is planned in memory (planAccountBatch) and then written in ONE transaction:
// statement rows, summary rows, dead letters and the partition's checkpoint commit together, so a
// crash can never leave a summary advanced without its statement row (the seed's bug 7.1.6).
import type { Pool, PoolClient } from 'pg';
import { AccountReadModel, AccountSummaryRow, HistoryPage } from '../../ports/readModel';
import { AccountBatch, AccountBatchOutcome, AccountProjectionWriter, DeadLetter, ReadStream } from '../../projections/accountBatch';
import { accountIdsOfBatch, planAccountBatch } from '../../projections/planAccountBatch';
import {
  insertEntries,
  statementColumns,
  StatementDbRow,
  summaryColumns,
  SummaryDbRow,
  toEntry,
  toSummary,
  upsertSummaries,
} from './accountReadModelRows';
import { deadLetterOffsetConstraint } from './readModelMigrations';
import { withTransactionClient } from './transactionClient';

export interface DeadLetterRecord extends DeadLetter {
  id: string;
  createdAt: string;
}

export interface CheckpointRecord {
  projection: string;
  topic: string;
  partition: number;
  nextOffset: string;
}

export class PostgresReadModel implements AccountReadModel, AccountProjectionWriter {
  /** `readStream` is EventStore.readStream: the source gaps are repaired from. */
  constructor(
    private readonly pool: Pool,
    private readonly readStream: ReadStream,
  ) {}

  async summary(accountId: string): Promise<AccountSummaryRow | null> {
    const { rows } = await this.pool.query<SummaryDbRow>({
      name: 'acta_account_summary_v1',
      text: `select ${summaryColumns} from account_summary where account_id = $1`,
      values: [accountId],
    });
    return rows[0] ? toSummary(rows[0]) : null;
  }

  /**
   * One statement, so the page and its total come from the same snapshot. The total is the
   * summary's version: the statement holds exactly one row per applied version, 1..version.
   */
  async history(accountId: string, limit: number, offset: number): Promise<HistoryPage | null> {
    const { rows } = await this.pool.query<Partial<StatementDbRow> & { total: number }>({
      name: 'acta_account_history_v1',
      text: `select s.version as total, e.*
             from account_summary s
             left join lateral (
               select ${statementColumns} from account_statement
               where account_id = s.account_id order by stream_version limit $2 offset $3
             ) e on true
             where s.account_id = $1
             order by e.stream_version`,
      values: [accountId, limit, offset],
    });
    if (rows.length === 0) return null;
    const entries = rows.filter((row) => row.stream_version != null).map((row) => toEntry(row as StatementDbRow));
    return { accountId, entries, total: rows[0]!.total, limit, offset };
  }

  async applyAccountBatch(batch: AccountBatch): Promise<AccountBatchOutcome> {
    return withTransactionClient(this.pool, async (client) => {
      await client.query('begin');
      const current = await lockedSummaries(client, accountIdsOfBatch(batch));
      const plan = await planAccountBatch(batch, current, this.readStream);
      await insertEntries(client, 'account_statement', plan.entries);
      await upsertSummaries(client, 'account_summary', plan.summaries);
      await insertDeadLetters(client, plan.deadLetters);
      await saveCheckpoint(client, batch);
      await client.query('commit');
      return plan.outcome;
    });
  }

  async recentDeadLetters(limit: number): Promise<DeadLetterRecord[]> {
    const { rows } = await this.pool.query<{
      id: string;
      projection: string;
      topic: string;
      partition: number;
      message_offset: string;
      message_key: string | null;
      payload: string;
      error: string;
      created_at: Date;
    }>('select * from projection_dead_letters order by id desc limit $1', [limit]);
    return rows.map((row) => ({
      id: row.id,
      projection: row.projection,
      topic: row.topic,
      partition: row.partition,
      offset: row.message_offset,
      key: row.message_key ?? '',
      payload: row.payload,
      error: row.error,
      createdAt: row.created_at.toISOString(),
    }));
  }

  async checkpoints(projection: string): Promise<CheckpointRecord[]> {
    const { rows } = await this.pool.query<{ projection: string; topic: string; partition: number; next_offset: string }>(
      'select projection, topic, partition, next_offset from projection_checkpoints where projection = $1 order by topic, partition',
      [projection],
    );
    return rows.map((row) => ({ projection: row.projection, topic: row.topic, partition: row.partition, nextOffset: row.next_offset }));
  }
}

/**
 * Locks the batch's existing summary rows (in key order, so two writers cannot deadlock) for the
 * rest of the transaction: a concurrent writer of the same account waits and then sees our rows.
 */
async function lockedSummaries(client: PoolClient, accountIds: string[]): Promise<Map<string, AccountSummaryRow>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await client.query<SummaryDbRow>(
    `select ${summaryColumns} from account_summary where account_id = any($1::text[]) order by account_id for update`,
    [accountIds],
  );
  return new Map(rows.map((row) => [row.account_id, toSummary(row)]));
}

/** A redelivered poison message is recorded once: its partition offset is unique. */
async function insertDeadLetters(client: PoolClient, deadLetters: readonly DeadLetter[]): Promise<void> {
  if (deadLetters.length === 0) return;
  await client.query(
    `insert into projection_dead_letters (projection, topic, partition, message_offset, message_key, payload, error)
     select * from unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[])
     on conflict on constraint ${deadLetterOffsetConstraint} do nothing`,
    [
      deadLetters.map((letter) => letter.projection),
      deadLetters.map((letter) => letter.topic),
      deadLetters.map((letter) => letter.partition),
      deadLetters.map((letter) => letter.offset),
      deadLetters.map((letter) => letter.key),
      deadLetters.map((letter) => letter.payload),
      deadLetters.map((letter) => letter.error),
    ],
  );
}

/** The checkpoint records the last batch committed for the partition, with the rows it wrote. */
async function saveCheckpoint(client: PoolClient, batch: AccountBatch): Promise<void> {
  await client.query(
    `insert into projection_checkpoints (projection, topic, partition, next_offset, updated_at)
     values ($1, $2, $3, $4::bigint, now())
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [batch.projection, batch.topic, batch.partition, batch.nextOffset],
  );
}
