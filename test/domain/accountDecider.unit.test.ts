// Given/when/then tests of the account decider, with one rejection table covering every code.
import { expect } from 'chai';
import { decide, evolve, isRejection } from '../../src/domain/account/accountDecider';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { AccountEvent } from '../../src/domain/account/accountEvents';
import { AccountRejectionCode, accountRejectionCodes } from '../../src/domain/account/accountRejection';
import { AccountState, initialAccountState } from '../../src/domain/account/accountState';
import { isValidAmount } from '../../src/domain/money';
import { limits } from '../../src/config/limits';

const at = '2026-01-01T00:00:00.000Z';
const id = 'acc-1';
const MAX = Number.MAX_SAFE_INTEGER;

function given(...events: AccountEvent[]): AccountState {
  return events.reduce((state, event, index) => evolve(state, event, index + 1, at), initialAccountState(id));
}
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
      const decision = decide({ type: 'OpenAccount', accountId: id, ownerId: 'u-1', currency: 'USD' }, given());
      expect(decision).to.deep.equal({ events: [created] });
    });
    it('deposits 1 and up to exactly the money bound', () => {
      expect(decide(deposit(1), given(created))).to.deep.equal({
        events: [{ type: 'MoneyDeposited', data: { accountId: id, amount: 1, currency: 'USD', transactionId: 'tx' } }],
      });
      expect(isRejection(decide(deposit(MAX - 10), given(created, deposited(10))))).to.equal(false);
    });
    it('withdraws exactly the balance', () => {
      const decision = decide(withdraw(500), given(created, deposited(500)));
      expect(decision).to.deep.equal({
        events: [{ type: 'MoneyWithdrawn', data: { accountId: id, amount: 500, currency: 'USD', transactionId: 'tx' } }],
      });
    });
    it('freezes an active account and unfreezes a frozen one', () => {
      expect(decide({ type: 'FreezeAccount', accountId: id, reason: 'r' }, given(created))).to.deep.equal({
        events: [{ type: 'AccountFrozen', data: { accountId: id, reason: 'r' } }],
      });
      expect(decide({ type: 'UnfreezeAccount', accountId: id }, given(created, frozen))).to.deep.equal({
        events: [{ type: 'AccountUnfrozen', data: { accountId: id } }],
      });
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
        const decision = decide(row.command, row.state);
        expect(isRejection(decision) && decision.rejected).to.equal(row.code);
      });
    }
    it('has a row for every rejection code', () => {
      expect(table.map((row) => row.code)).to.have.members([...accountRejectionCodes]);
    });
    it('reports not-found before anything else for every command on a missing account', () => {
      const commands: AccountCommand[] = [deposit(1), withdraw(1), { type: 'FreezeAccount', accountId: id, reason: 'r' }, { type: 'UnfreezeAccount', accountId: id }];
      for (const command of commands) {
        const decision = decide(command, given());
        expect(isRejection(decision) && decision.rejected).to.equal('account_not_found');
      }
    });
    it('reports currency mismatch before frozen (precedence order)', () => {
      const decision = decide(deposit(1, 'EUR'), given(created, frozen));
      expect(isRejection(decision) && decision.rejected).to.equal('currency_mismatch');
    });
    it('withdrawing from an empty account is insufficient funds, balance + 1 too', () => {
      for (const [state, amount] of [[given(created), 1], [given(created, deposited(7)), 8]] as const) {
        const decision = decide(withdraw(amount), state);
        expect(isRejection(decision) && decision.rejected).to.equal('insufficient_funds');
      }
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
