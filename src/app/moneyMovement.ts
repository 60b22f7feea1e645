// The money movement a command records under a business transaction id: deposits and withdrawals
// under the client's transactionId, a transfer's hold and credit under ids derived from the
// transfer. A repeat of the same id with the same movement replays its outcome; any other use of
// the id is a conflict. Capture and release move nothing new (they settle a hold) and record none.
import { AccountCommand } from '../domain/account/accountCommands';
import { legTransactionIdOf } from '../domain/transfer/transferIds';
import { MoneyMovementKind, TransactionRecord } from '../ports/commandRecords';

export interface Movement {
  transactionId: string;
  accountId: string;
  kind: MoneyMovementKind;
  amount: number;
  currency: string;
}

export function movementOf(command: AccountCommand): Movement | null {
  const { accountId } = command;
  switch (command.type) {
    case 'DepositMoney':
    case 'WithdrawMoney': {
      const kind = command.type === 'DepositMoney' ? 'deposit' : 'withdrawal';
      return { transactionId: command.transactionId, accountId, kind, amount: command.amount, currency: command.currency };
    }
    case 'PlaceHold':
      return { transactionId: legTransactionIdOf(command.transferId, 'hold'), accountId, kind: 'transfer_hold', amount: command.amount, currency: command.currency };
    case 'CreditTransfer':
      return { transactionId: legTransactionIdOf(command.transferId, 'credit'), accountId, kind: 'transfer_credit', amount: command.amount, currency: command.currency };
    default:
      return null;
  }
}

export function sameMovement(record: TransactionRecord, movement: Movement): boolean {
  return (
    record.accountId === movement.accountId &&
    record.kind === movement.kind &&
    record.amount === movement.amount &&
    record.currency === movement.currency
  );
}
