// Named bounds of the read pipeline (relay → bus → projectors) when it runs on its own worker thread,
// unit last: how the HTTP thread talks to the worker and how a failed worker is started again.
import assert from 'node:assert/strict';

export const readPipelineLimits = {
  /** How often a worker pipeline pushes its stats to the HTTP thread (console, gauges). */
  statsIntervalMs: 500,
  /** Bound on a request to the worker (restart, health, stop) before it counts as failed. */
  requestTimeoutMs: 30_000,
  /** Bound on the worker's start (migrations are done by the HTTP thread; this is pool + subscribe). */
  startTimeoutMs: 60_000,
  /** Restarts of a failed worker pipeline: first delay, doubling up to the max. */
  restartDelayMs: 500,
  restartDelayMaxMs: 30_000,
  /** Connections of the worker pipeline's own pool (default of READ_PIPELINE_PG_POOL_MAX). */
  poolConnectionsMax: 8,
} as const;

assert.ok(readPipelineLimits.restartDelayMs <= readPipelineLimits.restartDelayMaxMs);
assert.ok(readPipelineLimits.statsIntervalMs < readPipelineLimits.requestTimeoutMs, 'stats arrive more often than a request may take');
