// The public shape of an account in command responses (seed field names, plus availableBalance).
import { AccountState, availableBalance } from '../domain/account/accountState';
import { AccountSummaryRow } from '../ports/readModel';

/** The read model's summary row, except that timestamps are null before the account exists. */
export interface AccountView extends Omit<AccountSummaryRow, 'createdAt' | 'updatedAt'>, Record<string, unknown> {
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
    availableBalance: availableBalance(state),
    version: state.version,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
  };
}
