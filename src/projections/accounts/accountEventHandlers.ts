// One entry per account event type: the schema its data must match, how it changes the summary
// row, and the statement entry it produces. A type missing from this table is a poison event,
// never silently ignored.
//
// Transfers: HoldPlaced lowers the available balance only; HoldCaptured is the debit leg (the
// balance drops, the hold is gone); HoldReleased gives the hold back without any movement;
// TransferCredited is the credit leg. A hold's own entries carry no direction, so the statement of
// a failed transfer never shows a withdrawal and its reversal.
import { z } from 'zod';
import { limits } from '../../config/limits';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { StoredEvent } from '../../ports/storedEvent';
import { amount, currency, text } from '../eventDataSchemas';
import { poison } from '../poisonEventError';

export interface ProjectedAccountEvent {
  summary: AccountSummaryRow;
  entry: StatementEntry;
}

/** What a handler gets: the decoded data plus the checked envelope (account id, normalised time). */
export interface HandlerInput<Data> {
  summary: AccountSummaryRow | null;
  data: Data;
  event: StoredEvent;
  accountId: string;
  at: string;
}

export interface AccountEventHandler {
  schema: z.ZodType<{ accountId: string }>;
  project(input: HandlerInput<unknown>): ProjectedAccountEvent;
}

function handler<S extends z.ZodType<{ accountId: string }>>(
  schema: S,
  project: (input: HandlerInput<z.infer<S>>) => ProjectedAccountEvent,
): AccountEventHandler {
  return { schema, project: project as (input: HandlerInput<unknown>) => ProjectedAccountEvent };
}

function existing(input: HandlerInput<unknown>): AccountSummaryRow {
  if (input.summary === null) {
    throw poison('account_not_found', `${input.event.type} v${input.event.streamVersion} for account ${input.accountId}, which was never created`);
  }
  return input.summary;
}

/** The account's row, for an event that moves or reserves money in `moneyCurrency`. */
function existingIn(input: HandlerInput<unknown>, moneyCurrency: string): AccountSummaryRow {
  const summary = existing(input);
  if (moneyCurrency !== summary.currency) {
    throw poison('currency_mismatch', `${input.event.type} in ${moneyCurrency} on ${summary.currency} account ${input.accountId}`);
  }
  return summary;
}

/** Funds held by open transfer holds. */
function held(summary: AccountSummaryRow): number {
  return summary.balance - summary.availableBalance;
}

function closingHold(summary: AccountSummaryRow, value: number, input: HandlerInput<unknown>): void {
  if (value > held(summary)) {
    throw poison('hold_not_open', `${input.event.type} of ${value} on account ${input.accountId}, which holds ${held(summary)}`);
  }
}

function advanced(summary: AccountSummaryRow, input: HandlerInput<unknown>, changes: Partial<AccountSummaryRow>): AccountSummaryRow {
  return { ...summary, ...changes, version: input.event.streamVersion, updatedAt: input.at };
}

/** The optional entry fields, in the one order every adapter gives them back in. */
const optionalEntryFields = ['amount', 'currency', 'transactionId', 'reason', 'direction', 'counterpartyAccountId', 'transferId', 'actor'] as const;
type EntryFields = Partial<Pick<StatementEntry, (typeof optionalEntryFields)[number]>>;

/**
 * Who issued the event's command, from its metadata (the client's optional `actor`). Metadata is
 * not checked by the handler schemas, so anything but a non-empty string Postgres can store is
 * left out rather than made a poison event: it says nothing about the balance.
 */
function actorOf(event: StoredEvent): string | undefined {
  const { actor } = event.metadata;
  return typeof actor === 'string' && actor !== '' && !actor.includes('\u0000') ? actor : undefined;
}

/** The entry fields every event has, then the optional ones it uses; unused ones are absent, not undefined. */
function entry(input: HandlerInput<unknown>, balanceAfter: number, given: EntryFields = {}): StatementEntry {
  const fields: EntryFields = { ...given, actor: actorOf(input.event) };
  const optional: Record<string, unknown> = {};
  for (const name of optionalEntryFields) if (fields[name] !== undefined) optional[name] = fields[name];
  return {
    eventId: input.event.eventId,
    accountId: input.accountId,
    streamVersion: input.event.streamVersion,
    eventType: input.event.type,
    ...optional,
    balanceAfter,
    occurredAt: input.at,
  };
}

function creditRoom(summary: AccountSummaryRow, value: number, input: HandlerInput<unknown>): void {
  if (value > limits.moneyMax - summary.balance) {
    throw poison('balance_out_of_range', `${input.event.type} of ${value} takes account ${input.accountId} above ${limits.moneyMax}`);
  }
}

function spendable(summary: AccountSummaryRow, value: number, input: HandlerInput<unknown>): void {
  if (value > summary.availableBalance) {
    throw poison('balance_out_of_range', `${input.event.type} of ${value} from account ${input.accountId}, which has ${summary.availableBalance} available`);
  }
}

const moneyData = z.object({ accountId: text, amount, currency, transactionId: text });
const holdData = z.object({ accountId: text, holdId: text, transferId: text, amount, currency, counterpartyId: text });
const releaseData = z.object({ accountId: text, holdId: text, transferId: text, amount, currency, reason: text });
const creditData = z.object({ accountId: text, transferId: text, amount, currency, counterpartyId: text });

export const accountEventHandlers: Readonly<Record<string, AccountEventHandler>> = {
  AccountCreated: handler(z.object({ accountId: text, ownerId: text, currency }), (input) => {
    if (input.summary !== null) {
      throw poison('account_already_exists', `AccountCreated v${input.event.streamVersion} for existing account ${input.accountId}`);
    }
    const { ownerId, currency: accountCurrency } = input.data;
    return {
      summary: {
        accountId: input.accountId,
        ownerId,
        currency: accountCurrency,
        status: 'ACTIVE',
        balance: 0,
        availableBalance: 0,
        version: input.event.streamVersion,
        createdAt: input.at,
        updatedAt: input.at,
      },
      entry: entry(input, 0, { currency: accountCurrency }),
    };
  }),

  MoneyDeposited: handler(moneyData, (input) => {
    const { amount: value, currency: moneyCurrency, transactionId } = input.data;
    const summary = existingIn(input, moneyCurrency);
    creditRoom(summary, value, input);
    const balance = summary.balance + value;
    return {
      summary: advanced(summary, input, { balance, availableBalance: summary.availableBalance + value }),
      entry: entry(input, balance, { amount: value, currency: moneyCurrency, transactionId }),
    };
  }),

  // The write side refuses to withdraw held funds (evolve asserts it), so neither does the projection.
  MoneyWithdrawn: handler(moneyData, (input) => {
    const { amount: value, currency: moneyCurrency, transactionId } = input.data;
    const summary = existingIn(input, moneyCurrency);
    spendable(summary, value, input);
    const balance = summary.balance - value;
    return {
      summary: advanced(summary, input, { balance, availableBalance: summary.availableBalance - value }),
      entry: entry(input, balance, { amount: value, currency: moneyCurrency, transactionId }),
    };
  }),

  // Freezing a frozen account is accepted, as the write side's evolve() accepts it: the projection
  // must never refuse what the event store holds, or the read model would stop agreeing with it.
  AccountFrozen: handler(z.object({ accountId: text, reason: text }), (input) => {
    const summary = existing(input);
    return {
      summary: advanced(summary, input, { status: 'FROZEN' }),
      entry: entry(input, summary.balance, { reason: input.data.reason }),
    };
  }),

  AccountUnfrozen: handler(z.object({ accountId: text }), (input) => {
    const summary = existing(input);
    return { summary: advanced(summary, input, { status: 'ACTIVE' }), entry: entry(input, summary.balance) };
  }),

  HoldPlaced: handler(holdData, (input) => {
    const { amount: value, currency: holdCurrency, transferId, counterpartyId } = input.data;
    const summary = existingIn(input, holdCurrency);
    spendable(summary, value, input);
    return {
      summary: advanced(summary, input, { availableBalance: summary.availableBalance - value }),
      entry: entry(input, summary.balance, { amount: value, currency: holdCurrency, counterpartyAccountId: counterpartyId, transferId }),
    };
  }),

  HoldCaptured: handler(holdData, (input) => {
    const { amount: value, currency: holdCurrency, transferId, counterpartyId } = input.data;
    const summary = existingIn(input, holdCurrency);
    closingHold(summary, value, input);
    const balance = summary.balance - value;
    return {
      summary: advanced(summary, input, { balance }),
      entry: entry(input, balance, { amount: value, currency: holdCurrency, direction: 'debit', counterpartyAccountId: counterpartyId, transferId }),
    };
  }),

  HoldReleased: handler(releaseData, (input) => {
    const { amount: value, currency: holdCurrency, transferId, reason } = input.data;
    const summary = existingIn(input, holdCurrency);
    closingHold(summary, value, input);
    return {
      summary: advanced(summary, input, { availableBalance: summary.availableBalance + value }),
      entry: entry(input, summary.balance, { amount: value, currency: holdCurrency, reason, transferId }),
    };
  }),

  TransferCredited: handler(creditData, (input) => {
    const { amount: value, currency: creditCurrency, transferId, counterpartyId } = input.data;
    const summary = existingIn(input, creditCurrency);
    creditRoom(summary, value, input);
    const balance = summary.balance + value;
    return {
      summary: advanced(summary, input, { balance, availableBalance: summary.availableBalance + value }),
      entry: entry(input, balance, { amount: value, currency: creditCurrency, direction: 'credit', counterpartyAccountId: counterpartyId, transferId }),
    };
  }),
};
