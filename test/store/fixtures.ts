// Builders for the store contract suites: valid appends with unique ids, overridable per test.
import { randomUUID } from 'node:crypto';
import { IdempotencyRecord, TransactionRecord } from '../../src/ports/commandRecords';
import { StreamAppend } from '../../src/ports/eventStore';
import { NewEvent } from '../../src/ports/storedEvent';

const baseTime = Date.parse('2024-05-01T12:00:00.000Z');
let sequence = 0;

/** A canonical ISO timestamp, distinct per call, with non-zero milliseconds. */
export function timestamp(): string {
  return new Date(baseTime + ++sequence * 1_001).toISOString();
}

export function streamId(): string {
  return `account-${randomUUID()}`;
}

export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  const commandId = randomUUID();
  return {
    eventId: randomUUID(),
    type: 'MoneyDeposited',
    data: { accountId: 'a', amount: 125, currency: 'EUR', transactionId: randomUUID(), nested: { list: [1, 'two', null] } },
    metadata: { commandId, correlationId: commandId, causationId: null },
    occurredAt: timestamp(),
    ...overrides,
  };
}

export function transactionRecord(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    transactionId: randomUUID(),
    accountId: 'a',
    kind: 'deposit',
    amount: 125,
    currency: 'EUR',
    streamVersion: 1,
    response: { status: 201, body: { accountId: 'a', balance: 125, version: 1 } },
    createdAt: timestamp(),
    ...overrides,
  };
}

export function idempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key: randomUUID(),
    requestHash: 'sha256:0f1e2d',
    operation: 'deposit',
    response: { status: 201, body: { accountId: 'a', balance: 125, version: 1 } },
    createdAt: timestamp(),
    ...overrides,
  };
}

/** An append of `count` fresh events to `stream` after `expectedVersion`, with no records. */
export function streamAppend(stream: string, expectedVersion: number, count = 1, overrides: Partial<StreamAppend> = {}): StreamAppend {
  return {
    streamId: stream,
    expectedVersion,
    events: Array.from({ length: count }, () => newEvent()),
    topic: 'account-events',
    transactions: [],
    idempotency: [],
    ...overrides,
  };
}
