// The query side's read models, kept by the projector actors and read by the HTTP gateway.
// Adapters: Postgres (src/infra/postgres/readSide/postgresReadModel.ts) and in-memory.

export interface AccountSummaryRow {
  accountId: string;
  ownerId: string;
  currency: string;
  status: 'ACTIVE' | 'FROZEN';
  balance: number;
  /** The balance minus open transfer holds: what the account can still spend. */
  availableBalance: number;
  /** Stream version of the last event applied. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Which way a transfer leg moved the balance. */
export type EntryDirection = 'credit' | 'debit';

/**
 * One row per event of the account's stream. Optional fields are absent when the event has none.
 * A hold being placed or released moves no money: its entry carries the amount and the transfer but
 * no direction, and balanceAfter stays as it was (the summary's availableBalance shows the hold).
 */
export interface StatementEntry {
  eventId: string;
  accountId: string;
  streamVersion: number;
  eventType: string;
  amount?: number;
  currency?: string;
  transactionId?: string;
  reason?: string;
  /** Transfer legs only: credit raised the balance (TransferCredited), debit lowered it (HoldCaptured). */
  direction?: EntryDirection;
  /** Transfer entries: the account on the other side of the transfer. */
  counterpartyAccountId?: string;
  /** Transfer entries (holds and legs): the transfer they belong to. */
  transferId?: string;
  /** Who issued the command, when the client said (the seed's optional `actor`). */
  actor?: string;
  /** Balance after this entry. */
  balanceAfter: number;
  occurredAt: string;
}

export interface HistoryPage {
  accountId: string;
  entries: StatementEntry[];
  total: number;
  limit: number;
  offset: number;
}

export interface AccountReadModel {
  summary(accountId: string): Promise<AccountSummaryRow | null>;
  /** Statement entries in stream order (oldest first). */
  history(accountId: string, limit: number, offset: number): Promise<HistoryPage | null>;
}
