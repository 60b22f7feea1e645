// Records written in the same transaction as the events of a command, so that the command's
// outcome, its Idempotency-Key and its business transaction id can never disagree.

/** The response a command produced, replayed verbatim for a retry. */
export interface RecordedResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface IdempotencyRecord {
  key: string;
  /** Hash of the operation and the canonical request payload. */
  requestHash: string;
  operation: string;
  response: RecordedResponse;
  createdAt: string;
}

export type MoneyMovementKind = 'deposit' | 'withdrawal';

export interface TransactionRecord {
  transactionId: string;
  accountId: string;
  kind: MoneyMovementKind;
  amount: number;
  currency: string;
  streamVersion: number;
  response: RecordedResponse;
  createdAt: string;
}
