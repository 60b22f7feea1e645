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

export type AccountCommand = OpenAccount | DepositMoney | WithdrawMoney | FreezeAccount | UnfreezeAccount;
export type MoneyCommand = DepositMoney | WithdrawMoney;

export function isMoneyCommand(command: AccountCommand): command is MoneyCommand {
  return command.type === 'DepositMoney' || command.type === 'WithdrawMoney';
}
