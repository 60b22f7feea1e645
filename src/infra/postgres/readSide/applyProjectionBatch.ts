// A projector's batch write on Postgres, whatever the projection. The batch is planned in memory
// (planBatch) and then written in ONE transaction: rows, entries, dead letters and the partition's
// checkpoint commit together, so a crash can never leave a row advanced without its entries or its
// checkpoint (the seed's bug 7.1.6).
import assert from 'node:assert/strict';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../../projections/projectionBatch';
import { keysOfBatch, planBatch } from '../../../projections/planBatch';
import { ProjectedRow } from '../../../projections/streamProjection';
import { inlineValues, SqlClient, StatementBatch } from '../connection/inlineStatements';
import { lockedRowsText, PostgresProjectionTables } from './projectionTables';
import { deadLetterOffsetConstraint } from '../schema/readModelMigrations';
import { withTransactionClient } from '../connection/transactionClient';
import { Column, insertUnnest } from '../connection/unnestInsert';

export async function applyProjectionBatch<Row extends ProjectedRow, Entry>(
  pool: Pool,
  tables: PostgresProjectionTables<Row, Entry>,
  batch: ProjectionBatch,
  readStream: ReadStream,
): Promise<BatchOutcome> {
  // Two round trips per batch: begin + lock the batch's rows, then (after planning in memory) every
  // write, the checkpoint and the commit as one simple-query string (inlineStatements.ts).
  return withTransactionClient(pool, async (client) => {
    const current = await beginAndLockRows(client, tables, keysOfBatch(tables.projection, batch));
    const plan = await planBatch(tables.projection, batch, current, readStream);
    const writes = new StatementBatch(client);
    await tables.write(writes, 'live', plan.rows, plan.entries);
    await insertDeadLetters(writes, plan.deadLetters);
    await saveCheckpoint(writes, batch);
    writes.add('commit');
    await writes.flush();
    return plan.outcome;
  });
}

/** `begin` and lockedRows' statement in one simple-query string (the keys inlined as a literal). */
async function beginAndLockRows<Row extends ProjectedRow, Entry>(
  client: PoolClient,
  tables: PostgresProjectionTables<Row, Entry>,
  keys: readonly string[],
): Promise<Map<string, Row>> {
  if (keys.length === 0) {
    await client.query('begin');
    return new Map();
  }
  const results = (await client.query(`begin; ${inlineValues(client, lockedRowsText(tables), [keys])}`)) as unknown as QueryResult[];
  assert.ok(Array.isArray(results) && results.length === 2, 'begin and the lock answer one result each');
  return new Map(results[1]!.rows.map((row) => [String(row[tables.keyColumn]), tables.toRow(row)]));
}

const deadLetterColumns: readonly Column<DeadLetter>[] = [
  { name: 'projection', type: 'text', value: (letter) => letter.projection },
  { name: 'topic', type: 'text', value: (letter) => letter.topic },
  { name: 'partition', type: 'int', value: (letter) => letter.partition },
  { name: 'message_offset', type: 'bigint', value: (letter) => letter.offset },
  { name: 'message_key', type: 'text', value: (letter) => letter.key },
  { name: 'payload', type: 'text', value: (letter) => letter.payload },
  { name: 'error', type: 'text', value: (letter) => letter.error },
];

/** A redelivered poison message is recorded once: its partition offset is unique. */
async function insertDeadLetters(client: SqlClient, deadLetters: readonly DeadLetter[]): Promise<void> {
  await insertUnnest(client, 'projection_dead_letters', deadLetterColumns, deadLetters, `on conflict on constraint ${deadLetterOffsetConstraint} do nothing`);
}

/** The checkpoint records the last batch committed for the partition, with the rows it wrote. */
async function saveCheckpoint(client: SqlClient, batch: ProjectionBatch): Promise<void> {
  await client.query(
    `insert into projection_checkpoints (projection, topic, partition, next_offset, updated_at)
     values ($1, $2, $3, $4::bigint, now())
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [batch.projection, batch.topic, batch.partition, batch.nextOffset],
  );
}
