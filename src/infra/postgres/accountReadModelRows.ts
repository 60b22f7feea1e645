// SQL and row mapping of the account read models, shared by the live projection writes and the
// rebuild (which writes the same rows into shadow tables). int8 columns arrive as decimal strings
// (see pool.ts) and are converted with a safe-integer assertion: money never becomes a float.
import assert from 'node:assert/strict';
import type { PoolClient } from 'pg';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { projectionLimits } from '../../projections/projectionLimits';

/** The tables rows can be written to: the live ones and the rebuild's shadow copies. */
export type SummaryTable = 'account_summary' | 'account_summary_next';
export type StatementTable = 'account_statement' | 'account_statement_next';

export const summaryColumns = 'account_id, owner_id, currency, status, balance, available_balance, version, created_at, updated_at';
export const statementColumns =
  'account_id, stream_version, event_id, event_type, amount, currency, transaction_id, reason, balance_after, occurred_at';

export interface SummaryDbRow {
  account_id: string;
  owner_id: string;
  currency: string;
  status: string;
  balance: string;
  available_balance: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface StatementDbRow {
  account_id: string;
  stream_version: number;
  event_id: string;
  event_type: string;
  amount: string | null;
  currency: string | null;
  transaction_id: string | null;
  reason: string | null;
  balance_after: string;
  occurred_at: Date;
}

export function minorUnits(value: string, column: string): number {
  const parsed = Number(value);
  assert.ok(Number.isSafeInteger(parsed), `${column} ${value} is not a safe integer`);
  return parsed;
}

export function toSummary(row: SummaryDbRow): AccountSummaryRow {
  assert.ok(row.status === 'ACTIVE' || row.status === 'FROZEN', `unknown account status ${row.status}`);
  return {
    accountId: row.account_id,
    ownerId: row.owner_id,
    currency: row.currency,
    status: row.status,
    balance: minorUnits(row.balance, 'balance'),
    availableBalance: minorUnits(row.available_balance, 'available_balance'),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Nullable columns map to absent fields, in the projection's key order (the HTTP body keeps it). */
export function toEntry(row: StatementDbRow): StatementEntry {
  return {
    eventId: row.event_id,
    accountId: row.account_id,
    streamVersion: row.stream_version,
    eventType: row.event_type,
    ...(row.amount !== null && { amount: minorUnits(row.amount, 'amount') }),
    ...(row.currency !== null && { currency: row.currency }),
    ...(row.transaction_id !== null && { transactionId: row.transaction_id }),
    ...(row.reason !== null && { reason: row.reason }),
    balanceAfter: minorUnits(row.balance_after, 'balance_after'),
    occurredAt: row.occurred_at.toISOString(),
  };
}

/** Inserts entries; a row already there (same account and version) is left as it is. */
export async function insertEntries(client: PoolClient, table: StatementTable, entries: readonly StatementEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += projectionLimits.insertRowsMax) {
    const chunk = entries.slice(start, start + projectionLimits.insertRowsMax);
    await client.query(
      `insert into ${table} (${statementColumns})
       select * from unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::timestamptz[])
       on conflict (account_id, stream_version) do nothing`,
      [
        chunk.map((entry) => entry.accountId),
        chunk.map((entry) => entry.streamVersion),
        chunk.map((entry) => entry.eventId),
        chunk.map((entry) => entry.eventType),
        chunk.map((entry) => entry.amount ?? null),
        chunk.map((entry) => entry.currency ?? null),
        chunk.map((entry) => entry.transactionId ?? null),
        chunk.map((entry) => entry.reason ?? null),
        chunk.map((entry) => entry.balanceAfter),
        chunk.map((entry) => entry.occurredAt),
      ],
    );
  }
}

/**
 * Upserts summary rows. A row only ever moves forward: a writer holding an older fold of the
 * stream (a rebalanced consumer, a concurrent rebuild of one account) never overwrites a newer one.
 */
export async function upsertSummaries(client: PoolClient, table: SummaryTable, summaries: readonly AccountSummaryRow[]): Promise<void> {
  for (let start = 0; start < summaries.length; start += projectionLimits.insertRowsMax) {
    const chunk = summaries.slice(start, start + projectionLimits.insertRowsMax);
    await client.query(
      `insert into ${table} as current (${summaryColumns})
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::int[], $8::timestamptz[], $9::timestamptz[])
       on conflict (account_id) do update set
         owner_id = excluded.owner_id, currency = excluded.currency, status = excluded.status,
         balance = excluded.balance, available_balance = excluded.available_balance, version = excluded.version,
         created_at = excluded.created_at, updated_at = excluded.updated_at
       where current.version < excluded.version`,
      [
        chunk.map((row) => row.accountId),
        chunk.map((row) => row.ownerId),
        chunk.map((row) => row.currency),
        chunk.map((row) => row.status),
        chunk.map((row) => row.balance),
        chunk.map((row) => row.availableBalance),
        chunk.map((row) => row.version),
        chunk.map((row) => row.createdAt),
        chunk.map((row) => row.updatedAt),
      ],
    );
  }
}
