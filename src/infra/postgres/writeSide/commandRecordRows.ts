// Maps rows of idempotency_records and transaction_records to the port's records. amount is int8:
// it arrives as a string and becomes a number only after checking it is a safe integer.
//
// response is a json column (migration 3) holding the text JSON.stringify made of the body the
// client was sent; node-postgres hands it over JSON.parse'd. A replay serializes that object again,
// and gets the same bytes: JSON.parse keeps the text's key order (integer-like keys, which every JS
// object lists first in ascending order, already come first in JSON.stringify's output), numbers
// re-serialize to the shortest text that parses to the same double (the text they came from), and
// strings to the same escapes. test/store/eventStoreContract.ts checks it on an awkward body.
import assert from 'node:assert/strict';
import { IdempotencyRecord, MoneyMovementKind, TransactionRecord } from '../../../ports/commandRecords';

export interface IdempotencyRow {
  idempotency_key: string;
  request_hash: string;
  operation: string;
  status_code: number;
  response: Record<string, unknown>;
  created_at: Date;
}

export interface TransactionRow {
  transaction_id: string;
  account_id: string;
  kind: MoneyMovementKind;
  amount: string;
  currency: string;
  stream_version: number;
  status_code: number;
  response: Record<string, unknown>;
  created_at: Date;
}

export function toIdempotencyRecord(row: IdempotencyRow): IdempotencyRecord {
  return {
    key: row.idempotency_key,
    requestHash: row.request_hash,
    operation: row.operation,
    response: { status: row.status_code, body: row.response },
    createdAt: row.created_at.toISOString(),
  };
}

export function toTransactionRecord(row: TransactionRow): TransactionRecord {
  const amount = Number(row.amount);
  assert.ok(Number.isSafeInteger(amount), `transaction ${row.transaction_id} has an amount beyond 2^53-1: ${row.amount}`);
  return {
    transactionId: row.transaction_id,
    accountId: row.account_id,
    kind: row.kind,
    amount,
    currency: row.currency,
    streamVersion: row.stream_version,
    response: { status: row.status_code, body: row.response },
    createdAt: row.created_at.toISOString(),
  };
}
