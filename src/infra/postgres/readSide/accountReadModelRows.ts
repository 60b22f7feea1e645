// SQL and row mapping of the account read models, shared by the live projection writes and the
// rebuild (which writes the same rows into shadow tables). int8 columns arrive as decimal strings
// (see pool.ts) and are converted with a safe-integer assertion: money never becomes a float.
import assert from 'node:assert/strict';
import { AccountSummaryRow, StatementEntry } from '../../../ports/readModel';
import { Column, forwardOnly, insertUnnest } from '../connection/unnestInsert';
import { SqlClient } from '../connection/inlineStatements';

/** The tables rows can be written to: the live ones and the rebuild's shadow copies. */
export type SummaryTable = 'account_summary' | 'account_summary_next';
export type StatementTable = 'account_statement' | 'account_statement_next';

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
  direction: string | null;
  counterparty_account_id: string | null;
  transfer_id: string | null;
  actor: string | null;
  balance_after: string;
  occurred_at: Date;
}

const summaryColumnList: readonly Column<AccountSummaryRow>[] = [
  { name: 'account_id', type: 'text', value: (row) => row.accountId },
  { name: 'owner_id', type: 'text', value: (row) => row.ownerId },
  { name: 'currency', type: 'text', value: (row) => row.currency },
  { name: 'status', type: 'text', value: (row) => row.status },
  { name: 'balance', type: 'bigint', value: (row) => row.balance },
  { name: 'available_balance', type: 'bigint', value: (row) => row.availableBalance },
  { name: 'version', type: 'int', value: (row) => row.version },
  { name: 'created_at', type: 'timestamptz', value: (row) => row.createdAt },
  { name: 'updated_at', type: 'timestamptz', value: (row) => row.updatedAt },
];

const statementColumnList: readonly Column<StatementEntry>[] = [
  { name: 'account_id', type: 'text', value: (entry) => entry.accountId },
  { name: 'stream_version', type: 'int', value: (entry) => entry.streamVersion },
  { name: 'event_id', type: 'uuid', value: (entry) => entry.eventId },
  { name: 'event_type', type: 'text', value: (entry) => entry.eventType },
  { name: 'amount', type: 'bigint', value: (entry) => entry.amount ?? null },
  { name: 'currency', type: 'text', value: (entry) => entry.currency ?? null },
  { name: 'transaction_id', type: 'text', value: (entry) => entry.transactionId ?? null },
  { name: 'reason', type: 'text', value: (entry) => entry.reason ?? null },
  { name: 'direction', type: 'text', value: (entry) => entry.direction ?? null },
  { name: 'counterparty_account_id', type: 'text', value: (entry) => entry.counterpartyAccountId ?? null },
  { name: 'transfer_id', type: 'text', value: (entry) => entry.transferId ?? null },
  { name: 'actor', type: 'text', value: (entry) => entry.actor ?? null },
  { name: 'balance_after', type: 'bigint', value: (entry) => entry.balanceAfter },
  { name: 'occurred_at', type: 'timestamptz', value: (entry) => entry.occurredAt },
];

export const summaryColumns = summaryColumnList.map((column) => column.name).join(', ');
export const statementColumns = statementColumnList.map((column) => column.name).join(', ');

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
  assert.ok(row.direction === null || row.direction === 'credit' || row.direction === 'debit', `unknown direction ${row.direction}`);
  return {
    eventId: row.event_id,
    accountId: row.account_id,
    streamVersion: row.stream_version,
    eventType: row.event_type,
    ...(row.amount !== null && { amount: minorUnits(row.amount, 'amount') }),
    ...(row.currency !== null && { currency: row.currency }),
    ...(row.transaction_id !== null && { transactionId: row.transaction_id }),
    ...(row.reason !== null && { reason: row.reason }),
    ...(row.direction !== null && { direction: row.direction }),
    ...(row.counterparty_account_id !== null && { counterpartyAccountId: row.counterparty_account_id }),
    ...(row.transfer_id !== null && { transferId: row.transfer_id }),
    ...(row.actor !== null && { actor: row.actor }),
    balanceAfter: minorUnits(row.balance_after, 'balance_after'),
    occurredAt: row.occurred_at.toISOString(),
  };
}

/** Inserts entries; a row already there (same account and version) is left as it is. */
export async function insertEntries(client: SqlClient, table: StatementTable, entries: readonly StatementEntry[]): Promise<void> {
  await insertUnnest(client, table, statementColumnList, entries, 'on conflict (account_id, stream_version) do nothing');
}

/** Upserts summary rows; a row only ever moves forward (see forwardOnly). */
export async function upsertSummaries(client: SqlClient, table: SummaryTable, summaries: readonly AccountSummaryRow[]): Promise<void> {
  await insertUnnest(client, table, summaryColumnList, summaries, forwardOnly('account_id', summaryColumnList));
}
