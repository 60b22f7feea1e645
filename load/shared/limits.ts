// Named bounds of the load instruments. A load tool that can hang or grow without limit hides the
// very failures it exists to expose, so every wait, retry, pool and sample store is capped here,
// unit last. Relations between bounds are asserted when the module loads.
import assert from 'node:assert/strict';

export const loadLimits = {
  /** Longest workload a scenario or autocannon run may ask for (2 hours). */
  durationMaxS: 7_200,
  /** Concurrent request loops of the scenario runner. */
  workersMax: 2_000,
  /** Accounts seeded before the workload. */
  seedAccountsMax: 100_000,
  /** Accounts the pool tracks; `create` operations past this still run but are not reused. */
  poolAccountsMax: 200_000,
  /** Concurrent create+deposit chains while seeding. */
  seedConcurrencyMax: 1_000,
  /** Largest amount or balance in minor units: JSON integers stay exact up to 2^53 - 1. */
  moneyMax: Number.MAX_SAFE_INTEGER,
  /** One request, from sending to the last byte of the response. */
  requestTimeoutMsDefault: 10_000,
  requestTimeoutMsMax: 120_000,
  /** Health probe before any load: attempts and pause between them. */
  healthAttemptsDefault: 10,
  healthAttemptsMax: 120,
  healthRetryDelayMsDefault: 1_500,
  healthRetryDelayMsMax: 30_000,
  /** Latency samples kept per operation; past this a reservoir sample keeps percentiles unbiased. */
  latencySamplesMax: 1_000_000,
  /** Distinct error keys counted per operation; the rest are folded into one "(other)" key. */
  errorKeysMax: 50,
  /** Errors listed per operation in the summary, as the seed did. */
  topErrorsShown: 3,
  /** Characters of an error message kept as its key, so ids in messages do not explode the map. */
  errorMessageCharsMax: 160,
  /** Transfers remembered for status polling; the oldest are forgotten first. */
  knownTransfersMax: 10_000,
  /** Random draws for an account that can afford a withdrawal before scanning the pool. */
  withdrawPickAttemptsMax: 8,
  /** Pool entries scanned for an affordable account before giving up and sending the minimum. */
  withdrawScanAccountsMax: 1_000,
  /** Draws for a transfer destination different from its source. */
  transferPairAttemptsMax: 16,
  /** History page size sent by the runner (the server caps `limit` at 500). */
  historyLimitMax: 500,
  /** Sockets the runner's keep-alive agent opens beyond one per worker (seeding runs alongside none). */
  agentExtraSockets: 8,
  /** Autocannon connections. */
  connectionsMax: 10_000,
  /** Keep-alive sockets of the paced (open-loop) client; more requests in flight wait for one. */
  pacedSocketsMax: 256,
  /**
   * How long the paced client waits for an answer: longer than the server's own command deadline
   * (COMMAND_TIMEOUT_MS, 10 s by default), so a command the server held that long is reported by its
   * 503 command_timeout instead of as a request the client gave up on.
   */
  pacedRequestTimeoutMs: 15_000,
  /** Accounts an autocannon scenario pre-creates. */
  cannonAccountsMax: 100_000,
  /** Response bytes the runner reads before dropping the body; bank responses are far smaller. */
  responseBytesMax: 1024 * 1024,
  /** Bench: balance reads in flight while verifying a run's deposits (the accounts are read back after each run). */
  balanceReadConcurrency: 20,
  /** Bench: how long a run's balances may take to settle (Acta's read model is asynchronous), and the pause between reads. */
  balanceSettleMs: 15_000,
  balanceSettlePollMs: 250,
  /** Emmett peer: its pg pool (Acta's PG_POOL_MAX default is 16) and the statement and connect timeouts pg leaves unlimited. */
  peerPoolMax: 16,
  peerStatementTimeoutMs: 10_000,
  peerConnectTimeoutMs: 5_000,
  /** Emmett peer: CommandHandler's retry on a version conflict (Emmett's own default is 3 retries from 100 ms, factor 1.5). */
  peerConflictRetries: 10,
  peerConflictRetryMinMs: 5,
  peerConflictRetryMaxMs: 200,
  peerConflictRetryFactor: 1.5,
  /** Emmett peer close: how long abandoned handlers may keep using the pool, polled until it is idle this many times in a row. */
  peerDrainMs: 10_000,
  peerDrainPollMs: 100,
  peerDrainIdlePolls: 5,
} as const;

assert.ok(loadLimits.poolAccountsMax >= loadLimits.seedAccountsMax, 'the pool must hold every seeded account');
assert.ok(loadLimits.requestTimeoutMsDefault <= loadLimits.requestTimeoutMsMax);
assert.ok(loadLimits.healthAttemptsDefault <= loadLimits.healthAttemptsMax);
assert.ok(loadLimits.healthRetryDelayMsDefault <= loadLimits.healthRetryDelayMsMax);
assert.ok(loadLimits.topErrorsShown <= loadLimits.errorKeysMax);
assert.ok(loadLimits.historyLimitMax >= 1);
assert.ok(loadLimits.balanceSettlePollMs < loadLimits.balanceSettleMs);
assert.ok(loadLimits.peerConflictRetryMinMs <= loadLimits.peerConflictRetryMaxMs);
assert.ok(loadLimits.peerStatementTimeoutMs < loadLimits.requestTimeoutMsDefault + 1, 'a peer statement must end before the client gives up on its request');
