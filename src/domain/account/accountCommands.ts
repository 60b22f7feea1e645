// What a client can ask of one account. Validation of shape happens at the edge (zod);
// the decider re-checks only business rules.

export interface OpenAccount {
  type: 'OpenAccount';
  accountId: string;
  ownerId: string;
  currency: string;
}
export interface DepositMoney {
  type: 'DepositMoney';
  accountId: string;
  amount: number;
  currency: string;
  transactionId: string;
}
export interface WithdrawMoney {
  type: 'WithdrawMoney';
  accountId: string;
  amount: number;
  currency: string;
  transactionId: string;
}
export interface FreezeAccount {
  type: 'FreezeAccount';
  accountId: string;
  reason: string;
}
export interface UnfreezeAccount {
  type: 'UnfreezeAccount';
  accountId: string;
}

// Transfer legs. Only the transfer process manager sends these; their ids (holdId, derived keys)
// live in a namespace client ids cannot use (see src/domain/transfer/transferIds.ts).
export interface PlaceHold {
  type: 'PlaceHold';
  accountId: string;
  holdId: string;
  transferId: string;
  amount: number;
  currency: string;
  counterpartyId: string;
}
export interface CaptureHold {
  type: 'CaptureHold';
  accountId: string;
  holdId: string;
}
export interface ReleaseHold {
  type: 'ReleaseHold';
  accountId: string;
  holdId: string;
  reason: string;
}
export interface CreditTransfer {
  type: 'CreditTransfer';
  accountId: string;
  transferId: string;
  amount: number;
  currency: string;
  counterpartyId: string;
}

export type AccountCommand =
  | OpenAccount
  | DepositMoney
  | WithdrawMoney
  | FreezeAccount
  | UnfreezeAccount
  | PlaceHold
  | CaptureHold
  | ReleaseHold
  | CreditTransfer;
export type MoneyCommand = DepositMoney | WithdrawMoney;
