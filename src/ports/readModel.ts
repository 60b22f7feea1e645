// The query side's read models, kept by the projector actors and read by the HTTP gateway.
// Adapters: Postgres (src/infra/postgres/postgresReadModel.ts) and in-memory.

export interface AccountSummaryRow {
  accountId: string;
  ownerId: string;
  currency: string;
  status: 'ACTIVE' | 'FROZEN';
  balance: number;
  availableBalance: number;
  /** Stream version of the last event applied. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface StatementEntry {
  eventId: string;
  accountId: string;
  streamVersion: number;
  eventType: string;
  amount?: number;
  currency?: string;
  transactionId?: string;
  reason?: string;
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
