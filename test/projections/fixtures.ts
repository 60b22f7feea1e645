// Builders of account events, stored streams and bus batches for the projection tests.
import { randomUUID } from 'node:crypto';
import { EventStore } from '../../src/ports/eventStore';
import { BusMessage, ConsumedBatch } from '../../src/ports/messageBus';
import { AccountSummaryRow } from '../../src/ports/readModel';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { accountStreamId } from '../../src/domain/account/accountEvents';

export const testTopic = 'acta.account';

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

/** A stored event as the store would hand it out (for pure tests that need no store). */
export function stored(accountId: string, version: number, event: NewEvent, position = version): StoredEvent {
  return { ...event, streamId: accountStreamId(accountId), streamVersion: version, globalPosition: String(position) };
}

export function storedStream(accountId: string, events: NewEvent[]): StoredEvent[] {
  return events.map((event, index) => stored(accountId, index + 1, event));
}

/** Appends each account's events (one append per account, all in one transaction) and returns them as stored. */
export async function appendAccounts(store: EventStore, streams: Record<string, NewEvent[]>, topic = testTopic): Promise<Map<string, StoredEvent[]>> {
  const entries = Object.entries(streams);
  const expected = await Promise.all(entries.map(([accountId]) => store.streamVersion(accountStreamId(accountId))));
  const results = await store.appendBatch(
    entries.map(([accountId, events], index) => ({
      streamId: accountStreamId(accountId),
      expectedVersion: expected[index]!,
      events,
      topic,
      transactions: [],
      idempotency: [],
    })),
  );
  results.forEach((result, index) => {
    if (!result.ok) throw new Error(`append of ${entries[index]![0]} failed: ${result.conflict}`);
  });
  const storedStreams = new Map<string, StoredEvent[]>();
  for (const [index, [accountId, events]] of entries.entries()) {
    const all = await store.readStream(accountStreamId(accountId), expected[index]!, events.length);
    storedStreams.set(accountId, all);
  }
  return storedStreams;
}

export function message(event: StoredEvent, offset: number): BusMessage & { offset: string } {
  return { key: event.streamId, value: JSON.stringify(event), offset: String(offset) };
}

export function rawMessage(key: string, value: string, offset: number): BusMessage & { offset: string } {
  return { key, value, offset: String(offset) };
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

/** Polls until `check` returns true; fails with `what` after timeoutMs. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
