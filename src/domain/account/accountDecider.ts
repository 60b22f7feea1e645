// The account decider: decide(command, state) → events | rejection, evolve(state, event) → state.
// Pure: no I/O, no clock, no ids. Business outcomes are values, never throws.
import assert from 'node:assert/strict';
import { limits } from '../../config/limits';
import { AccountCommand } from './accountCommands';
import { AccountEvent } from './accountEvents';
import { AccountRejection, reject } from './accountRejection';
import { AccountState } from './accountState';

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
  }
}

function decideMoney(command: Extract<AccountCommand, { amount: number }>, state: AccountState): Decision {
  const { amount, currency, transactionId } = command;
  if (currency !== state.currency) {
    return reject('currency_mismatch', `Account ${state.accountId} holds ${state.currency}, not ${currency}`);
  }
  if (state.status === 'FROZEN') return reject('account_frozen', `Account ${state.accountId} is frozen`);
  const data = { accountId: state.accountId, amount, currency, transactionId };
  if (command.type === 'WithdrawMoney') {
    if (amount > state.balance) {
      return reject('insufficient_funds', `Balance ${state.balance} is less than ${amount}`);
    }
    return { events: [{ type: 'MoneyWithdrawn', data }] };
  }
  if (amount > limits.moneyMax - state.balance) {
    return reject('balance_limit_exceeded', `Balance would exceed ${limits.moneyMax}`);
  }
  return { events: [{ type: 'MoneyDeposited', data }] };
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
      next.balance = state.balance + event.data.amount;
      assert.ok(next.balance <= limits.moneyMax, 'balance above the money bound');
      return next;
    case 'MoneyWithdrawn':
      next.balance = state.balance - event.data.amount;
      assert.ok(next.balance >= 0, 'balance below zero');
      return next;
    case 'AccountFrozen':
      return { ...next, status: 'FROZEN' };
    case 'AccountUnfrozen':
      return { ...next, status: 'ACTIVE' };
  }
}
