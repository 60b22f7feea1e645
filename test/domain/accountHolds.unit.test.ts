// Holds on the account decider: place, capture, release; available versus ledger balance;
// idempotent repeats; transfer credits.
import { expect } from 'chai';
import { decide, evolve, isRejection } from '../../src/domain/account/accountDecider';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { AccountEvent } from '../../src/domain/account/accountEvents';
import { AccountState, availableBalance, initialAccountState } from '../../src/domain/account/accountState';

const at = '2026-01-01T00:00:00.000Z';
const id = 'acc-1';
const holdId = '~transfer:t-1';

function fold(state: AccountState, ...events: AccountEvent[]): AccountState {
  return events.reduce((current, event) => evolve(current, event, current.version + 1, at), state);
}
function given(...events: AccountEvent[]): AccountState {
  return fold(initialAccountState(id), ...events);
}
/** Decides and folds; fails the test on a rejection. */
function apply(state: AccountState, command: AccountCommand): AccountState {
  const decision = decide(command, state);
  if (isRejection(decision)) throw new Error(`unexpected rejection ${decision.rejected}`);
  return fold(state, ...decision.events);
}
function rejection(state: AccountState, command: AccountCommand): string | null {
  const decision = decide(command, state);
  return isRejection(decision) ? decision.rejected : null;
}

const created: AccountEvent = { type: 'AccountCreated', data: { accountId: id, ownerId: 'u-1', currency: 'EUR' } };
const deposited = (amount: number): AccountEvent => ({ type: 'MoneyDeposited', data: { accountId: id, amount, currency: 'EUR', transactionId: `d-${amount}` } });
const frozen: AccountEvent = { type: 'AccountFrozen', data: { accountId: id, reason: 'review' } };
const place = (amount: number, hold = holdId): AccountCommand => ({
  type: 'PlaceHold',
  accountId: id,
  holdId: hold,
  transferId: hold.slice('~transfer:'.length),
  amount,
  currency: 'EUR',
  counterpartyId: 'acc-2',
});
const capture = (hold = holdId): AccountCommand => ({ type: 'CaptureHold', accountId: id, holdId: hold });
const release = (hold = holdId): AccountCommand => ({ type: 'ReleaseHold', accountId: id, holdId: hold, reason: 'account_frozen' });
const withdraw = (amount: number): AccountCommand => ({ type: 'WithdrawMoney', accountId: id, amount, currency: 'EUR', transactionId: 'w' });
const credit = (amount: number, currency = 'EUR'): AccountCommand => ({
  type: 'CreditTransfer',
  accountId: id,
  transferId: 't-9',
  amount,
  currency,
  counterpartyId: 'acc-2',
});

describe('account decider: holds and transfer legs', () => {
  it('placing a hold lowers the available balance, not the balance', () => {
    const state = apply(given(created, deposited(100)), place(30));
    expect(state).to.include({ balance: 100, held: 30 });
    expect(availableBalance(state)).to.equal(70);
    expect(state.holds[holdId]).to.deep.equal({ transferId: 't-1', amount: 30, counterpartyId: 'acc-2' });
  });

  it('HoldPlaced carries the transfer, amount and counterparty', () => {
    expect(decide(place(30), given(created, deposited(100)))).to.deep.equal({
      events: [{ type: 'HoldPlaced', data: { accountId: id, holdId, transferId: 't-1', amount: 30, currency: 'EUR', counterpartyId: 'acc-2' } }],
    });
  });

  it('capturing a hold moves the money: balance and held both drop', () => {
    const state = apply(apply(given(created, deposited(100)), place(30)), capture());
    expect(state).to.include({ balance: 70, held: 0 });
    expect(state.holds).to.deep.equal({});
  });

  it('releasing a hold gives the funds back: balance unchanged, nothing held', () => {
    const state = apply(apply(given(created, deposited(100)), place(30)), release());
    expect(state).to.include({ balance: 100, held: 0 });
    expect(availableBalance(state)).to.equal(100);
    expect(decide(release(), apply(given(created, deposited(100)), place(30)))).to.deep.equal({
      events: [{ type: 'HoldReleased', data: { accountId: id, holdId, transferId: 't-1', amount: 30, currency: 'EUR', reason: 'account_frozen' } }],
    });
  });

  it('a hold needs available funds: held money cannot be held or withdrawn twice', () => {
    const state = apply(given(created, deposited(100)), place(60));
    expect(rejection(state, place(41, '~transfer:t-2'))).to.equal('insufficient_funds');
    expect(rejection(state, withdraw(41))).to.equal('insufficient_funds');
    expect(rejection(state, place(40, '~transfer:t-2'))).to.equal(null);
    expect(rejection(state, withdraw(40))).to.equal(null);
  });

  it('placing the same open hold again is an idempotent no-op', () => {
    const state = apply(given(created, deposited(100)), place(30));
    expect(decide(place(30), state)).to.deep.equal({ events: [] });
  });

  it('capture or release of a hold that is not open is hold_not_found (already settled or never placed)', () => {
    const settled = apply(apply(given(created, deposited(100)), place(30)), capture());
    expect(rejection(settled, capture())).to.equal('hold_not_found');
    expect(rejection(settled, release())).to.equal('hold_not_found');
    expect(rejection(given(created), release('~transfer:never'))).to.equal('hold_not_found');
  });

  it('a frozen account refuses new holds but still settles the open ones', () => {
    const held = apply(given(created, deposited(100)), place(30));
    const frozenWithHold = fold(held, frozen);
    expect(rejection(frozenWithHold, place(10, '~transfer:t-2'))).to.equal('account_frozen');
    expect(apply(frozenWithHold, capture())).to.include({ balance: 70, held: 0 });
    expect(apply(frozenWithHold, release())).to.include({ balance: 100, held: 0 });
  });

  it('holds check the currency and that the account exists', () => {
    expect(rejection(given(), place(1))).to.equal('account_not_found');
    expect(rejection(given(created, deposited(10)), { ...place(1), currency: 'USD' } as AccountCommand)).to.equal('currency_mismatch');
  });

  it('a transfer credit raises the balance; frozen, other currency and the money bound refuse it', () => {
    expect(apply(given(created, deposited(5)), credit(20))).to.include({ balance: 25, held: 0 });
    expect(rejection(given(created, frozen), credit(20))).to.equal('account_frozen');
    expect(rejection(given(created), credit(20, 'USD'))).to.equal('currency_mismatch');
    expect(rejection(given(created, deposited(Number.MAX_SAFE_INTEGER)), credit(1))).to.equal('balance_limit_exceeded');
  });

  it('evolve refuses a stream where a hold exceeds the balance or a capture has no hold', () => {
    const overHold: AccountEvent = { type: 'HoldPlaced', data: { accountId: id, holdId, transferId: 't-1', amount: 11, currency: 'EUR', counterpartyId: 'x' } };
    expect(() => given(created, deposited(10), overHold)).to.throw(/hold above the balance/);
    const orphan: AccountEvent = { type: 'HoldCaptured', data: { accountId: id, holdId, transferId: 't-1', amount: 1, currency: 'EUR', counterpartyId: 'x' } };
    expect(() => given(created, deposited(10), orphan)).to.throw(/not open/);
  });
});
