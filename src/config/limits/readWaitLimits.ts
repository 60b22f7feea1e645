// Named bounds of read-your-writes (src/app/projectionVersions.ts): how a read that carries
// ?minVersion waits for the read model. How long it waits at most is limits.readWaitMs (READ_WAIT_MS).
import assert from 'node:assert/strict';
import { limits } from './limits';

export const readWaitLimits = {
  /** Fallback poll of the read model while waiting, for projections applied by another node. */
  pollIntervalMs: 50,
  /** Waiters per key (account, transfer); past this a waiter falls back to polling alone. */
  waitersPerKeyMax: 10_000,
} as const;

assert.ok(readWaitLimits.pollIntervalMs < limits.readWaitMs, 'a default wait polls at least once');
