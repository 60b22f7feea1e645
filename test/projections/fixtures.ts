// Builders of account and transfer events, stored streams and bus batches for the projection tests.
import { randomUUID } from 'node:crypto';
import { EventStore } from '../../src/ports/eventStore';
import { ConsumedBatch } from '../../src/ports/messageBus';
import { AccountSummaryRow } from '../../src/ports/readModel';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { accountStreamId } from '../../src/domain/account/accountEvents';
import { holdIdOf, transferStreamId, TransferStepName } from '../../src/domain/transfer/transferIds';
import { accountProjectionName } from '../../src/projections/accounts/accountProjection';
import { toProjectionBatch } from '../../src/projections/decodeBatch';
import { PoisonCode, PoisonEventError } from '../../src/projections/poisonEventError';
import { ProjectionBatch } from '../../src/projections/projectionBatch';
import { transferProjectionName } from '../../src/projections/transfers/transferProjection';

export const testTopic = 'acta.account';
export const transferTestTopic = 'acta.transfer';

let clock = Date.parse('2024-03-01T09:00:00.000Z');

export function newEvent(type: string, data: Record<string, unknown>): NewEvent {
  clock += 1_000;
  const commandId = randomUUID();
  return { eventId: randomUUID(), type, data, metadata: { commandId, correlationId: commandId, causationId: null }, occurredAt: new Date(clock).toISOString() };
}

export const opened = (accountId: string, currency = 'EUR') => newEvent('AccountCreated', { accountId, ownerId: `owner-${accountId}`, currency });
export const deposited = (accountId: string, amount: number, currency = 'EUR') =>
  newEvent('MoneyDeposited', { accountId, amount, currency, transactionId: `tx-${randomUUID()}` });
export const withdrawn = (accountId: string, amount: number, currency = 'EUR') =>
  newEvent('MoneyWithdrawn', { accountId, amount, currency, transactionId: `tx-${randomUUID()}` });
export const frozen = (accountId: string, reason = 'fraud review') => newEvent('AccountFrozen', { accountId, reason });
export const unfrozen = (accountId: string) => newEvent('AccountUnfrozen', { accountId });

/** The hold a transfer places on its source account (the same data is captured later). */
const holdData = (accountId: string, transferId: string, amount: number, counterpartyId: string, currency: string) => ({
  accountId,
  holdId: holdIdOf(transferId),
  transferId,
  amount,
  currency,
  counterpartyId,
});
export const holdPlaced = (accountId: string, transferId: string, amount: number, counterpartyId: string, currency = 'EUR') =>
  newEvent('HoldPlaced', holdData(accountId, transferId, amount, counterpartyId, currency));
export const holdCaptured = (accountId: string, transferId: string, amount: number, counterpartyId: string, currency = 'EUR') =>
  newEvent('HoldCaptured', holdData(accountId, transferId, amount, counterpartyId, currency));
export const holdReleased = (accountId: string, transferId: string, amount: number, reason: string, currency = 'EUR') =>
  newEvent('HoldReleased', { accountId, holdId: holdIdOf(transferId), transferId, amount, currency, reason });
export const transferCredited = (accountId: string, transferId: string, amount: number, counterpartyId: string, currency = 'EUR') =>
  newEvent('TransferCredited', { accountId, transferId, amount, currency, counterpartyId });

export const requested = (transferId: string, sourceAccountId: string, destinationAccountId: string, amount: number, currency = 'EUR') =>
  newEvent('TransferRequested', { transferId, sourceAccountId, destinationAccountId, amount, currency });
export const fundsHeld = (transferId: string) => newEvent('TransferFundsHeld', { transferId, holdId: holdIdOf(transferId) });
export const destinationCredited = (transferId: string) => newEvent('TransferDestinationCredited', { transferId });
export const compensationStarted = (transferId: string, reason: string, stage: TransferStepName, detail = `${reason} at ${stage}`) =>
  newEvent('TransferCompensationStarted', { transferId, reason, stage, detail });
export const transferCompleted = (transferId: string) => newEvent('TransferCompleted', { transferId });
export const transferFailed = (transferId: string, reason: string, stage: TransferStepName, detail = `${reason} at ${stage}`) =>
  newEvent('TransferFailed', { transferId, reason, stage, detail });

/** A stored event as the store would hand it out (for pure tests that need no store). */
export function stored(accountId: string, version: number, event: NewEvent, position = version): StoredEvent {
  return { ...event, streamId: accountStreamId(accountId), streamVersion: version, globalPosition: String(position) };
}

export function storedStream(accountId: string, events: NewEvent[]): StoredEvent[] {
  return events.map((event, index) => stored(accountId, index + 1, event));
}

/** A transfer stream as the store would hand it out. */
export function storedTransfer(transferId: string, events: NewEvent[]): StoredEvent[] {
  return events.map((event, index) => ({ ...event, streamId: transferStreamId(transferId), streamVersion: index + 1, globalPosition: String(index + 1) }));
}

/** Appends each stream's events (one append per stream, all in one transaction) and returns them as stored, by key. */
async function appendStreams(
  store: EventStore,
  streamIdOf: (key: string) => string,
  streams: Record<string, NewEvent[]>,
  topic: string,
): Promise<Map<string, StoredEvent[]>> {
  const entries = Object.entries(streams);
  const expected = await Promise.all(entries.map(([key]) => store.streamVersion(streamIdOf(key))));
  const results = await store.appendBatch(
    entries.map(([key, events], index) => ({ streamId: streamIdOf(key), expectedVersion: expected[index]!, events, topic, transactions: [], idempotency: [] })),
  );
  results.forEach((result, index) => {
    if (!result.ok) throw new Error(`append of ${entries[index]![0]} failed: ${result.conflict}`);
  });
  const storedStreams = new Map<string, StoredEvent[]>();
  for (const [index, [key, events]] of entries.entries()) {
    storedStreams.set(key, await store.readStream(streamIdOf(key), expected[index]!, events.length));
  }
  return storedStreams;
}

export function appendAccounts(store: EventStore, streams: Record<string, NewEvent[]>, topic = testTopic): Promise<Map<string, StoredEvent[]>> {
  return appendStreams(store, accountStreamId, streams, topic);
}

export function appendTransfers(store: EventStore, streams: Record<string, NewEvent[]>, topic = transferTestTopic): Promise<Map<string, StoredEvent[]>> {
  return appendStreams(store, transferStreamId, streams, topic);
}

/** A consumed batch of messages at consecutive offsets from `firstOffset`. */
export function consumed(messages: Array<{ key: string; value: string }>, firstOffset = 0, partition = 0, topic = testTopic): ConsumedBatch {
  return {
    topic,
    partition,
    messages: messages.map((entry, index) => ({ ...entry, offset: String(firstOffset + index) })),
    highWatermark: String(firstOffset + messages.length),
  };
}

export const asMessage = (event: StoredEvent) => ({ key: event.streamId, value: JSON.stringify(event) });

/** A consumed batch as the account projector hands it to its read model. */
export const toAccountBatch = (batch: ConsumedBatch): ProjectionBatch => toProjectionBatch(accountProjectionName, batch);
/** A consumed batch as the transfer projector hands it to its read model. */
export const toTransferBatch = (batch: ConsumedBatch): ProjectionBatch => toProjectionBatch(transferProjectionName, batch);

export function summaryRow(overrides: Partial<AccountSummaryRow> = {}): AccountSummaryRow {
  return {
    accountId: 'acc-1',
    ownerId: 'owner-acc-1',
    currency: 'EUR',
    status: 'ACTIVE',
    balance: 0,
    availableBalance: 0,
    version: 1,
    createdAt: '2024-03-01T09:00:00.000Z',
    updatedAt: '2024-03-01T09:00:00.000Z',
    ...overrides,
  };
}

/** The code of the PoisonEventError `run` throws (anything else fails the test). */
export function poisonCodeOf(run: () => unknown): PoisonCode {
  try {
    run();
  } catch (error) {
    if (error instanceof PoisonEventError) return error.code;
    throw error;
  }
  throw new Error('expected a PoisonEventError, nothing was thrown');
}

