// Named bounds of the Kafka adapter (kafkaBus.ts): timeouts, retries, fetch sizes and caches.
// Units are the last word of each name. Relations between bounds are asserted when this module loads,
// so a bad edit fails at start-up rather than as a consumer group that never settles.
import assert from 'node:assert/strict';

export const kafkaLimits = {
  /** Partitions of a topic the adapter creates on demand; the most projector members a topic can use. */
  topicPartitionsDefault: 3,
  /** Replicas of a topic the adapter creates: this many, or the number of brokers if there are fewer. */
  topicReplicationFactorMax: 3,
  /** Time the controller has to create a topic and elect its leaders. */
  topicCreateTimeoutMs: 10_000,
  /** Topic names remembered as existing; past this the cache starts over (creation is idempotent). */
  knownTopicsMax: 10_000,

  /** TCP connect to one broker. */
  connectionTimeoutMs: 3_000,
  /** One request to a broker (produce with acks from all in-sync replicas, fetch, commit, admin). */
  requestTimeoutMs: 10_000,
  /** Retries of one failed client operation before it gives up (kafkajs `retry.retries`). */
  retriesMax: 5,
  /** First backoff between retries; doubled each time up to `retryBackoffMaxMs`, ±20 % jitter. */
  retryBackoffInitialMs: 300,
  retryBackoffMaxMs: 10_000,

  /** A member that sends no heartbeat for this long is removed from its group. */
  sessionTimeoutMs: 10_000,
  /** Heartbeat period; also kept up while a batch handler runs, so slow handlers keep their partitions. */
  heartbeatIntervalMs: 1_000,
  /** Time the coordinator waits for every member to rejoin during a rebalance. */
  rebalanceTimeoutMs: 30_000,
  /** Longest a fetch waits on the broker for new messages; also how long stop() can wait for a fetch. */
  fetchMaxWaitMs: 500,
  /** Bytes one fetch returns per partition and in total. */
  fetchPartitionBytesMax: 1024 * 1024,
  fetchBytesMax: 10 * 1024 * 1024,
  /** Partitions whose batches are handled at the same time by one member (still one batch per partition). */
  partitionsConsumedConcurrently: 3,

  /**
   * Bytes of messages (keys, values, headers) in one produce request. kafkajs sends a partition's
   * messages as one record batch, and the broker refuses a batch over its message.max.bytes (1 MiB
   * by default) for good: after an outage the outbox holds far more than that, so a relay round is
   * sent in requests of at most this size, one after another.
   */
  produceRequestBytesMax: 512 * 1024,

  /** readiness: describeCluster must answer within this. */
  healthCheckTimeoutMs: 2_000,
  /** Stopping a consumer (waits for the batch in flight) or disconnecting the producer or admin. */
  disconnectTimeoutMs: 30_000,
} as const;

assert.ok(kafkaLimits.topicPartitionsDefault >= 1 && kafkaLimits.topicReplicationFactorMax >= 1);
assert.ok(kafkaLimits.heartbeatIntervalMs * 3 <= kafkaLimits.sessionTimeoutMs, 'heartbeat at least three times per session');
// Kafka's broker default group.min.session.timeout.ms is 6 s; a shorter session is refused at join.
assert.ok(kafkaLimits.sessionTimeoutMs >= 6_000, 'session timeout below the broker minimum');
assert.ok(kafkaLimits.sessionTimeoutMs <= kafkaLimits.rebalanceTimeoutMs);
assert.ok(kafkaLimits.fetchMaxWaitMs < kafkaLimits.requestTimeoutMs, 'a fetch must answer before its request times out');
assert.ok(kafkaLimits.fetchPartitionBytesMax <= kafkaLimits.fetchBytesMax);
assert.ok(kafkaLimits.retryBackoffInitialMs <= kafkaLimits.retryBackoffMaxMs);
assert.ok(kafkaLimits.healthCheckTimeoutMs <= kafkaLimits.requestTimeoutMs);
assert.ok(kafkaLimits.disconnectTimeoutMs >= kafkaLimits.requestTimeoutMs, 'disconnect must outlast one request');
