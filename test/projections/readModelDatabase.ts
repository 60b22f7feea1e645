// A fresh test database with the read-side tables. Until the lead merges readModelMigrations into
// the migration list, createTestDatabase applies only the write side, so the read side is applied
// here; once merged, migrate() finds them recorded and this adds nothing.
import { migrate } from '../../src/infra/postgres/schema/migrate';
import { readModelMigrations } from '../../src/infra/postgres/schema/readModelMigrations';
import { createTestDatabase, TestDatabase } from '../support/database';

export async function createReadModelDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  try {
    await migrate(db.pool, readModelMigrations);
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

/** Every row of the read models as Postgres prints them: the byte-for-byte comparison of rebuilds. */
export async function dumpReadModels(db: TestDatabase): Promise<string> {
  const { rows } = await db.pool.query<{ summary: string; statement: string; transfers: string }>(`
    select
      (select coalesce(string_agg(t::text, E'\\n' order by account_id), '') from account_summary t) as summary,
      (select coalesce(string_agg(t::text, E'\\n' order by account_id, stream_version), '') from account_statement t) as statement,
      (select coalesce(string_agg(t::text, E'\\n' order by transfer_id), '') from transfer_summary t) as transfers`);
  return `${rows[0]!.summary}\n--\n${rows[0]!.statement}\n--\n${rows[0]!.transfers}`;
}
