// The in-memory state of one account, folded from its events. Also the snapshot payload.

export type AccountStatus = 'NONE' | 'ACTIVE' | 'FROZEN';

export interface AccountState {
  accountId: string;
  ownerId: string;
  currency: string;
  status: AccountStatus;
  balance: number;
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
    version: 0,
    createdAt: null,
    updatedAt: null,
  };
}

/** Bumped whenever AccountState's shape changes; snapshots of another schema are ignored. */
export const accountSnapshotSchemaVersion = 1;
