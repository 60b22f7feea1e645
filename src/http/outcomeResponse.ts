// HTTP status of each business rejection. insufficient_funds stays 400 for seed compatibility.
import { AccountRejectionCode } from '../domain/account/accountRejection';

export const rejectionStatus: Record<AccountRejectionCode, number> = {
  account_already_exists: 409,
  account_not_found: 404,
  currency_mismatch: 422,
  account_already_frozen: 409,
  account_not_frozen: 409,
  account_frozen: 409,
  hold_not_found: 409,
  holds_limit_exceeded: 422,
  insufficient_funds: 400,
  balance_limit_exceeded: 422,
};
