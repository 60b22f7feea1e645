// Named bounds of the storage adapters, unit last. The in-memory adapters apply the same bounds so
// that both kinds of adapter pass one contract suite. Relations are asserted when the module loads.
import assert from 'node:assert/strict';
import { limits } from './limits';

export const postgresLimits = {
  /** Connections per pool when the caller does not say (config PG_POOL_MAX overrides it). */
  poolConnectionsMax: 16,
  /** An idle pooled connection is closed after this long. */
  poolIdleTimeoutMs: 30_000,
  /** Waiting for a free pooled connection (or a new one) fails after this long. */
  poolConnectionTimeoutMs: 5_000,
  /** Server-side bound on every statement, lock waits included. */
  statementTimeoutMs: limits.statementTimeoutMs,
  /** Client-side bound on a query: catches a dead TCP connection the server can no longer time out. */
  queryTimeoutMs: limits.statementTimeoutMs + 5_000,
  /** A session left idle inside a transaction is killed: it would hold row locks and stall readAll. */
  idleInTransactionSessionTimeoutMs: 60_000,
  /** TCP keep-alive probes start after this long without traffic. */
  keepAliveInitialDelayMs: 10_000,
  /** Migrations may build indexes on big tables: their statements and the lock wait get longer. */
  migrationStatementTimeoutMs: 10 * 60_000,
  /** Stream appends in one appendBatch transaction (the journal writer's batch). */
  appendBatchAppendsMax: limits.journalBatchAppendsMax,
  /**
   * Events one transaction may write. A global position is (transaction id × 2^20) + ordinal, so
   * one transaction has 2^20 - 1 positions (see migrations.ts).
   */
  transactionEventsMax: 2 ** 20 - 1,
  /** Events one readStream or readAll call may return. */
  readEventsMax: 10_000,
  /** Keys or ids one findIdempotency or findTransactions call may look up. */
  lookupKeysMax: 10_000,
  /** Events one outbox claim may take (it stops at the first row past this many; at least one row). */
  outboxClaimEventsMax: 10_000,
  /** Embedded Postgres must report "ready to accept connections" within this long. */
  embeddedStartTimeoutMs: 60_000,
  /** Server log lines kept to explain a failed embedded start. */
  embeddedStartupLogLinesMax: 20,
  /** Longest outbox lease: a crashed relay's rows become claimable again within this bound. */
  outboxLeaseMsMax: 10 * 60_000,
} as const;

/** Bounds of the Postgres outbox's claim (postgresOutbox.ts). */
export const outboxLimits = {
  /** Rows a claim looks at (the oldest, by id): bounds a claim's work whatever the table holds. */
  claimScanRowsMax: 1_000,
} as const;

assert.ok(postgresLimits.queryTimeoutMs > postgresLimits.statementTimeoutMs, 'the server must time out first');
assert.ok(postgresLimits.migrationStatementTimeoutMs >= postgresLimits.statementTimeoutMs);
assert.ok(postgresLimits.readEventsMax >= limits.activationReadEventsMax, 'activation reads pages of activationReadEventsMax');
assert.ok(postgresLimits.lookupKeysMax >= limits.turnCommandsMax, 'one turn looks up the keys of all its commands');
assert.ok(
  postgresLimits.appendBatchAppendsMax * limits.turnCommandsMax * 4 <= postgresLimits.transactionEventsMax,
  'a full journal batch (up to 4 events per command) must fit in the positions of one transaction',
);
