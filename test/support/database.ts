// A fresh, uniquely named Postgres database per caller, migrated, with a pool on it. Tests never
// skip when Postgres is missing: they fail with a message that says how to start it.
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { migrate } from '../../src/infra/postgres/schema/migrate';
import { createPool } from '../../src/infra/postgres/connection/pool';

export interface TestDatabase {
  url: string;
  pool: Pool;
  /** Empties every table but schema_migrations (migration 2+ tables included). */
  truncate(): Promise<void>;
  /** Ends the pool and drops the database. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Run the migrations (default). Off for tests of migrate itself. */
  migrate?: boolean;
  /** Connections in the pool on the test database. */
  poolMax?: number;
}

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let created = 0;

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `acta_test_${process.pid}_${++created}_${randomBytes(4).toString('hex')}`;
  await withServer(async (server) => {
    await server.query(`create database ${name}`);
  });
  const url = databaseUrl(name);
  const pool = createPool(url, { max: options.poolMax ?? 8, applicationName: 'acta-test' });
  try {
    if (options.migrate ?? true) await migrate(pool);
  } catch (error) {
    await dropDatabase(pool, name);
    throw error;
  }
  return {
    url,
    pool,
    truncate: () => truncateAll(pool),
    drop: () => dropDatabase(pool, name),
  };
}

async function withServer<T>(work: (server: Pool) => Promise<T>): Promise<T> {
  const server = createPool(serverUrl, { max: 1, applicationName: 'acta-test-admin' });
  try {
    await server.query('select 1').catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `PostgreSQL is not reachable at ${redacted(serverUrl)} (${reason}). Start it ` +
          '(pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.',
        { cause: error },
      );
    });
    return await work(server);
  } finally {
    await server.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function redacted(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function truncateAll(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `select quote_ident(tablename) as name from pg_tables where schemaname = 'public' and tablename <> 'schema_migrations'`,
  );
  if (rows.length > 0) await pool.query(`truncate ${rows.map((row) => row.name).join(', ')} restart identity`);
}

async function dropDatabase(pool: Pool, name: string): Promise<void> {
  await pool.end();
  await withServer(async (server) => {
    await server.query(`drop database if exists ${name} with (force)`);
  });
}
