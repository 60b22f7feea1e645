// The facts an account stream can hold. evolve() must stay total over every type ever stored.

export interface AccountCreated {
  type: 'AccountCreated';
  data: { accountId: string; ownerId: string; currency: string };
}
export interface MoneyDeposited {
  type: 'MoneyDeposited';
  data: { accountId: string; amount: number; currency: string; transactionId: string };
}
export interface MoneyWithdrawn {
  type: 'MoneyWithdrawn';
  data: { accountId: string; amount: number; currency: string; transactionId: string };
}
export interface AccountFrozen {
  type: 'AccountFrozen';
  data: { accountId: string; reason: string };
}
export interface AccountUnfrozen {
  type: 'AccountUnfrozen';
  data: { accountId: string };
}

export type AccountEvent = AccountCreated | MoneyDeposited | MoneyWithdrawn | AccountFrozen | AccountUnfrozen;
export type AccountEventType = AccountEvent['type'];

export const accountEventTypes: readonly AccountEventType[] = [
  'AccountCreated',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'AccountFrozen',
  'AccountUnfrozen',
];

export function accountStreamId(accountId: string): string {
  return `account-${accountId}`;
}
