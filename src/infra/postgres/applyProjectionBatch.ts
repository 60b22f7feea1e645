// A projector's batch write on Postgres, whatever the projection. The batch is planned in memory
// (planBatch) and then written in ONE transaction: rows, entries, dead letters and the partition's
// checkpoint commit together, so a crash can never leave a row advanced without its entries or its
// checkpoint (the seed's bug 7.1.6).
import type { Pool, PoolClient } from 'pg';
import { BatchOutcome, DeadLetter, ProjectionBatch, ReadStream } from '../../projections/projectionBatch';
import { keysOfBatch, planBatch } from '../../projections/planBatch';
import { ProjectedRow } from '../../projections/streamProjection';
import { lockedRows, PostgresProjectionTables } from './projectionTables';
import { deadLetterOffsetConstraint } from './readModelMigrations';
import { withTransactionClient } from './transactionClient';
import { Column, insertUnnest } from './unnestInsert';

export async function applyProjectionBatch<Row extends ProjectedRow, Entry>(
  pool: Pool,
  tables: PostgresProjectionTables<Row, Entry>,
  batch: ProjectionBatch,
  readStream: ReadStream,
): Promise<BatchOutcome> {
  return withTransactionClient(pool, async (client) => {
    await client.query('begin');
    const current = await lockedRows(client, tables, keysOfBatch(tables.projection, batch));
    const plan = await planBatch(tables.projection, batch, current, readStream);
    await tables.write(client, 'live', plan.rows, plan.entries);
    await insertDeadLetters(client, plan.deadLetters);
    await saveCheckpoint(client, batch);
    await client.query('commit');
    return plan.outcome;
  });
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
async function insertDeadLetters(client: PoolClient, deadLetters: readonly DeadLetter[]): Promise<void> {
  await insertUnnest(client, 'projection_dead_letters', deadLetterColumns, deadLetters, `on conflict on constraint ${deadLetterOffsetConstraint} do nothing`);
}

/** The checkpoint records the last batch committed for the partition, with the rows it wrote. */
async function saveCheckpoint(client: PoolClient, batch: ProjectionBatch): Promise<void> {
  await client.query(
    `insert into projection_checkpoints (projection, topic, partition, next_offset, updated_at)
     values ($1, $2, $3, $4::bigint, now())
     on conflict (projection, topic, partition) do update set next_offset = excluded.next_offset, updated_at = now()`,
    [batch.projection, batch.topic, batch.partition, batch.nextOffset],
  );
}
