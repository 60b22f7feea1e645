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

/**
 * `void` marks a transfer leg the transfer gave up on: it takes the leg's transaction id so the leg
 * can never commit afterwards (see src/domain/transfer/transferDecider.ts).
 */
export const moneyMovementKinds = ['deposit', 'withdrawal', 'transfer_hold', 'transfer_credit', 'void'] as const;
export type MoneyMovementKind = (typeof moneyMovementKinds)[number];

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
