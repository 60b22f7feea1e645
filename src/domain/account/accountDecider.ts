// The account decider: decide(command, state) → events | rejection, evolve(state, event) → state.
// Pure: no I/O, no clock, no ids. Business outcomes are values, never throws.
import assert from 'node:assert/strict';
import { limits } from '../../config/limits';
import { AccountCommand, CreditTransfer, MoneyCommand, PlaceHold } from './accountCommands';
import { AccountEvent } from './accountEvents';
import { AccountRejection, reject } from './accountRejection';
import { AccountState, availableBalance } from './accountState';

export type Decision = { events: AccountEvent[] } | AccountRejection;

export function isRejection(decision: Decision): decision is AccountRejection {
  return 'rejected' in decision;
}

export function decide(command: AccountCommand, state: AccountState): Decision {
  if (command.type === 'OpenAccount') {
    if (state.status !== 'NONE') return reject('account_already_exists', `Account ${command.accountId} already exists`);
    const { accountId, ownerId, currency } = command;
    return { events: [{ type: 'AccountCreated', data: { accountId, ownerId, currency } }] };
  }
  if (state.status === 'NONE') return reject('account_not_found', `Account ${command.accountId} does not exist`);
  switch (command.type) {
    case 'FreezeAccount':
      if (state.status === 'FROZEN') return reject('account_already_frozen', `Account ${state.accountId} is already frozen`);
      return { events: [{ type: 'AccountFrozen', data: { accountId: state.accountId, reason: command.reason } }] };
    case 'UnfreezeAccount':
      if (state.status !== 'FROZEN') return reject('account_not_frozen', `Account ${state.accountId} is not frozen`);
      return { events: [{ type: 'AccountUnfrozen', data: { accountId: state.accountId } }] };
    case 'DepositMoney':
    case 'WithdrawMoney':
      return decideMoney(command, state);
    case 'PlaceHold':
      return decideHold(command, state);
    case 'CreditTransfer':
      return decideCredit(command, state);
    case 'CaptureHold':
    case 'ReleaseHold': {
      // Capture and release finish a transfer that already reserved the funds: they are allowed on
      // a frozen account, since refusing them would strand money in a hold.
      const hold = state.holds[command.holdId];
      if (!hold) return reject('hold_not_found', `Account ${state.accountId} has no open hold ${command.holdId}`);
      const { accountId, currency } = state;
      const base = { accountId, holdId: command.holdId, transferId: hold.transferId, amount: hold.amount, currency };
      if (command.type === 'CaptureHold') {
        return { events: [{ type: 'HoldCaptured', data: { ...base, counterpartyId: hold.counterpartyId } }] };
      }
      return { events: [{ type: 'HoldReleased', data: { ...base, reason: command.reason } }] };
    }
  }
}

/** Rules every inbound or outbound movement shares, in rejection precedence order. */
function movementRefused(command: { currency: string }, state: AccountState): AccountRejection | null {
  if (command.currency !== state.currency) {
    return reject('currency_mismatch', `Account ${state.accountId} holds ${state.currency}, not ${command.currency}`);
  }
  if (state.status === 'FROZEN') return reject('account_frozen', `Account ${state.accountId} is frozen`);
  return null;
}

function spendRefused(amount: number, state: AccountState): AccountRejection | null {
  const available = availableBalance(state);
  if (amount > available) return reject('insufficient_funds', `Available balance ${available} is less than ${amount}`);
  return null;
}

function creditRefused(amount: number, state: AccountState): AccountRejection | null {
  if (amount > limits.moneyMax - state.balance) return reject('balance_limit_exceeded', `Balance would exceed ${limits.moneyMax}`);
  return null;
}

function decideMoney(command: MoneyCommand, state: AccountState): Decision {
  const { amount, currency, transactionId } = command;
  const data = { accountId: state.accountId, amount, currency, transactionId };
  if (command.type === 'WithdrawMoney') {
    const refused = movementRefused(command, state) ?? spendRefused(amount, state);
    return refused ?? { events: [{ type: 'MoneyWithdrawn', data }] };
  }
  const refused = movementRefused(command, state) ?? creditRefused(amount, state);
  return refused ?? { events: [{ type: 'MoneyDeposited', data }] };
}

function decideHold(command: PlaceHold, state: AccountState): Decision {
  const { holdId, transferId, amount, currency, counterpartyId } = command;
  const open = state.holds[holdId];
  // Placing a hold that is already open is a repeat of the same step: nothing new happens.
  if (open && open.transferId === transferId && open.amount === amount) return { events: [] };
  const refused = movementRefused(command, state);
  if (refused) return refused;
  if (Object.keys(state.holds).length >= limits.openHoldsPerAccountMax) {
    return reject('holds_limit_exceeded', `Account ${state.accountId} already has ${limits.openHoldsPerAccountMax} open holds`);
  }
  return (
    spendRefused(amount, state) ?? {
      events: [{ type: 'HoldPlaced', data: { accountId: state.accountId, holdId, transferId, amount, currency, counterpartyId } }],
    }
  );
}

function decideCredit(command: CreditTransfer, state: AccountState): Decision {
  const { transferId, amount, currency, counterpartyId } = command;
  const refused = movementRefused(command, state) ?? creditRefused(amount, state);
  return refused ?? { events: [{ type: 'TransferCredited', data: { accountId: state.accountId, transferId, amount, currency, counterpartyId } }] };
}

/** Folds one stored event into the state. `at` is the event's timestamp, `version` its stream version. */
export function evolve(state: AccountState, event: AccountEvent, version: number, at: string): AccountState {
  assert.equal(version, state.version + 1, `event version ${version} does not follow ${state.version}`);
  const next = { ...state, version, updatedAt: at };
  switch (event.type) {
    case 'AccountCreated':
      assert.equal(state.status, 'NONE', 'AccountCreated on an existing account');
      return { ...next, ownerId: event.data.ownerId, currency: event.data.currency, status: 'ACTIVE', createdAt: at };
    case 'MoneyDeposited':
    case 'TransferCredited':
      next.balance = state.balance + event.data.amount;
      assert.ok(next.balance <= limits.moneyMax, 'balance above the money bound');
      return next;
    case 'MoneyWithdrawn':
      next.balance = state.balance - event.data.amount;
      assert.ok(next.balance >= next.held, 'withdrawal into held funds');
      return next;
    case 'AccountFrozen':
      return { ...next, status: 'FROZEN' };
    case 'AccountUnfrozen':
      return { ...next, status: 'ACTIVE' };
    case 'HoldPlaced': {
      const { holdId, transferId, amount, counterpartyId } = event.data;
      next.holds = { ...state.holds, [holdId]: { transferId, amount, counterpartyId } };
      next.held = state.held + amount;
      assert.ok(next.held <= next.balance, 'hold above the balance');
      return next;
    }
    case 'HoldCaptured':
    case 'HoldReleased': {
      const hold = state.holds[event.data.holdId];
      assert.ok(hold && hold.amount === event.data.amount, `${event.type} of hold ${event.data.holdId} that is not open`);
      const { [event.data.holdId]: _closed, ...holds } = state.holds;
      next.holds = holds;
      next.held = state.held - hold.amount;
      if (event.type === 'HoldCaptured') next.balance = state.balance - hold.amount;
      return next;
    }
  }
}
