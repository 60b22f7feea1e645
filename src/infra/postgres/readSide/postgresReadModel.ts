// The account read model on Postgres: the queries the HTTP gateway makes, the projector's batch
// write (applyProjectionBatch.ts: one transaction per batch), and the projectors' dead letters and
// checkpoints (shared tables, one projection name per projector).
import type { Pool } from 'pg';
import { AccountReadModel, AccountSummaryRow, HistoryPage } from '../../../ports/readModel';
import { AccountProjectionWriter } from '../../../projections/accounts/accountProjection';
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../../projections/projectionBatch';
import { statementColumns, StatementDbRow, summaryColumns, SummaryDbRow, toEntry, toSummary } from './accountReadModelRows';
import { accountTables } from './accountTables';
import { applyProjectionBatch } from './applyProjectionBatch';

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
      name: 'acta_account_history_v2',
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

  async applyAccountBatch(batch: ProjectionBatch): Promise<BatchOutcome> {
    return applyProjectionBatch(this.pool, accountTables, batch, this.readStream);
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
