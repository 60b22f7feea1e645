// The Postgres event store. appendBatch writes many streams in ONE transaction (the journal writer's
// group commit). Usually that transaction is one statement (appendBatchStatement.ts), which also
// reports the streams whose version moved or whose transaction id or Idempotency-Key is recorded
// already. When it meets a unique violation anyway (a concurrent writer, or two appends of the batch
// with the same key), or a stream appears twice in the batch, the batch runs again with each stream
// inside its own savepoint, so a unique violation rolls back that stream alone and is reported as its
// conflict while the others commit. Any other failure rolls back everything and rejects.
import assert from 'node:assert/strict';
import type { Pool, PoolClient } from 'pg';
import { IdempotencyRecord, TransactionRecord } from '../../../ports/commandRecords';
import { AppendResult, EventStore, StreamAppend } from '../../../ports/eventStore';
import { StoredEvent } from '../../../ports/storedEvent';
import { assertBatch, assertLookup, assertPosition, assertReadLimit, assertVersion } from '../../storeAssertions';
import { AppendBatchRow, appendBatchQuery } from './appendBatchStatement';
import { AppendStreamRow, appendStreamQuery } from './appendStreamStatement';
import { IdempotencyRow, TransactionRow, toIdempotencyRecord, toTransactionRecord } from './commandRecordRows';
import { constraintNames } from '../schema/writeSideMigrations';
import { isPgError, pgErrorCodes } from '../connection/postgresErrors';
import { StoredEventRow, storedEventColumns, toStoredEvent } from './storedEventRow';
import { withTransactionClient } from '../connection/transactionClient';

type Conflict = Extract<AppendResult, { ok: false }>['conflict'];

const conflictByConstraint = new Map<string, Conflict>([
  [constraintNames.streamVersion, 'stream_version'],
  [constraintNames.transactionId, 'transaction_id'],
  [constraintNames.idempotencyKey, 'idempotency_key'],
]);

export interface PostgresEventStoreOptions {
  /**
   * Try each batch as one statement first (default). Off, every batch takes the savepoint path:
   * tests use it to run the contract suite through both paths.
   */
  singleStatementBatches?: boolean;
}

export class PostgresEventStore implements EventStore {
  private committedTransactions = 0;
  private readonly singleStatementBatches: boolean;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.singleStatementBatches = options.singleStatementBatches ?? true;
  }

  async appendBatch(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertBatch(appends);
    if (appends.length === 0) return [];
    const distinctStreams = new Set(appends.map((append) => append.streamId)).size === appends.length;
    const results =
      (this.singleStatementBatches && distinctStreams ? await this.appendAsOneStatement(appends) : null) ??
      (await withTransactionClient(this.pool, (client) => appendPerStream(client, appends)));
    this.committedTransactions += 1;
    return results;
  }

  /** The batch as one implicit transaction; null when a unique key stopped it (nothing was written). */
  private async appendAsOneStatement(appends: readonly StreamAppend[]): Promise<AppendResult[] | null> {
    try {
      const { rows } = await this.pool.query<AppendBatchRow>(appendBatchQuery(appends));
      assert.equal(rows.length, appends.length, 'one result row per append');
      return rows.map((row, index) => {
        assert.equal(row.append_index, index + 1, 'result rows in batch order');
        if (row.conflict !== null) return { ok: false, conflict: row.conflict };
        return appendResult(appends[index] as StreamAppend, row);
      });
    } catch (error) {
      if (uniqueConflict(error) !== null) return null;
      throw error;
    }
  }

  async readStream(streamId: string, afterVersion: number, limit: number): Promise<StoredEvent[]> {
    assertVersion(afterVersion);
    assertReadLimit(limit);
    const { rows } = await this.pool.query<StoredEventRow>({
      name: 'acta_read_stream_v1',
      text: `select ${storedEventColumns} from events
             where stream_id = $1 and stream_version > $2 order by stream_version limit $3`,
      values: [streamId, afterVersion, limit],
    });
    return rows.map(toStoredEvent);
  }

  async readAll(afterPosition: string, limit: number): Promise<StoredEvent[]> {
    assertPosition(afterPosition);
    assertReadLimit(limit);
    // Only rows of transactions older than every transaction still running: none of those can
    // still commit, and (positions follow transaction ids) no open one holds a lower position.
    const { rows } = await this.pool.query<StoredEventRow>({
      name: 'acta_read_all_v1',
      text: `select ${storedEventColumns} from events
             where global_position > $1::bigint and tx_id < pg_snapshot_xmin(pg_current_snapshot())
             order by global_position limit $2`,
      values: [afterPosition, limit],
    });
    return rows.map(toStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    const { rows } = await this.pool.query<{ version: number }>({
      name: 'acta_stream_version_v1',
      text: 'select coalesce(max(stream_version), 0) as version from events where stream_id = $1',
      values: [streamId],
    });
    return rows[0]?.version ?? 0;
  }

  async findIdempotency(keys: readonly string[]): Promise<Map<string, IdempotencyRecord>> {
    assertLookup(keys);
    if (keys.length === 0) return new Map();
    const { rows } = await this.pool.query<IdempotencyRow>({
      name: 'acta_find_idempotency_v1',
      text: `select idempotency_key, request_hash, operation, status_code, response, created_at
             from idempotency_records where idempotency_key = any($1::text[])`,
      values: [keys],
    });
    return new Map(rows.map((row) => [row.idempotency_key, toIdempotencyRecord(row)]));
  }

  async findTransactions(ids: readonly string[]): Promise<Map<string, TransactionRecord>> {
    assertLookup(ids);
    if (ids.length === 0) return new Map();
    const { rows } = await this.pool.query<TransactionRow>({
      name: 'acta_find_transactions_v1',
      text: `select transaction_id, account_id, kind, amount, currency, stream_version, status_code, response, created_at
             from transaction_records where transaction_id = any($1::text[])`,
      values: [ids],
    });
    return new Map(rows.map((row) => [row.transaction_id, toTransactionRecord(row)]));
  }

  appendTransactions(): number {
    return this.committedTransactions;
  }
}

// Control statements ride in the same simple-protocol message as their neighbours
// ("release …; savepoint …"), so a stream costs two round trips: its append and the control step.
async function appendPerStream(client: PoolClient, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
  await client.query('begin; savepoint stream_append');
  const results: AppendResult[] = [];
  for (const [index, append] of appends.entries()) {
    results.push(await appendStream(client, append));
    const next = index === appends.length - 1 ? 'commit' : 'savepoint stream_append';
    await client.query(`release savepoint stream_append; ${next}`);
  }
  return results;
}

async function appendStream(client: PoolClient, append: StreamAppend): Promise<AppendResult> {
  let row: AppendStreamRow | undefined;
  try {
    ({ rows: [row] } = await client.query<AppendStreamRow>(appendStreamQuery(append)));
  } catch (error) {
    const conflict = uniqueConflict(error);
    if (conflict === null) throw error;
    await client.query('rollback to savepoint stream_append');
    return { ok: false, conflict };
  }
  assert.ok(row, 'the append statement returns one row');
  if (row.current_version === append.expectedVersion && row.free_taken) return { ok: false, conflict: 'transaction_id' };
  return appendResult(append, row);
}

function appendResult(append: StreamAppend, row: Pick<AppendStreamRow, 'current_version' | 'positions'>): AppendResult {
  if (row.current_version !== append.expectedVersion) return { ok: false, conflict: 'stream_version' };
  assert.equal(row.positions.length, append.events.length, 'one position per appended event');
  return { ok: true, lastVersion: append.expectedVersion + append.events.length, globalPositions: row.positions };
}

function uniqueConflict(error: unknown): Conflict | null {
  if (!isPgError(error, pgErrorCodes.uniqueViolation) || error.constraint === undefined) return null;
  return conflictByConstraint.get(error.constraint) ?? null;
}

