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

/** Funds reserved on the source account of a transfer: the available balance drops, the balance does not. */
export interface HoldPlaced {
  type: 'HoldPlaced';
  data: { accountId: string; holdId: string; transferId: string; amount: number; currency: string; counterpartyId: string };
}
/** The transfer's debit leg: the hold becomes a real withdrawal to the counterparty. */
export interface HoldCaptured {
  type: 'HoldCaptured';
  data: { accountId: string; holdId: string; transferId: string; amount: number; currency: string; counterpartyId: string };
}
/** The hold is given back without any movement (the transfer failed). */
export interface HoldReleased {
  type: 'HoldReleased';
  data: { accountId: string; holdId: string; transferId: string; amount: number; currency: string; reason: string };
}
/** The transfer's credit leg on the destination account. */
export interface TransferCredited {
  type: 'TransferCredited';
  data: { accountId: string; transferId: string; amount: number; currency: string; counterpartyId: string };
}

export type AccountEvent =
  | AccountCreated
  | MoneyDeposited
  | MoneyWithdrawn
  | AccountFrozen
  | AccountUnfrozen
  | HoldPlaced
  | HoldCaptured
  | HoldReleased
  | TransferCredited;
export type AccountEventType = AccountEvent['type'];

export const accountEventTypes: readonly AccountEventType[] = [
  'AccountCreated',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'AccountFrozen',
  'AccountUnfrozen',
  'HoldPlaced',
  'HoldCaptured',
  'HoldReleased',
  'TransferCredited',
];

export function accountStreamId(accountId: string): string {
  return `account-${accountId}`;
}
