// One entry per account event type: the schema its data must match (the write side's own, which
// activation decodes with too) and the statement entry it produces. A type missing from this table
// is a poison event, never silently ignored. The summary row is not made here: it is the write
// side's fold (evolve + accountView, see accountProjection.ts); an entry only reads its balance.
//
// Transfers: HoldPlaced lowers the available balance only; HoldCaptured is the debit leg (the
// balance drops, the hold is gone); HoldReleased gives the hold back without any movement;
// TransferCredited is the credit leg. A hold's own entries carry no direction, so the statement of
// a failed transfer never shows a withdrawal and its reversal.
import { z } from 'zod';
import { accountEventSchemas } from '../../app/events/accountEventSchemas';
import { AccountEvent } from '../../domain/account/accountEvents';
import { StatementEntry } from '../../ports/readModel';
import { StoredEvent } from '../../ports/storedEvent';

export interface AccountEventHandler {
  schema: z.ZodType<{ accountId: string }>;
}

/** What checkedEvent looks an event's type up in: its data schema, shared with the write side. */
export const accountEventHandlers: Readonly<Record<string, AccountEventHandler>> = Object.fromEntries(
  Object.entries(accountEventSchemas).map(([type, schema]) => [type, { schema }]),
);

/** The optional entry fields, in the one order every adapter gives them back in. */
const optionalEntryFields = ['amount', 'currency', 'transactionId', 'reason', 'direction', 'counterpartyAccountId', 'transferId', 'actor'] as const;
type EntryFields = Partial<Pick<StatementEntry, (typeof optionalEntryFields)[number]>>;

/** The event's own entry fields: what it moved or reserved, with whom, and why. */
function fieldsOf(event: AccountEvent): EntryFields {
  switch (event.type) {
    case 'AccountCreated':
      return { currency: event.data.currency };
    case 'MoneyDeposited':
    case 'MoneyWithdrawn': {
      const { amount, currency, transactionId } = event.data;
      return { amount, currency, transactionId };
    }
    case 'AccountFrozen':
      return { reason: event.data.reason };
    case 'AccountUnfrozen':
      return {};
    case 'HoldPlaced': {
      const { amount, currency, counterpartyId, transferId } = event.data;
      return { amount, currency, counterpartyAccountId: counterpartyId, transferId };
    }
    case 'HoldCaptured': {
      const { amount, currency, counterpartyId, transferId } = event.data;
      return { amount, currency, direction: 'debit', counterpartyAccountId: counterpartyId, transferId };
    }
    case 'HoldReleased': {
      const { amount, currency, reason, transferId } = event.data;
      return { amount, currency, reason, transferId };
    }
    case 'TransferCredited': {
      const { amount, currency, counterpartyId, transferId } = event.data;
      return { amount, currency, direction: 'credit', counterpartyAccountId: counterpartyId, transferId };
    }
  }
}

/**
 * Who issued the event's command, from its metadata (the client's optional `actor`). Metadata is
 * not checked by the event schemas, so anything but a non-empty string Postgres can store is left
 * out rather than made a poison event: it says nothing about the balance.
 */
function actorOf(stored: StoredEvent): string | undefined {
  const { actor } = stored.metadata;
  return typeof actor === 'string' && actor !== '' && !actor.includes('\u0000') ? actor : undefined;
}

export interface EntryInput {
  /** The checked stored event (lower-case id). */
  stored: StoredEvent;
  accountId: string;
  /** occurredAt, normalised. */
  at: string;
  /** The account's balance once the event is folded in. */
  balanceAfter: number;
}

/** The entry fields every event has, then the optional ones it uses; unused ones are absent, not undefined. */
export function statementEntry(event: AccountEvent, input: EntryInput): StatementEntry {
  const fields: EntryFields = { ...fieldsOf(event), actor: actorOf(input.stored) };
  const optional: Record<string, unknown> = {};
  for (const name of optionalEntryFields) if (fields[name] !== undefined) optional[name] = fields[name];
  return {
    eventId: input.stored.eventId,
    accountId: input.accountId,
    streamVersion: input.stored.streamVersion,
    eventType: input.stored.type,
    ...optional,
    balanceAfter: input.balanceAfter,
    occurredAt: input.at,
  };
}
