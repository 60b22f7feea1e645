// Given/when/then tests of the account decider, with one rejection table covering every code.
import { expect } from 'chai';
import { decide, evolve } from '../../src/domain/account/accountDecider';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { AccountEvent } from '../../src/domain/account/accountEvents';
import { AccountRejectionCode, accountRejectionCodes } from '../../src/domain/account/accountRejection';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';
import { isValidAmount } from '../../src/domain/money';
import { limits } from '../../src/config/limits';
import { deciderSpec } from '../support/deciderSpec';

const at = '2026-01-01T00:00:00.000Z';
const id = 'acc-1';
const MAX = Number.MAX_SAFE_INTEGER;

const account = deciderSpec<AccountCommand, AccountEvent, AccountState, AccountRejectionCode>({
  decide,
  evolve,
  initialState: () => initialAccountState(id),
  versionOf: (state) => state.version,
  at,
});
/** The state the events fold to (for the rejection table's rows and evolve's own tests). */
const given = (...events: AccountEvent[]): AccountState => account.given(...events).state;
const created: AccountEvent = { type: 'AccountCreated', data: { accountId: id, ownerId: 'u-1', currency: 'USD' } };
const deposited = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId: id, amount, currency: 'USD', transactionId: `t-${amount}` },
});
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId: id, reason: 'review' } };
const deposit = (amount: number, currency = 'USD'): AccountCommand => ({ type: 'DepositMoney', accountId: id, amount, currency, transactionId: 'tx' });
const withdraw = (amount: number, currency = 'USD'): AccountCommand => ({ type: 'WithdrawMoney', accountId: id, amount, currency, transactionId: 'tx' });

const placeHold = (holdId: string, amount: number): AccountCommand => ({
  type: 'PlaceHold',
  accountId: id,
  holdId,
  transferId: holdId.slice('~transfer:'.length),
  amount,
  currency: 'USD',
  counterpartyId: 'acc-2',
});
/** An account with `count` open holds of 1 each (built directly: folding thousands of events is slow). */
function withOpenHolds(count: number): AccountState {
  const state = given(created, deposited(count + 10));
  const holds: AccountState['holds'] = {};
  for (let index = 0; index < count; index += 1) holds[`~transfer:h${index}`] = { transferId: `h${index}`, amount: 1, counterpartyId: 'acc-2' };
  return { ...state, holds, held: count };
}

describe('account decider', () => {
  describe('accepts', () => {
    it('opens a new account', () => {
      account.given().when({ type: 'OpenAccount', accountId: id, ownerId: 'u-1', currency: 'USD' }).then([created]);
    });
    it('deposits 1 and up to exactly the money bound', () => {
      account.given(created).when(deposit(1)).then([{ type: 'MoneyDeposited', data: { accountId: id, amount: 1, currency: 'USD', transactionId: 'tx' } }]);
      account
        .given(created, deposited(10))
        .when(deposit(MAX - 10))
        .then([{ type: 'MoneyDeposited', data: { accountId: id, amount: MAX - 10, currency: 'USD', transactionId: 'tx' } }]);
    });
    it('withdraws exactly the balance', () => {
      account
        .given(created, deposited(500))
        .when(withdraw(500))
        .then([{ type: 'MoneyWithdrawn', data: { accountId: id, amount: 500, currency: 'USD', transactionId: 'tx' } }]);
    });
    it('freezes an active account and unfreezes a frozen one', () => {
      account.given(created).when({ type: 'FreezeAccount', accountId: id, reason: 'r' }).then([{ type: 'AccountFrozen', data: { accountId: id, reason: 'r' } }]);
      account.given(created, frozen).when({ type: 'UnfreezeAccount', accountId: id }).then([{ type: 'AccountUnfrozen', data: { accountId: id } }]);
    });
  });

  describe('rejects', () => {
    const table: Array<{ code: AccountRejectionCode; state: AccountState; command: AccountCommand }> = [
      { code: 'account_already_exists', state: given(created), command: { type: 'OpenAccount', accountId: id, ownerId: 'u', currency: 'USD' } },
      { code: 'account_not_found', state: given(), command: deposit(10) },
      { code: 'currency_mismatch', state: given(created), command: deposit(10, 'EUR') },
      { code: 'account_already_frozen', state: given(created, frozen), command: { type: 'FreezeAccount', accountId: id, reason: 'r' } },
      { code: 'account_not_frozen', state: given(created), command: { type: 'UnfreezeAccount', accountId: id } },
      { code: 'account_frozen', state: given(created, deposited(100), frozen), command: withdraw(10) },
      { code: 'hold_not_found', state: given(created, deposited(100)), command: { type: 'CaptureHold', accountId: id, holdId: '~transfer:none' } },
      { code: 'holds_limit_exceeded', state: withOpenHolds(limits.openHoldsPerAccountMax), command: placeHold('~transfer:one-more', 1) },
      { code: 'insufficient_funds', state: given(created, deposited(100)), command: withdraw(101) },
      { code: 'balance_limit_exceeded', state: given(created, deposited(MAX)), command: deposit(1) },
    ];
    for (const row of table) {
      it(`${row.command.type} → ${row.code}`, () => {
        account.givenState(row.state).when(row.command).thenRejects(row.code);
      });
    }
    it('has a row for every rejection code', () => {
      expect(table.map((row) => row.code)).to.have.members([...accountRejectionCodes]);
    });
    it('reports not-found before anything else for every command on a missing account', () => {
      const commands: AccountCommand[] = [deposit(1), withdraw(1), { type: 'FreezeAccount', accountId: id, reason: 'r' }, { type: 'UnfreezeAccount', accountId: id }];
      for (const command of commands) {
        account.given().when(command).thenRejects('account_not_found');
      }
    });
    it('reports currency mismatch before frozen (precedence order)', () => {
      account.given(created, frozen).when(deposit(1, 'EUR')).thenRejects('currency_mismatch');
    });
    it('withdrawing from an empty account is insufficient funds, balance + 1 too', () => {
      account.given(created).when(withdraw(1)).thenRejects('insufficient_funds');
      account.given(created, deposited(7)).when(withdraw(8)).thenRejects('insufficient_funds');
    });
  });

  describe('evolve', () => {
    it('folds balance, status, version and timestamps', () => {
      const state = given(created, deposited(100), { type: 'MoneyWithdrawn', data: { accountId: id, amount: 30, currency: 'USD', transactionId: 'w' } }, frozen);
      expect(state).to.include({ balance: 70, status: 'FROZEN', version: 4, ownerId: 'u-1', currency: 'USD', createdAt: at });
    });
    it('asserts that versions follow each other', () => {
      expect(() => evolve(given(created), deposited(1), 5, at)).to.throw(/does not follow/);
    });
    it('asserts there is no overdraft in the stream', () => {
      const overdraft: AccountEvent = { type: 'MoneyWithdrawn', data: { accountId: id, amount: 1, currency: 'USD', transactionId: 'w' } };
      expect(() => given(created, overdraft)).to.throw(/held funds/);
    });
  });

  it('money bounds: 1 and 2^53-1 accepted, 0, fractions, negatives and 2^53 refused', () => {
    expect([1, MAX].map(isValidAmount)).to.deep.equal([true, true]);
    expect([0, 1.5, 2 ** 53, -1, '5'].map(isValidAmount)).to.deep.equal([false, false, false, false, false]);
  });
});
