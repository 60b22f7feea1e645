// Named bounds of the in-memory adapters that have no Postgres twin bound: the in-process message
// bus and the in-memory read models' dead letters. Units are the last word of each name.
import assert from 'node:assert/strict';

export const memoryBusLimits = {
  partitionsPerTopic: 1,
  batchMessagesMax: 500,
  redeliveryBackoffMinMs: 10,
  redeliveryBackoffMaxMs: 2_000,
  /** publish() rejects when the subscribers have not handled its messages by then (the relay retries). */
  publishAckTimeoutMs: 10_000,
} as const;

export const memoryReadModelLimits = {
  /** Dead letters kept per read model; the oldest are dropped first (the Postgres table keeps them all). */
  deadLettersMax: 10_000,
} as const;

assert.ok(memoryBusLimits.partitionsPerTopic >= 1 && memoryBusLimits.batchMessagesMax >= 1);
assert.ok(memoryBusLimits.redeliveryBackoffMinMs <= memoryBusLimits.redeliveryBackoffMaxMs);
