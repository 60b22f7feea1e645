// The account projection as a pure fold: (summary row | null, stored event) → next summary row and
// the event's statement entry. The live projector, rebuild and verify all go through it, so the
// read model built live and the one rebuilt from the event store are the same rows.
//
// The summary row is the write side's own fold: evolve() on the state the row stands for, shaped by
// accountView, so the balances the read model shows are by construction what the write side holds
// (as the transfer projection folds with evolveTransfer and transferView). The handlers only shape
// the statement entry.
//
// It accepts exactly what evolve() accepts, plus what only the row can tell: the account must exist
// and the money must be in its currency. Anything else (unknown type, bad data, an event out of
// order, a transition evolve() asserts against) throws a PoisonEventError.
import { AssertionError } from 'node:assert';
import assert from 'node:assert/strict';
import { accountView } from '../../app/accountView';
import { evolve } from '../../domain/account/accountDecider';
import { AccountEvent, accountStreamId } from '../../domain/account/accountEvents';
import { AccountState, OpenHold, initialAccountState } from '../../domain/account/accountState';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { StoredEvent } from '../../ports/storedEvent';
import { accountEventHandlers, statementEntry } from './accountEventHandlers';
import { checkedEvent } from '../eventEnvelope';
import { poison } from '../poisonEventError';
import { StreamProjection } from '../streamProjection';
import { streamKind } from '../streamKind';
import { BatchOutcome, ProjectionBatch } from '../projectionBatch';

// Account stream ids ("account-<accountId>") as the projection reads them back from messages.
const accountStreams = streamKind(accountStreamId(''), 'not_an_account_stream', 'an account');

export const isAccountStream = accountStreams.owns;
/** The account id of an account stream; a PoisonEventError for any other stream id. */
export const accountIdOfStream = accountStreams.keyOf;

/** Projection name in projection_checkpoints and projection_dead_letters. */
export const accountProjectionName = 'accounts';

/** The batch write both account read model adapters implement. */
export interface AccountProjectionWriter {
  applyAccountBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
}

export interface ProjectedAccountEvent {
  summary: AccountSummaryRow;
  entry: StatementEntry;
}

export function projectAccountEvent(summary: AccountSummaryRow | null, event: StoredEvent): ProjectedAccountEvent {
  const accountId = accountIdOfStream(event.streamId);
  const checked = checkedEvent(accountEventHandlers, event, summary?.version ?? 0);
  // checkedEvent decoded the data with the schema of the event's type.
  const domainEvent = { type: event.type, data: checked.data } as AccountEvent;
  const where = `${event.type} ${event.streamId} v${event.streamVersion}`;
  if (domainEvent.data.accountId !== accountId) throw poison('account_id_mismatch', `${where} names account ${domainEvent.data.accountId}`);
  if (summary === null && domainEvent.type !== 'AccountCreated') throw poison('account_not_found', `${where} for account ${accountId}, which was never created`);
  const moneyCurrency = currencyMoved(domainEvent);
  if (summary !== null && moneyCurrency !== null && moneyCurrency !== summary.currency) {
    throw poison('currency_mismatch', `${where} in ${moneyCurrency} on ${summary.currency} account ${accountId}`);
  }
  const before = summary === null ? initialAccountState(accountId) : stateOf(summary, domainEvent);
  let after: AccountState;
  try {
    after = evolve(before, domainEvent, event.streamVersion, checked.at);
  } catch (error) {
    // evolve asserts the invariants of the stream (no second AccountCreated, no balance below the
    // holds or above the money bound, no close of a hold that is not open); an event that breaks
    // one can never apply, here or on the write side, so it is poison rather than a failed batch.
    if (error instanceof AssertionError) throw poison('invalid_transition', `${where}: ${error.message}`);
    throw error;
  }
  return {
    summary: summaryRowOf(after),
    entry: statementEntry(domainEvent, { stored: checked.event, accountId, at: checked.at, balanceAfter: after.balance }),
  };
}

/** The currency an event moves or reserves money in; null for events that move none (AccountCreated sets it). */
function currencyMoved(event: AccountEvent): string | null {
  switch (event.type) {
    case 'AccountCreated':
    case 'AccountFrozen':
    case 'AccountUnfrozen':
      return null;
    default:
      return event.data.currency;
  }
}

/**
 * The AccountState a row was folded from, as far as evolve() reads it for this event. The row keeps
 * only the sum of the open holds (balance − availableBalance), not each hold: the write side checked
 * that the very hold a capture or release closes is open, the read side can check only that the
 * sum covers it. So that one hold is restored from the event when the sum covers it, and otherwise
 * left out for evolve() to assert against (invalid_transition).
 */
function stateOf(row: AccountSummaryRow, event: AccountEvent): AccountState {
  const held = row.balance - row.availableBalance;
  return {
    accountId: row.accountId,
    ownerId: row.ownerId,
    currency: row.currency,
    status: row.status,
    balance: row.balance,
    held,
    holds: closedHold(event, held),
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function closedHold(event: AccountEvent, held: number): Record<string, OpenHold> {
  if (event.type !== 'HoldCaptured' && event.type !== 'HoldReleased') return {};
  const { holdId, transferId, amount } = event.data;
  if (amount > held) return {};
  // A release does not name the counterparty; evolve() does not read it of the hold it closes.
  const counterpartyId = event.type === 'HoldCaptured' ? event.data.counterpartyId : '';
  return { [holdId]: { transferId, amount, counterpartyId } };
}

/** accountView of a folded account: the same fields in the same order, its timestamps set. */
function summaryRowOf(state: AccountState): AccountSummaryRow {
  const { createdAt, updatedAt, ...view } = accountView(state);
  assert.ok(createdAt !== null && updatedAt !== null, 'a folded account has both timestamps');
  const { accountId, ownerId, currency, status, balance, availableBalance, version } = view;
  return { accountId, ownerId, currency, status, balance, availableBalance, version, createdAt, updatedAt };
}

export const accountStreamProjection: StreamProjection<AccountSummaryRow, StatementEntry> = {
  name: accountProjectionName,
  streamIdOf: accountStreamId,
  ownsStream: isAccountStream,
  keyOfStream: accountIdOfStream,
  project: (row, event) => {
    const { summary, entry } = projectAccountEvent(row, event);
    return { row: summary, entry };
  },
};
