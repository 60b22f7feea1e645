// The in-memory state of one account, folded from its events. Also the snapshot payload.

export type AccountStatus = 'NONE' | 'ACTIVE' | 'FROZEN';

/** Funds reserved for a transfer that has not been captured or released yet. */
export interface OpenHold {
  transferId: string;
  amount: number;
  counterpartyId: string;
}

export interface AccountState {
  accountId: string;
  ownerId: string;
  currency: string;
  status: AccountStatus;
  /** Ledger balance: deposits and credits minus withdrawals and captured holds. */
  balance: number;
  /** Sum of open holds; availableBalance = balance − held. */
  held: number;
  /** Open holds by hold id. */
  holds: Record<string, OpenHold>;
  /** Stream version of the last event folded in; 0 before the account exists. */
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export function initialAccountState(accountId: string): AccountState {
  return {
    accountId,
    ownerId: '',
    currency: '',
    status: 'NONE',
    balance: 0,
    held: 0,
    holds: {},
    version: 0,
    createdAt: null,
    updatedAt: null,
  };
}

/** Bumped whenever AccountState's shape changes; snapshots of another schema are ignored. */
export const accountSnapshotSchemaVersion = 2;

/** What the account can still spend or hold: the balance minus open holds. */
export function availableBalance(state: Pick<AccountState, 'balance' | 'held'>): number {
  return state.balance - state.held;
}
