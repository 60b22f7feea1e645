// The Emmett peer's account, written as Emmett's docs and samples write a decider: commands and
// events as Emmett `Command` / `Event` types, `decide` returning the event or throwing Emmett's
// IllegalStateError for a broken business rule (the samples' way; the HTTP layer maps it to 403),
// `evolve` folding events into the state and `initialState` for a stream that does not exist yet.
// It is the bench's peer, not Acta's domain: it covers open, deposit and withdraw, nothing more.
import { IllegalStateError, type Command, type Event } from '@event-driven-io/emmett';

export type AccountOpened = Event<'AccountOpened', { accountId: string; ownerId: string; currency: string; openedAt: Date }>;
export type MoneyDeposited = Event<'MoneyDeposited', { accountId: string; amount: number; currency: string; transactionId: string; depositedAt: Date }>;
export type MoneyWithdrawn = Event<'MoneyWithdrawn', { accountId: string; amount: number; currency: string; transactionId: string; withdrawnAt: Date }>;
export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn;

/** Time comes in with the command, as in Emmett's samples (`metadata.now`). */
type CommandMetadata = { now: Date };
export type OpenAccount = Command<'OpenAccount', { accountId: string; ownerId: string; currency: string }, CommandMetadata>;
export type DepositMoney = Command<'DepositMoney', { accountId: string; amount: number; currency: string; transactionId: string }, CommandMetadata>;
export type WithdrawMoney = Command<'WithdrawMoney', { accountId: string; amount: number; currency: string; transactionId: string }, CommandMetadata>;
export type AccountCommand = OpenAccount | DepositMoney | WithdrawMoney;

export type Account = { status: 'Empty' } | { status: 'Open'; currency: string; balance: number };

export const initialState = (): Account => ({ status: 'Empty' });

export const evolve = (state: Account, { type, data }: AccountEvent): Account => {
  switch (type) {
    case 'AccountOpened':
      return { status: 'Open', currency: data.currency, balance: 0 };
    case 'MoneyDeposited':
      return state.status === 'Open' ? { ...state, balance: state.balance + data.amount } : state;
    case 'MoneyWithdrawn':
      return state.status === 'Open' ? { ...state, balance: state.balance - data.amount } : state;
    default: {
      // Every event type is handled above; a new one fails to compile here.
      const unknown: never = type;
      return unknown;
    }
  }
};

const openAccount = ({ data, metadata }: OpenAccount, state: Account): AccountOpened => {
  if (state.status !== 'Empty') throw new IllegalStateError('account_already_exists');
  return { type: 'AccountOpened', data: { ...data, openedAt: metadata.now } };
};

/** The open account a movement applies to, in its currency; throws the rule it breaks. */
const openInCurrency = (state: Account, currency: string): { currency: string; balance: number } => {
  if (state.status !== 'Open') throw new IllegalStateError('account_not_found');
  if (state.currency !== currency) throw new IllegalStateError('currency_mismatch');
  return state;
};

const depositMoney = ({ data, metadata }: DepositMoney, state: Account): MoneyDeposited => {
  openInCurrency(state, data.currency);
  return { type: 'MoneyDeposited', data: { ...data, depositedAt: metadata.now } };
};

const withdrawMoney = ({ data, metadata }: WithdrawMoney, state: Account): MoneyWithdrawn => {
  const account = openInCurrency(state, data.currency);
  if (account.balance < data.amount) throw new IllegalStateError('insufficient_funds');
  return { type: 'MoneyWithdrawn', data: { ...data, withdrawnAt: metadata.now } };
};

export const decide = (command: AccountCommand, state: Account): AccountEvent => {
  const { type } = command;
  switch (type) {
    case 'OpenAccount':
      return openAccount(command, state);
    case 'DepositMoney':
      return depositMoney(command, state);
    case 'WithdrawMoney':
      return withdrawMoney(command, state);
    default: {
      const _unknown: never = type;
      throw new IllegalStateError(`unknown command ${String(_unknown)}`);
    }
  }
};

/** Emmett's samples name streams `<type>:<id>`; the balance document takes the same id. */
export const accountStreamName = (accountId: string): string => `account:${accountId}`;
