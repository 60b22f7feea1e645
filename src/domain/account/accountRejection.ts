// Business rejections of account commands, in precedence order: when several rules are broken,
// decide() reports the first one in this list.

export const accountRejectionCodes = [
  'account_already_exists',
  'account_not_found',
  'currency_mismatch',
  'account_already_frozen',
  'account_not_frozen',
  'account_frozen',
  'hold_not_found',
  'holds_limit_exceeded',
  'insufficient_funds',
  'balance_limit_exceeded',
] as const;

export type AccountRejectionCode = (typeof accountRejectionCodes)[number];

export interface AccountRejection {
  rejected: AccountRejectionCode;
  detail: string;
}

export function reject(code: AccountRejectionCode, detail: string): AccountRejection {
  return { rejected: code, detail };
}
