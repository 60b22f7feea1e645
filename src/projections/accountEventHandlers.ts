// One entry per account event type: the schema its data must match and how it changes the summary
// row and what statement entry it produces. A new event type (holds, transfer legs) is one more
// entry here; a type missing from this table is a poison event, never silently ignored.
import { z } from 'zod';
import { limits } from '../config/limits';
import { currencyPattern } from '../domain/money';
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { StoredEvent } from '../ports/storedEvent';
import { poison } from './poisonEventError';

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

// Postgres text cannot hold NUL; a string with one would fail the insert and, retried, stall the
// partition. Rejecting it here turns it into a dead letter instead.
const text = z
  .string()
  .min(1)
  .refine((value) => !value.includes('\u0000'), 'contains NUL');
const currency = z.string().regex(currencyPattern);
const amount = z.number().int().min(1).max(limits.moneyMax);

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

function advanced(summary: AccountSummaryRow, input: HandlerInput<unknown>, changes: Partial<AccountSummaryRow>): AccountSummaryRow {
  return { ...summary, ...changes, version: input.event.streamVersion, updatedAt: input.at };
}

/** The entry fields every event has; optional fields are absent (not undefined) when unused. */
function entry(input: HandlerInput<unknown>, balanceAfter: number, extra: Partial<StatementEntry> = {}): StatementEntry {
  return {
    eventId: input.event.eventId,
    accountId: input.accountId,
    streamVersion: input.event.streamVersion,
    eventType: input.event.type,
    ...extra,
    balanceAfter,
    occurredAt: input.at,
  };
}

const moneyData = z.object({ accountId: text, amount, currency, transactionId: text });

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
    const summary = existing(input);
    const { amount: value, currency: moneyCurrency, transactionId } = input.data;
    if (moneyCurrency !== summary.currency) {
      throw poison('currency_mismatch', `deposit in ${moneyCurrency} to ${summary.currency} account ${input.accountId}`);
    }
    if (value > limits.moneyMax - summary.balance) {
      throw poison('balance_out_of_range', `deposit of ${value} takes account ${input.accountId} above ${limits.moneyMax}`);
    }
    const balance = summary.balance + value;
    return {
      summary: advanced(summary, input, { balance, availableBalance: summary.availableBalance + value }),
      entry: entry(input, balance, { amount: value, currency: moneyCurrency, transactionId }),
    };
  }),

  MoneyWithdrawn: handler(moneyData, (input) => {
    const summary = existing(input);
    const { amount: value, currency: moneyCurrency, transactionId } = input.data;
    if (moneyCurrency !== summary.currency) {
      throw poison('currency_mismatch', `withdrawal in ${moneyCurrency} from ${summary.currency} account ${input.accountId}`);
    }
    if (value > summary.balance) {
      throw poison('balance_out_of_range', `withdrawal of ${value} takes account ${input.accountId} below zero`);
    }
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
};
