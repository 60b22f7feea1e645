// The one module that imports `pg`: builds a Pool with every option spelled out, because the
// library's defaults leave statements, idle transactions and connection waits unbounded.
// Everything else takes a `Pool` through `import type`.
import assert from 'node:assert/strict';
import { Pool, types } from 'pg';
import type { CustomTypesConfig } from 'pg';
import { postgresLimits } from '../../../config/limits';

/** The pool type for the composition root, which passes pools around but must not import `pg` itself. */
export type PgPool = Pool;

export interface PoolOptions {
  /** Connections in the pool. */
  max?: number;
  /** Shown in pg_stat_activity, so a DBA can tell Acta's sessions apart. */
  applicationName?: string;
  statementTimeoutMs?: number;
  /**
   * An idle pooled connection failed (the server restarted, the network dropped). The pool has
   * already discarded it; the caller decides how to report it.
   */
  onIdleClientError?: (error: Error) => void;
}

const int8Oid = 20;

/**
 * int8 values stay decimal strings: global positions and outbox ids can exceed 2^53, and the
 * adapters convert amounts and counts explicitly (Number plus a safe-integer assertion).
 * Every other type keeps node-postgres' parser (jsonb parsed, timestamptz as Date).
 */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid ? (value: string) => value : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

function reportIdleClientError(error: Error): void {
  process.emitWarning(`idle Postgres client failed: ${error.message}`, { code: 'ACTA_PG_IDLE_CLIENT' });
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  assert.ok(options.max === undefined || (Number.isSafeInteger(options.max) && options.max >= 1), 'pool max must be an integer >= 1');
  const pool = new Pool({
    connectionString,
    max: options.max ?? postgresLimits.poolConnectionsMax,
    idleTimeoutMillis: postgresLimits.poolIdleTimeoutMs,
    connectionTimeoutMillis: postgresLimits.poolConnectionTimeoutMs,
    statement_timeout: options.statementTimeoutMs ?? postgresLimits.statementTimeoutMs,
    query_timeout: postgresLimits.queryTimeoutMs,
    idle_in_transaction_session_timeout: postgresLimits.idleInTransactionSessionTimeoutMs,
    application_name: options.applicationName ?? 'acta',
    keepAlive: true,
    keepAliveInitialDelayMillis: postgresLimits.keepAliveInitialDelayMs,
    // Connections live until idle or broken; recycling by age or use count is not needed here.
    maxUses: Infinity,
    maxLifetimeSeconds: 0,
    // The process keeps running while the pool is open; shutdown ends the pool explicitly.
    allowExitOnIdle: false,
    types: typeParsers,
  });
  // Without a listener an idle client's error would crash the process.
  pool.on('error', options.onIdleClientError ?? reportIdleClientError);
  return pool;
}
