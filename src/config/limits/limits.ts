// The core bounds of Acta: money, accounts, transfers, the journal, HTTP input, shutdown and the
// embedded database. The other areas have a file of their own beside this one; index.ts is the
// one limits module that gathers them. Units are the last word of each name. Relations between
// bounds are asserted when this module loads, so a bad edit fails at start-up rather than as a hang
// under load; the defaults that configuration can override are checked again on the parsed
// configuration (config.ts), where an operator's value could undo them.
import assert from 'node:assert/strict';

export const limits = {
  /** Largest amount or balance in minor units: JSON integers stay exact up to 2^53 - 1. */
  moneyMax: Number.MAX_SAFE_INTEGER,
  /** Open transfer holds one account may carry (they live in its state and snapshot). */
  openHoldsPerAccountMax: 1_000,
  /** Attempts of one transfer step before it is abandoned (hold, credit) or parked until the next sweep. */
  transferStepAttemptsMax: 6,
  /** Backoff between attempts of a transfer step: doubles from the base up to the max. */
  transferBackoffBaseMs: 100,
  transferBackoffMaxMs: 5_000,
  /** The wait before a crashed account actor is activated again: doubles from the base up to the max. */
  accountRestartBackoffBaseMs: 50,
  accountRestartBackoffMaxMs: 2_000,
  /** How often unfinished transfers are looked up in the event store and resumed. */
  transferSweepIntervalMs: 10_000,
  /** Unfinished transfers resumed per sweep. */
  transferSweepBatchMax: 500,
  /** How often transfers whose owner ended (its node died) are looked for and resumed: cheap, so often. */
  transferOrphanSweepIntervalMs: 1_000,
  /** A lock-backed owner's own connection is checked this often; a failed check ends the owner. */
  ownerHeartbeatIntervalMs: 2_000,
  /** Fresh owner ids tried when the advisory lock of one is already held (a 64-bit key collision). */
  ownerAcquireAttemptsMax: 3,
  /**
   * Server-side TCP keepalive of an owner's connection: when its host dies without closing the
   * socket, Postgres ends the session, and so the owner's lock, after about idle + interval × count.
   */
  ownerKeepaliveIdleSeconds: 10,
  ownerKeepaliveIntervalSeconds: 5,
  ownerKeepaliveCount: 3,
  /** Live transfer actors at once; a sweep starts no more than this. */
  liveTransfersMax: 10_000,
  /** Commands an account actor holds while one turn is in flight; more answer 503 mailbox_full. */
  mailboxSizeMax: 1_000,
  /** Commands decided together in one actor turn (group commit). */
  turnCommandsMax: 500,
  /** Stream appends the journal writer puts into one Postgres transaction, across actors. */
  journalBatchAppendsMax: 256,
  /** Appends the journal writer holds waiting for a transaction; more are refused as overload. */
  journalQueueAppendsMax: 20_000,
  /** A command that has not been answered after this long answers 503 command_timeout (default of COMMAND_TIMEOUT_MS). */
  commandTimeoutMs: 10_000,
  /** At most one warning per this long about commands that timed out (the rest are counted into the next one). */
  commandTimeoutWarnIntervalMs: 1_000,
  /** An account actor with no command for this long is passivated (default of ACCOUNT_IDLE_MS). */
  accountIdleMs: 60_000,
  /** A snapshot is written every this many stream versions (default of SNAPSHOT_INTERVAL). */
  snapshotIntervalVersions: 50,
  /** Snapshot saves in flight at once per node; a snapshot due beyond them is skipped (see accountSnapshots.ts). */
  snapshotSavesInFlightMax: 4,
  /** Journal transactions in flight at once, each on a pooled connection (default of JOURNAL_CONCURRENT_TRANSACTIONS). */
  journalConcurrentTransactions: 4,
  /**
   * A journal transaction beyond the first in flight starts only once this many appends wait; fewer
   * wait for the one in flight and go together into the next. A transaction costs Postgres ~600 µs
   * of CPU whatever it carries (commit, WAL flush, the statement) and ~70 µs per append on top, so
   * a second transaction for one or two appends doubles what they cost (load/FINDINGS.md 8).
   */
  journalExtraTransactionAppendsMin: 16,
  /** A read with ?minVersion waits this long for the read model to catch up (default of READ_WAIT_MS). */
  readWaitMs: 2_000,
  /** A metrics scrape waits this long for the outbox's stats query before it reports the gauges without them. */
  scrapeOutboxStatsTimeoutMs: 2_000,
  /** A node whose presence connection dropped announces itself again after this. */
  nodePresenceRetryMs: 1_000,
  /** Reload-and-retry rounds after the database reports another writer on the stream. */
  conflictRetriesMax: 5,
  /** Before retry n (1-based) after a version conflict, a random pause of up to n × this. */
  conflictRetryJitterMsMax: 10,
  /** Events per read when an actor activates from its snapshot and tail. */
  activationReadEventsMax: 10_000,
  /** Live account actors at once; past this the least recently used idle actor is passivated. */
  liveActorsMax: 100_000,
  /** Commands a node runs at once (distinct Idempotency-Keys in flight); more answer 503 node_overloaded. */
  commandsInFlightMax: 50_000,
  /** Length bounds of client-supplied identifiers. */
  idLengthMax: 128,
  reasonLengthMax: 500,
  /** Who issued an account command (the seed's optional `actor`), kept in event metadata and statements. */
  actorLengthMax: 128,
  idempotencyKeyLengthMax: 200,
  /** Request body limit for the JSON parser. */
  requestBodyBytesMax: 16 * 1024,
  /** History page size bounds. */
  historyLimitMax: 500,
  /** The seed's default page size: a seed client that omits limit gets what it always got. */
  historyLimitDefault: 100,
  /** Postgres statement timeout for every query of the pool. */
  statementTimeoutMs: 15_000,
  /** Time to wait for in-flight commands on SIGTERM before closing the pool anyway. */
  shutdownDrainMs: 15_000,
  /**
   * After the drain: stopping the read pipeline worker, the pool and embedded Postgres. Each of
   * those steps gets its own share below; what does not finish in time is left to the process exit.
   */
  shutdownCloseMs: 4_500,
  /** The read pipeline worker's stop (its relay, bus client and projectors) within the close. */
  shutdownPipelineStopMs: 1_000,
  /** pool.end() within the close: it waits for checked-out clients, e.g. a read still running. */
  shutdownPoolEndMs: 500,
  /** A whole SIGTERM/SIGINT stop; past this the process logs what was pending and exits 1. */
  shutdownTotalMs: 20_000,
  /**
   * Kept-alive connections are left open this long after the drain begins (new ones are refused at
   * once), so that a client already sending its next request gets 503 shutting_down and
   * Connection: close, rather than a reset that leaves it not knowing whether its command ran.
   */
  shutdownIdleGraceMs: 500,
  /** Then idle keep-alive connections are closed this often (they go idle one by one). */
  shutdownIdleSweepMs: 100,
  /** A dying postmaster (killed, still exiting or a zombie) or one still starting up is waited for this long at start-up. */
  embeddedSettleMs: 30_000,
  /** How often the embedded data folder's lock file, and a starting postmaster, are looked at again. */
  embeddedPollMs: 50,
  /** Embedded Postgres stop: fast shutdown (SIGINT: checkpoint) this long, then immediate (SIGQUIT), then SIGKILL. */
  embeddedFastStopMs: 2_000,
  embeddedImmediateStopMs: 500,
  embeddedKillStopMs: 500,
} as const;

assert.ok(limits.turnCommandsMax <= limits.mailboxSizeMax, 'a turn cannot take more than the mailbox holds');
assert.ok(limits.transferOrphanSweepIntervalMs <= limits.transferSweepIntervalMs, 'orphans are looked for at least as often as all open transfers');
assert.ok(limits.ownerHeartbeatIntervalMs < limits.statementTimeoutMs && limits.ownerAcquireAttemptsMax >= 1);
assert.ok(limits.accountRestartBackoffBaseMs > 0 && limits.accountRestartBackoffBaseMs <= limits.accountRestartBackoffMaxMs);
assert.ok(limits.statementTimeoutMs > 0 && limits.commandTimeoutMs > 0);
// COMMAND_TIMEOUT_MS can override commandTimeoutMs: config.ts checks this relation again on its value.
assert.ok(limits.shutdownDrainMs >= limits.commandTimeoutMs, 'drain must outlast one command timeout');
assert.ok(limits.journalExtraTransactionAppendsMin >= 1 && limits.journalExtraTransactionAppendsMin <= limits.journalBatchAppendsMax, 'an extra journal transaction must be able to start');
assert.ok(limits.shutdownDrainMs + limits.shutdownCloseMs <= limits.shutdownTotalMs, 'the drain and the close must fit in the whole stop');
assert.ok(
  limits.shutdownPipelineStopMs + limits.shutdownPoolEndMs + limits.embeddedFastStopMs + limits.embeddedImmediateStopMs + limits.embeddedKillStopMs <= limits.shutdownCloseMs,
  'the close steps must fit in the close',
);
assert.ok(limits.shutdownIdleGraceMs + limits.shutdownIdleSweepMs < limits.shutdownDrainMs && limits.embeddedPollMs < limits.embeddedSettleMs);
assert.ok(limits.historyLimitDefault <= limits.historyLimitMax);
assert.ok(limits.scrapeOutboxStatsTimeoutMs < limits.statementTimeoutMs, 'a scrape gives up on the outbox stats before their statement does');
