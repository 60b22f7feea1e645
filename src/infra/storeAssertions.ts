// Programmer-error checks shared by the Postgres and in-memory stores, so both reject the same
// malformed input the same way (an assertion, never a silent difference between adapters).
import assert from 'node:assert/strict';
import { currencyPattern, isValidAmount } from '../domain/money';
import { StreamAppend } from '../ports/eventStore';
import { moneyMovementKinds } from '../ports/commandRecords';
import { postgresLimits } from '../config/limits';

/** Postgres prints uuids in this form; requiring it keeps ids identical after a round trip. */
const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const decimalPosition = /^(0|[1-9][0-9]{0,18})$/;

/** Timestamps are stored as timestamptz and read back with toISOString: only that form round-trips. */
export function assertIsoTimestamp(value: string, label: string): void {
  const parsed = new Date(value);
  assert.ok(!Number.isNaN(parsed.getTime()) && parsed.toISOString() === value, `${label} must be an ISO-8601 UTC timestamp with milliseconds, got ${value}`);
}

export function assertStreamAppend(append: StreamAppend): void {
  assert.ok(append.streamId.length > 0, 'streamId must not be empty');
  assert.ok(Number.isSafeInteger(append.expectedVersion) && append.expectedVersion >= 0, 'expectedVersion must be an integer >= 0');
  assert.ok(append.topic.length > 0, 'topic must not be empty');
  for (const event of append.events) {
    assert.match(event.eventId, canonicalUuid, 'eventId must be a lower-case uuid');
    assert.ok(event.type.length > 0, 'event type must not be empty');
    assertIsoTimestamp(event.occurredAt, 'occurredAt');
  }
  for (const record of append.transactions) {
    assert.ok(moneyMovementKinds.includes(record.kind), `unknown movement kind ${String(record.kind)}`);
    assert.ok(isValidAmount(record.amount), `transaction amount must be an integer 1..2^53-1, got ${record.amount}`);
    assert.match(record.currency, currencyPattern, 'currency must be 3 upper-case letters');
    assert.ok(Number.isSafeInteger(record.streamVersion) && record.streamVersion >= 0, 'transaction streamVersion must be an integer >= 0');
    assert.ok(Number.isInteger(record.response.status), 'response status must be an integer');
    assertIsoTimestamp(record.createdAt, 'transaction createdAt');
  }
  for (const record of append.idempotency) {
    assert.ok(record.key.length > 0, 'idempotency key must not be empty');
    assert.ok(Number.isInteger(record.response.status), 'response status must be an integer');
    assertIsoTimestamp(record.createdAt, 'idempotency createdAt');
  }
}

export function assertBatch(appends: readonly StreamAppend[]): void {
  assert.ok(appends.length <= postgresLimits.appendBatchAppendsMax, `at most ${postgresLimits.appendBatchAppendsMax} appends per batch`);
  const events = appends.reduce((sum, append) => sum + append.events.length, 0);
  assert.ok(events <= postgresLimits.transactionEventsMax, `at most ${postgresLimits.transactionEventsMax} events per batch`);
  appends.forEach(assertStreamAppend);
}

export function assertReadLimit(limit: number): void {
  assert.ok(Number.isSafeInteger(limit) && limit >= 1 && limit <= postgresLimits.readEventsMax, `limit must be 1..${postgresLimits.readEventsMax}`);
}

export function assertVersion(version: number): void {
  assert.ok(Number.isSafeInteger(version) && version >= 0, 'version must be an integer >= 0');
}

export function assertPosition(position: string): void {
  assert.match(position, decimalPosition, 'position must be a non-negative decimal bigint');
}

export function assertLookup(keys: readonly string[]): void {
  assert.ok(keys.length <= postgresLimits.lookupKeysMax, `at most ${postgresLimits.lookupKeysMax} keys per lookup`);
}

export function assertClaim(owner: string, eventsMax: number, leaseMs: number): void {
  assert.ok(owner.length > 0, 'owner must not be empty');
  assert.ok(Number.isSafeInteger(eventsMax) && eventsMax >= 1 && eventsMax <= postgresLimits.outboxClaimEventsMax, `eventsMax must be 1..${postgresLimits.outboxClaimEventsMax}`);
  assert.ok(Number.isSafeInteger(leaseMs) && leaseMs >= 1 && leaseMs <= postgresLimits.outboxLeaseMsMax, `leaseMs must be 1..${postgresLimits.outboxLeaseMsMax}`);
}
