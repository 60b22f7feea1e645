// The message bus port between the outbox relay and the projector actors. Adapters: Kafka
// (src/infra/kafka, the only module that imports kafkajs) and an in-process bus (src/infra/memory).

export interface BusMessage {
  /** Partition key: the stream id, so one stream's messages stay ordered in one partition. */
  key: string;
  /** JSON text of the StoredEvent. */
  value: string;
  headers?: Record<string, string>;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: Array<BusMessage & { offset: string }>;
  /** Offset of the newest message in the partition when the batch was fetched (for lag). */
  highWatermark: string;
}

export interface Subscription {
  /** Partitions currently assigned to this member of the group. */
  assignments(): Array<{ topic: string; partition: number }>;
  stop(): Promise<void>;
}

export interface MessageBus {
  /** Resolves once the bus has durably accepted every message (Kafka: acks from all in-sync replicas). */
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  /**
   * Joins consumer group `groupId`. `handle` is called with one batch at a time per partition;
   * the batch's offsets are committed only after `handle` resolves. If it rejects, the batch is
   * delivered again (bounded backoff inside the adapter).
   */
  subscribe(groupId: string, topics: readonly string[], handle: (batch: ConsumedBatch) => Promise<void>): Promise<Subscription>;
  /** True when the bus answers (readiness). */
  healthy(): Promise<boolean>;
  /**
   * What the broker knows of these consumer groups: members (client id, host) with their assigned
   * partitions, and per partition the committed offset against the end. Only buses with groups
   * shared across processes (Kafka) have it; the in-process bus has none.
   */
  consumerGroups?(groups: ReadonlyArray<{ groupId: string; topic: string }>): Promise<ConsumerGroupView[]>;
  close(): Promise<void>;
}

export interface ConsumerGroupView {
  groupId: string;
  topic: string;
  state: string;
  members: Array<{ clientId: string; host: string; partitions: number[] }>;
  /** committed: null when the group has committed nothing on that partition yet. */
  partitions: Array<{ partition: number; committed: string | null; end: string }>;
}
