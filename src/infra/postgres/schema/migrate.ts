// Applies pending migrations at start-up. A session advisory lock on one dedicated connection makes
// nodes that start at the same moment take turns: the first applies, the others find nothing to do.
import type { Pool, PoolClient } from 'pg';
import { Migration, assertMigrationOrder } from './migration';
import { migrations as allMigrations } from './migrations';
import { postgresLimits } from '../../../config/limits';

/** Advisory lock key of the migration step: "ACTAMIG1" as 8 ASCII bytes, a fixed 64-bit value. */
export const migrationLockKey = '4702695075351185201';

export interface MigrateResult {
  /** Versions this call applied, in order (empty when the schema was already current). */
  applied: number[];
}

export async function migrate(pool: Pool, migrations: readonly Migration[] = allMigrations): Promise<MigrateResult> {
  assertMigrationOrder(migrations);
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    // Waiting for another node's migrations may take longer than an ordinary statement.
    await client.query(`set statement_timeout = ${postgresLimits.migrationStatementTimeoutMs}`);
    await client.query('select pg_advisory_lock($1::bigint)', [migrationLockKey]);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query('select pg_advisory_unlock($1::bigint)', [migrationLockKey]);
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // The session was altered (statement_timeout) and may still hold the lock after a failure:
    // destroy it rather than hand it back to the pool.
    client.release(failure ?? true);
  }
}

async function applyPending(client: PoolClient, migrations: readonly Migration[]): Promise<MigrateResult> {
  // Created under the lock: concurrent "create table if not exists" can itself fail with 23505.
  await client.query(`
    create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
  const { rows } = await client.query<{ version: number; name: string }>('select version, name from schema_migrations');
  const appliedNames = new Map(rows.map((row) => [row.version, row.name]));
  const applied: number[] = [];
  for (const migration of migrations) {
    const recordedName = appliedNames.get(migration.version);
    if (recordedName !== undefined) {
      if (recordedName !== migration.name) {
        throw new Error(`migration ${migration.version} was applied as "${recordedName}" but the code calls it "${migration.name}"`);
      }
      continue;
    }
    await applyOne(client, migration);
    applied.push(migration.version);
  }
  return { applied };
}

async function applyOne(client: PoolClient, migration: Migration): Promise<void> {
  await client.query('begin');
  try {
    await client.query(migration.sql);
    await client.query('insert into schema_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch((rollbackError: unknown) => {
      throw new AggregateError([error, rollbackError], `migration ${migration.version} failed and so did its rollback`);
    });
    throw error;
  }
}
