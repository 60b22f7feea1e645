// Named bounds of the outbox relay (actors/outboxRelay), unit last: its poll, linger, backoff,
// lease and round sizes. Relations are asserted when the module loads.
import assert from 'node:assert/strict';
import { postgresLimits } from './storageLimits';

export const relayLimits = {
  pollIntervalMs: 500,
  /** Wait after a wake-up (or a partial round) before claiming, to gather the commits of that time. */
  lingerMs: 5,
  backoffMinMs: 100,
  backoffMaxMs: 5_000,
  leaseMs: 30_000,
  /** Events one round claims: whole outbox rows, oldest first, until this many (a round with fewer found no more). */
  eventsPerRoundMax: 1_000,
  /** Rounds whose publishes the bus has not acknowledged yet while the next one claims. */
  roundsInFlightMax: 2,
} as const;

assert.ok(Number.isSafeInteger(relayLimits.roundsInFlightMax) && relayLimits.roundsInFlightMax >= 1, 'at least one round in flight');
assert.ok(relayLimits.backoffMinMs <= relayLimits.backoffMaxMs && relayLimits.lingerMs < relayLimits.pollIntervalMs);
assert.ok(relayLimits.eventsPerRoundMax <= postgresLimits.outboxClaimEventsMax, 'a round is one outbox claim');
assert.ok(relayLimits.leaseMs <= postgresLimits.outboxLeaseMsMax, 'the outbox refuses a longer lease');
