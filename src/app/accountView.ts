// The public shape of an account in command responses (seed field names, plus availableBalance).
import { AccountState } from '../domain/account/accountState';

export interface AccountView extends Record<string, unknown> {
  accountId: string;
  ownerId: string;
  currency: string;
  status: 'ACTIVE' | 'FROZEN';
  balance: number;
  availableBalance: number;
  version: number;
  createdAt: string | null;
  updatedAt: string | null;
}

export function accountView(state: AccountState): AccountView {
  return {
    accountId: state.accountId,
    ownerId: state.ownerId,
    currency: state.currency,
    status: state.status === 'FROZEN' ? 'FROZEN' : 'ACTIVE',
    balance: state.balance,
    availableBalance: state.balance,
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
