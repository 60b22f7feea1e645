// Named bounds of the query side (projectors, rebuild, replay, verify), unit last. Relations with
// the store's own bounds are asserted when the module loads, so a bad edit fails at start-up.
import assert from 'node:assert/strict';
import { postgresLimits } from './storageLimits';

export const projectionLimits = {
  /** Events per readStream call while a projector repairs a gap in a stream. */
  gapRepairPageEvents: 1_000,
  /** Events per readAll call while rebuild or verify walk the whole log. */
  replayPageEvents: 5_000,
  /** Events per readStream call while one stream (an account, a transfer) is rebuilt or re-checked. */
  streamRebuildPageEvents: 5_000,
  /** A page with fewer events than this is folded in-process: a worker round trip costs more. */
  inProcessFoldEventsMax: 2_000,
  /** Worker threads that fold streams during rebuild and verify. */
  foldWorkerThreadsMax: 4,
  /** An idle fold worker thread exits after this long. */
  foldWorkerIdleMs: 30_000,
  /** Streams in one worker task. */
  foldTaskStreamsMax: 500,
  /** Rows per multi-row insert into the read models and their shadow tables. */
  insertRowsMax: 1_000,
  /** Rows per keyset page when verify reads a read model back. */
  verifyReadRowsMax: 5_000,
  /** Connections the replay CLI opens (one is held by a full rebuild for its whole run). */
  cliPoolConnectionsMax: 4,
  /** Rebuild and verify print one progress line per this many streams. */
  progressEveryStreams: 10_000,
  /** Drifts verify lists in full; past this it only counts them. */
  driftsListedMax: 1_000,
  /** Statements of a whole-table rebuild (set logged, bulk inserts) may run this long. */
  rebuildStatementTimeoutMs: 10 * 60_000,
  /** The swap waits at most this long for readers to let go of the live tables, then gives up. */
  swapLockTimeoutMs: 5_000,
  /** Characters of a poison message's payload and error kept in its dead letter. */
  deadLetterPayloadCharsMax: 64 * 1024,
  deadLetterErrorCharsMax: 2_000,
  /** Backoff between attempts to (re)join the consumer group. */
  subscribeBackoffMinMs: 100,
  subscribeBackoffMaxMs: 5_000,
  /** restart() and stop() give up waiting for the projector after this long. */
  projectorTransitionTimeoutMs: 60_000,
} as const;

assert.ok(projectionLimits.gapRepairPageEvents <= postgresLimits.readEventsMax, 'a gap-repair page must fit one readStream');
assert.ok(projectionLimits.replayPageEvents <= postgresLimits.readEventsMax, 'a replay page must fit one readAll');
assert.ok(projectionLimits.streamRebuildPageEvents <= postgresLimits.readEventsMax);
assert.ok(projectionLimits.inProcessFoldEventsMax <= projectionLimits.replayPageEvents, 'otherwise workers are never used');
assert.ok(projectionLimits.foldWorkerThreadsMax >= 1 && projectionLimits.foldTaskStreamsMax >= 1);
assert.ok(projectionLimits.subscribeBackoffMinMs <= projectionLimits.subscribeBackoffMaxMs);
assert.ok(projectionLimits.swapLockTimeoutMs < postgresLimits.statementTimeoutMs, 'the lock wait must give up before the statement does');
