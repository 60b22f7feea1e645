// Kafka adapter of the MessageBus port, and the only module in Acta that imports kafkajs.
//
// Publishing goes through one idempotent producer: acks from every in-sync replica and one request in
// flight, so a retried send neither duplicates nor reorders a partition's messages. Messages are keyed
// by stream id and placed with the Java-compatible partitioner, so one stream stays in one partition.
// Topics are created on first use with a named partition count.
//
// Consuming is at-least-once: a batch's offsets are committed only after the handler resolves. When it
// rejects nothing is resolved or committed, and kafkajs's retrier fetches the same offsets again with
// bounded exponential backoff; after `retriesMax` attempts the consumer restarts (rejoins its group)
// and the cycle goes on, so a failing batch is retried until it succeeds or its partition moves to
// another member. A crash kafkajs will not restart (memberSupervisor.ts names them) is answered by a new
// member in the group. Handlers must therefore be idempotent, which projections are by design.
import assert from 'node:assert/strict';
import {
  AssignerProtocol,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaMessage,
  type LogEntry,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import type { BusMessage, ConsumedBatch, ConsumerGroupView, MessageBus, Subscription } from '../../ports/messageBus';
import { createLogger, type Logger } from '../logger';
import { kafkaLimits } from '../../config/limits';
import { superviseMember, type GroupMember } from './memberSupervisor';

export interface KafkaBusOptions {
  /** host:port of at least one broker. */
  brokers: readonly string[];
  clientId: string;
  /** Receives the adapter's own logs and kafkajs's (WARN and above, everything at debug). Silent if absent. */
  logger?: Logger;
}

type TopicPartition = { topic: string; partition: number };

/** Thrown into kafkajs in place of a handler's rejection so the batch is always retried. */
class BatchHandlerError extends Error {
  // kafkajs gives up on errors marked `retriable: false` and on TypeError, RangeError, ReferenceError
  // and SyntaxError, and a consumer that gives up stays stopped. A handler's bug must not silently stop
  // a projection, so every rejection is wrapped in an error kafkajs retries.
  readonly retriable = true;

  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'BatchHandlerError';
  }
}

/** Spelled out rather than left to kafkajs defaults: backoff 300 ms doubling to 10 s, ±20 % jitter. */
const retry: RetryOptions = {
  retries: kafkaLimits.retriesMax,
  initialRetryTime: kafkaLimits.retryBackoffInitialMs,
  maxRetryTime: kafkaLimits.retryBackoffMaxMs,
  multiplier: 2,
  factor: 0.2,
};

export function createKafkaBus(options: KafkaBusOptions): MessageBus {
  assert.ok(options.brokers.length > 0, 'at least one Kafka broker is required');
  assert.ok(options.clientId.length > 0, 'a Kafka client id is required');
  const log = (options.logger ?? createLogger('silent')).child({ component: 'kafka-bus' });
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: kafkaLimits.connectionTimeoutMs,
    requestTimeout: kafkaLimits.requestTimeoutMs,
    enforceRequestTimeout: true,
    retry,
    logLevel: kafkaLogLevel(log),
    logCreator: () => (entry) => forwardKafkaLog(log, entry),
  });
  // kafkajs warns that an idempotent producer with bounded retries "may invalidate EoS guarantees": a
  // send that exhausts its retries can be resent by the outbox relay and appear twice. That is the
  // at-least-once contract consumers already handle; unbounded retries would let a publish hang.
  const newProducer = () =>
    lazyConnection<Producer>(
      kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        retry,
      }),
    );
  let producer = newProducer();
  const admin = lazyConnection<Admin>(kafka.admin({ retry }));
  const knownTopics = new Set<string>();
  const topicsBeingCreated = new Map<string, Promise<void>>();
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | null = null;

  function assertOpen(): void {
    assert.ok(closing === null, 'the Kafka bus is closed');
  }

  async function ensureTopics(topics: readonly string[]): Promise<void> {
    await Promise.all(topics.filter((topic) => !knownTopics.has(topic)).map(ensureTopic));
  }

  function ensureTopic(topic: string): Promise<void> {
    let pending = topicsBeingCreated.get(topic);
    if (pending === undefined) {
      pending = createTopic(topic)
        .then(() => rememberTopic(topic))
        .finally(() => topicsBeingCreated.delete(topic));
      topicsBeingCreated.set(topic, pending);
    }
    return pending;
  }

  async function createTopic(topic: string): Promise<void> {
    const client = await admin.get();
    const { brokers } = await client.describeCluster();
    const replicationFactor = Math.min(kafkaLimits.topicReplicationFactorMax, brokers.length);
    // kafkajs resolves false (rather than rejecting) when the broker answers TOPIC_ALREADY_EXISTS for
    // every topic asked: another node, or an earlier run, created it. Any other error rejects.
    const created = await client.createTopics({
      topics: [{ topic, numPartitions: kafkaLimits.topicPartitionsDefault, replicationFactor }],
      waitForLeaders: true,
      timeout: kafkaLimits.topicCreateTimeoutMs,
    });
    log.debug({ topic, created, partitions: kafkaLimits.topicPartitionsDefault, replicationFactor }, created ? 'created topic' : 'topic exists');
  }

  function rememberTopic(topic: string): void {
    if (knownTopics.size >= kafkaLimits.knownTopicsMax) knownTopics.clear();
    knownTopics.add(topic);
  }

  async function publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    assertOpen();
    if (messages.length === 0) return;
    await ensureTopics([topic]);
    const current = producer;
    try {
      const client = await current.get();
      // In order, one request after the other: a stream's messages keep their order across requests.
      for (const chunk of byRequestSize(messages, kafkaLimits.produceRequestBytesMax)) {
        await client.send({
          topic,
          acks: -1,
          timeout: kafkaLimits.requestTimeoutMs,
          messages: chunk.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
        });
      }
    } catch (error) {
      // The topic may have been deleted behind our back; check it again on the next publish.
      knownTopics.delete(topic);
      // An idempotent producer whose broker lost its state (a broker killed and restarted) answers
      // OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID to every later send: it never recovers
      // by itself. A failed send therefore retires the producer; the next publish gets a new one
      // (a new producer id). The rows of this round are released and sent again: at least once.
      if (producer === current) {
        producer = newProducer();
        void withTimeout(current.disconnect(), kafkaLimits.disconnectTimeoutMs, 'retired producer disconnect').catch((disconnectError: unknown) =>
          log.warn({ err: disconnectError }, 'could not disconnect a retired producer'),
        );
      }
      throw error;
    }
  }

  async function subscribe(
    groupId: string,
    topics: readonly string[],
    handle: (batch: ConsumedBatch) => Promise<void>,
  ): Promise<Subscription> {
    assertOpen();
    assert.ok(groupId.length > 0, 'a consumer group id is required');
    assert.ok(topics.length > 0, 'subscribe needs at least one topic');
    await ensureTopics(topics);
    const groupLog = log.child({ groupId });
    const supervised = await superviseMember((gaveUp) => startMember(groupId, topics, handle, groupLog, gaveUp), {
      log: groupLog,
      backoffInitialMs: kafkaLimits.retryBackoffInitialMs,
      backoffMaxMs: kafkaLimits.retryBackoffMaxMs,
    });
    const subscription: Subscription = {
      assignments: supervised.assignments,
      stop: () => supervised.stop().finally(() => subscriptions.delete(subscription)),
    };
    subscriptions.add(subscription);
    return subscription;
  }

  /** One member of the group: connected, subscribed and running (joined, with its assignment) when it resolves. */
  async function startMember(
    groupId: string,
    topics: readonly string[],
    handle: (batch: ConsumedBatch) => Promise<void>,
    groupLog: Logger,
    gaveUp: (error: unknown) => void,
  ): Promise<GroupMember> {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: kafkaLimits.sessionTimeoutMs,
      rebalanceTimeout: kafkaLimits.rebalanceTimeoutMs,
      heartbeatInterval: kafkaLimits.heartbeatIntervalMs,
      maxWaitTimeInMs: kafkaLimits.fetchMaxWaitMs,
      minBytes: 1,
      maxBytesPerPartition: kafkaLimits.fetchPartitionBytesMax,
      maxBytes: kafkaLimits.fetchBytesMax,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      retry: {
        ...retry,
        // Restart (rejoin the group, fetch from the last committed offset) after any retriable failure,
        // including a batch that failed `retriesMax` times. A crash kafkajs deems not retriable ignores
        // this; the CRASH listener then calls `gaveUp` and the supervisor starts a new member.
        restartOnFailure: async () => true,
      },
    });
    let assigned: TopicPartition[] = [];
    trackAssignments(consumer, groupLog, (next) => {
      assigned = next;
    }, gaveUp);

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      // run() resolves once this member has joined the group and received its assignment, or once a
      // failed join went to kafkajs's crash handling (a restart, or `gaveUp`).
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: kafkaLimits.partitionsConsumedConcurrently,
        eachBatch: (payload) => deliverBatch(payload, groupLog, handle),
      });
    } catch (error) {
      await withTimeout(consumer.disconnect(), kafkaLimits.disconnectTimeoutMs, 'consumer disconnect').catch((disconnectError: unknown) => {
        groupLog.warn({ err: disconnectError }, 'could not disconnect a consumer that failed to start');
      });
      throw error;
    }

    return {
      assignments: () => assigned.map((entry) => ({ ...entry })),
      // disconnect() waits for the batch in flight, leaves the group (so its partitions move at once)
      // and closes the connections.
      stop: () =>
        withTimeout(consumer.disconnect(), kafkaLimits.disconnectTimeoutMs, 'consumer stop').finally(() => {
          assigned = [];
        }),
    };
  }

  async function healthy(): Promise<boolean> {
    if (closing !== null) return false;
    try {
      const cluster = await withTimeout(
        admin.get().then((client) => client.describeCluster()),
        kafkaLimits.healthCheckTimeoutMs,
        'Kafka describeCluster',
      );
      return cluster.brokers.length > 0;
    } catch (error) {
      log.warn({ err: error }, 'Kafka health check failed');
      return false;
    }
  }

  async function consumerGroups(groups: ReadonlyArray<{ groupId: string; topic: string }>): Promise<ConsumerGroupView[]> {
    assertOpen();
    const client = await admin.get();
    const described = await client.describeGroups(groups.map((group) => group.groupId));
    return Promise.all(
      groups.map(async ({ groupId, topic }) => {
        const group = described.groups.find((entry) => entry.groupId === groupId);
        const [committed, ends] = await Promise.all([client.fetchOffsets({ groupId, topics: [topic] }), client.fetchTopicOffsets(topic)]);
        const committedBy = new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, entry.offset]));
        return {
          groupId,
          topic,
          state: group?.state ?? 'Unknown',
          members: (group?.members ?? []).map((member) => ({
            clientId: member.clientId,
            host: member.clientHost,
            partitions: memberPartitions(member.memberAssignment, topic),
          })),
          partitions: ends
            .map((end) => {
              const offset = committedBy.get(end.partition);
              // kafkajs answers '-1' for a partition the group never committed.
              return { partition: end.partition, committed: offset === undefined || offset === '-1' ? null : offset, end: end.high };
            })
            .sort((a, b) => a.partition - b.partition),
        };
      }),
    );
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      const stopped = await Promise.allSettled([...subscriptions].map((subscription) => subscription.stop()));
      const disconnected = await Promise.allSettled([
        withTimeout(producer.disconnect(), kafkaLimits.disconnectTimeoutMs, 'producer disconnect'),
        withTimeout(admin.disconnect(), kafkaLimits.disconnectTimeoutMs, 'admin disconnect'),
      ]);
      const failures = [...stopped, ...disconnected].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      if (failures.length > 0) throw new AggregateError(failures, 'the Kafka bus did not close cleanly');
    })();
    return closing;
  }

  return { publish, subscribe, healthy, consumerGroups, close };
}

/** Consecutive runs of messages of at most `bytesMax` each (a message larger than that goes alone). */
export function byRequestSize(messages: readonly BusMessage[], bytesMax: number): BusMessage[][] {
  const chunks: BusMessage[][] = [];
  let chunk: BusMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (chunk.length > 0 && bytes + size > bytesMax) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

function messageBytes(message: BusMessage): number {
  let bytes = Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** The partitions of `topic` in a member's assignment (empty while the group rebalances). */
function memberPartitions(assignment: Buffer, topic: string): number[] {
  if (assignment.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
  return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
}

/** Hands one fetched batch to `handle`, then resolves and commits its offsets; nothing is committed on failure. */
async function deliverBatch(
  payload: EachBatchPayload,
  log: Logger,
  handle: (batch: ConsumedBatch) => Promise<void>,
): Promise<void> {
  const { batch } = payload;
  // A batch fetched while this member is stopping is left uncommitted for whoever takes the partition.
  if (batch.isEmpty() || !payload.isRunning() || payload.isStale()) return;
  const firstOffset = batch.firstOffset();
  const lastOffset = batch.lastOffset();
  // kafkajs only heartbeats between batches; keep the membership alive while a slow handler runs.
  const keepAlive = setInterval(() => {
    payload.heartbeat().catch((error: unknown) => {
      // A rebalance shows up here first; the commit below then fails and kafkajs rejoins the group.
      log.debug({ err: error }, 'heartbeat during a batch failed');
    });
  }, kafkaLimits.heartbeatIntervalMs);
  keepAlive.unref();
  try {
    await handle({
      topic: batch.topic,
      partition: batch.partition,
      highWatermark: batch.highWatermark,
      messages: batch.messages.map(toBusMessage),
    });
  } catch (error) {
    log.warn(
      { err: error, topic: batch.topic, partition: batch.partition, firstOffset, lastOffset },
      'batch handler failed; the batch will be delivered again',
    );
    throw new BatchHandlerError(`handler failed for ${batch.topic}[${batch.partition}] offsets ${firstOffset}..${lastOffset}`, error);
  } finally {
    clearInterval(keepAlive);
  }
  payload.resolveOffset(lastOffset);
  // A committed offset names the next message to read, hence lastOffset + 1.
  await payload.commitOffsetsIfNecessary({
    topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
  });
  await payload.heartbeat();
}

/** Keeps `update` informed of the partitions assigned to this member, from kafkajs instrumentation events. */
function trackAssignments(
  consumer: Consumer,
  log: Logger,
  update: (assigned: TopicPartition[]) => void,
  gaveUp: (error: unknown) => void,
): void {
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = Object.entries(payload.memberAssignment)
      .flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    update(assigned);
    log.info({ memberId: payload.memberId, assigned }, 'joined consumer group');
  });
  consumer.on(consumer.events.REBALANCING, () => update([]));
  consumer.on(consumer.events.STOP, () => update([]));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    update([]);
    if (payload.restart) log.warn({ err: payload.error }, 'consumer crashed; kafkajs restarts it');
    // The supervisor logs it once, with when the new member starts.
    else gaveUp(payload.error);
  });
}

function toBusMessage(message: KafkaMessage): BusMessage & { offset: string } {
  const headers = decodeHeaders(message.headers);
  return {
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
    ...(headers ? { headers } : {}),
    offset: message.offset,
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Kafka allows a header name to repeat; the port has one value per name, so the last one wins.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = last.toString();
  }
  return Object.keys(decoded).length > 0 ? decoded : undefined;
}

/** Connects on first use and shares that connection; a failed connect is retried by the next caller. */
function lazyConnection<T extends { connect(): Promise<void>; disconnect(): Promise<void> }>(client: T) {
  let connected: Promise<T> | null = null;
  return {
    get(): Promise<T> {
      connected ??= client.connect().then(
        () => client,
        (error: unknown) => {
          connected = null;
          throw error;
        },
      );
      return connected;
    },
    async disconnect(): Promise<void> {
      if (connected === null) return;
      connected = null;
      await client.disconnect();
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** kafkajs is chatty at INFO; forward WARN and above unless the logger is at debug. */
function kafkaLogLevel(log: Logger): logLevel {
  if (log.isLevelEnabled('debug')) return logLevel.DEBUG;
  if (log.isLevelEnabled('warn')) return logLevel.WARN;
  if (log.isLevelEnabled('error')) return logLevel.ERROR;
  return logLevel.NOTHING;
}

/**
 * kafkajs messages this adapter already reports in its own words (a handler failure, logged once with
 * its offsets) or has chosen deliberately (bounded producer retries, explained above): kept at debug.
 */
const restatedKafkaMessages = new Set([
  'Error when calling eachBatch',
  'Limiting retries for the idempotent producer may invalidate EoS guarantees',
]);

function forwardKafkaLog(log: Logger, { namespace, level, log: entry }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
  const context = { kafkajs: namespace, ...fields };
  if (restatedKafkaMessages.has(message)) log.debug(context, message);
  else if (level === logLevel.ERROR) log.error(context, message);
  else if (level === logLevel.WARN) log.warn(context, message);
  else if (level === logLevel.INFO) log.info(context, message);
  else log.debug(context, message);
}
