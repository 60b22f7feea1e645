// Holds on the account decider: place, capture, release; available versus ledger balance;
// idempotent repeats; transfer credits.
import { expect } from 'chai';
import { decide, evolve } from '../../src/domain/account/accountDecider';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { AccountEvent } from '../../src/domain/account/accountEvents';
import { AccountRejectionCode } from '../../src/domain/account/accountRejection';
import { AccountState, availableBalance, initialAccountState } from '../../src/domain/account/accountState';
import { deciderSpec } from '../support/deciderSpec';

const at = '2026-01-01T00:00:00.000Z';
const id = 'acc-1';
const holdId = '~transfer:t-1';

const account = deciderSpec<AccountCommand, AccountEvent, AccountState, AccountRejectionCode>({
  decide,
  evolve,
  initialState: () => initialAccountState(id),
  versionOf: (state) => state.version,
  at,
});
/** The state the events fold to (for evolve's own assertions). */
const given = (...events: AccountEvent[]): AccountState => account.given(...events).state;

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
  const funded = () => account.given(created, deposited(100));

  it('placing a hold lowers the available balance, not the balance', () => {
    const { state } = funded().accepting(place(30));
    expect(state).to.include({ balance: 100, held: 30 });
    expect(availableBalance(state)).to.equal(70);
    expect(state.holds[holdId]).to.deep.equal({ transferId: 't-1', amount: 30, counterpartyId: 'acc-2' });
  });

  it('HoldPlaced carries the transfer, amount and counterparty', () => {
    funded()
      .when(place(30))
      .then([{ type: 'HoldPlaced', data: { accountId: id, holdId, transferId: 't-1', amount: 30, currency: 'EUR', counterpartyId: 'acc-2' } }]);
  });

  it('capturing a hold moves the money: balance and held both drop', () => {
    const { state } = funded().accepting(place(30)).accepting(capture());
    expect(state).to.include({ balance: 70, held: 0 });
    expect(state.holds).to.deep.equal({});
  });

  it('releasing a hold gives the funds back: balance unchanged, nothing held', () => {
    const { state } = funded().accepting(place(30)).accepting(release());
    expect(state).to.include({ balance: 100, held: 0 });
    expect(availableBalance(state)).to.equal(100);
    funded()
      .accepting(place(30))
      .when(release())
      .then([{ type: 'HoldReleased', data: { accountId: id, holdId, transferId: 't-1', amount: 30, currency: 'EUR', reason: 'account_frozen' } }]);
  });

  it('a hold needs available funds: held money cannot be held or withdrawn twice', () => {
    const held = funded().accepting(place(60));
    held.when(place(41, '~transfer:t-2')).thenRejects('insufficient_funds');
    held.when(withdraw(41)).thenRejects('insufficient_funds');
    held.accepting(place(40, '~transfer:t-2'));
    held.accepting(withdraw(40));
  });

  it('placing the same open hold again is an idempotent no-op', () => {
    funded().accepting(place(30)).when(place(30)).then([]);
  });

  it('capture or release of a hold that is not open is hold_not_found (already settled or never placed)', () => {
    const settled = funded().accepting(place(30)).accepting(capture());
    settled.when(capture()).thenRejects('hold_not_found');
    settled.when(release()).thenRejects('hold_not_found');
    account.given(created).when(release('~transfer:never')).thenRejects('hold_not_found');
  });

  it('a frozen account refuses new holds but still settles the open ones', () => {
    const frozenWithHold = account.givenState(funded().accepting(place(30)).state, frozen);
    frozenWithHold.when(place(10, '~transfer:t-2')).thenRejects('account_frozen');
    expect(frozenWithHold.accepting(capture()).state).to.include({ balance: 70, held: 0 });
    expect(frozenWithHold.accepting(release()).state).to.include({ balance: 100, held: 0 });
  });

  it('holds check the currency and that the account exists', () => {
    account.given().when(place(1)).thenRejects('account_not_found');
    account.given(created, deposited(10)).when({ ...place(1), currency: 'USD' } as AccountCommand).thenRejects('currency_mismatch');
  });

  it('a transfer credit raises the balance; frozen, other currency and the money bound refuse it', () => {
    expect(account.given(created, deposited(5)).accepting(credit(20)).state).to.include({ balance: 25, held: 0 });
    account.given(created, frozen).when(credit(20)).thenRejects('account_frozen');
    account.given(created).when(credit(20, 'USD')).thenRejects('currency_mismatch');
    account.given(created, deposited(Number.MAX_SAFE_INTEGER)).when(credit(1)).thenRejects('balance_limit_exceeded');
  });

  it('evolve refuses a stream where a hold exceeds the balance or a capture has no hold', () => {
    const overHold: AccountEvent = { type: 'HoldPlaced', data: { accountId: id, holdId, transferId: 't-1', amount: 11, currency: 'EUR', counterpartyId: 'x' } };
    expect(() => given(created, deposited(10), overHold)).to.throw(/hold above the balance/);
    const orphan: AccountEvent = { type: 'HoldCaptured', data: { accountId: id, holdId, transferId: 't-1', amount: 1, currency: 'EUR', counterpartyId: 'x' } };
    expect(() => given(created, deposited(10), orphan)).to.throw(/not open/);
  });
});
