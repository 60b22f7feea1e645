// The peer's balance read model, the way Emmett's PostgreSQL samples keep one: a Pongo document per
// account stream, evolved by an inline `pongoSingleStreamProjection`, so it is written in the same
// transaction as the append and a read right after a 201 sees it (the samples' getDetails works
// the same way). Reads go to the document, never to the stream.
import type { ReadEvent } from '@event-driven-io/emmett';
import { pongoSingleStreamProjection, type PostgresReadEventMetadata } from '@event-driven-io/emmett-postgresql';
import type { PongoDb } from '@event-driven-io/pongo';
import type { AccountEvent } from './account';

export type AccountBalance = {
  accountId: string;
  currency: string;
  balance: number;
  /** Stream position of the last event applied, as Acta's `version`. */
  version: number;
};

const collectionName = 'accountBalances';

const evolve = (document: AccountBalance | null, event: ReadEvent<AccountEvent, PostgresReadEventMetadata>): AccountBalance | null => {
  const version = Number(event.metadata.streamPosition);
  switch (event.type) {
    case 'AccountOpened':
      return { accountId: event.data.accountId, currency: event.data.currency, balance: 0, version };
    case 'MoneyDeposited':
      return document === null ? null : { ...document, balance: document.balance + event.data.amount, version };
    case 'MoneyWithdrawn':
      return document === null ? null : { ...document, balance: document.balance - event.data.amount, version };
    default:
      return document;
  }
};

export const accountBalanceProjection = pongoSingleStreamProjection({
  collectionName,
  evolve,
  canHandle: ['AccountOpened', 'MoneyDeposited', 'MoneyWithdrawn'],
});

/** The document of one account stream (its id is the stream name), or null when it does not exist. */
export const getAccountBalance = (db: PongoDb, streamName: string): Promise<AccountBalance | null> =>
  db.collection<AccountBalance>(collectionName).findOne({ _id: streamName });
