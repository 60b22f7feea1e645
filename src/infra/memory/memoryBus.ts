// The in-process message bus: what feeds the projector actors from the outbox when Kafka is not
// configured. Same contract as Kafka's adapter: per-key order within a partition, offsets
// committed after the handler resolves, redelivery (with bounded backoff) when it rejects.
// An in-process log is not durable, so publish() resolves only once every subscribed group has
// handled (committed) the messages: the relay deletes outbox rows only after the projection has
// them, and a crash in between leaves the rows in the outbox to be published again.
import { BusMessage, ConsumedBatch, MessageBus, Subscription } from '../../ports/messageBus';
import { memoryBusLimits } from '../../config/limits';

interface AckWaiter {
  topic: string;
  /** Per partition, the offset every group must have committed past. */
  ends: Map<number, number>;
  resolve: () => void;
}

interface Partition {
  /** Offset of messages[0]; messages every group has committed are trimmed away. */
  base: number;
  messages: BusMessage[];
}

interface Group {
  topics: readonly string[];
  handle: (batch: ConsumedBatch) => Promise<void>;
  committed: Map<string, number>;
  busy: Set<string>;
  stopped: boolean;
}

export class MemoryBus implements MessageBus {
  private readonly topics = new Map<string, Partition[]>();
  private readonly groups = new Map<string, Group>();
  private readonly ackWaiters = new Set<AckWaiter>();

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    const partitions = this.partitionsOf(topic);
    const ends = new Map<number, number>();
    for (const message of messages) {
      const index = partitionFor(message.key);
      const log = partitions[index]!;
      log.messages.push(message);
      ends.set(index, log.base + log.messages.length);
    }
    const acknowledged = new Promise<void>((resolve, reject) => {
      const waiter: AckWaiter = {
        topic,
        ends,
        resolve: () => {
          clearTimeout(timer);
          this.ackWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.ackWaiters.delete(waiter);
        reject(new Error(`subscribers of ${topic} did not handle the messages within ${memoryBusLimits.publishAckTimeoutMs} ms`));
      }, memoryBusLimits.publishAckTimeoutMs);
      this.ackWaiters.add(waiter);
    });
    this.settleWaiters();
    this.pumpAll();
    return acknowledged;
  }

  /** Resolves the publishes whose messages every group subscribed to their topic has committed. */
  private settleWaiters(): void {
    for (const waiter of this.ackWaiters) {
      const groups = [...this.groups.values()].filter((group) => !group.stopped && group.topics.includes(waiter.topic));
      const done = [...waiter.ends].every(([partition, end]) =>
        groups.every((group) => (group.committed.get(`${waiter.topic}/${partition}`) ?? 0) >= end),
      );
      if (done) waiter.resolve();
    }
  }

  async subscribe(groupId: string, topics: readonly string[], handle: (batch: ConsumedBatch) => Promise<void>): Promise<Subscription> {
    const group: Group = { topics, handle, committed: this.groups.get(groupId)?.committed ?? new Map(), busy: new Set(), stopped: false };
    this.groups.set(groupId, group);
    for (const topic of topics) this.partitionsOf(topic);
    this.pumpAll();
    return {
      assignments: () => topics.flatMap((topic) => this.partitionsOf(topic).map((_, partition) => ({ topic, partition }))),
      stop: async () => {
        group.stopped = true;
        while (group.busy.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      },
    };
  }

  async healthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    for (const group of this.groups.values()) group.stopped = true;
  }

  private partitionsOf(topic: string): Partition[] {
    let partitions = this.topics.get(topic);
    if (!partitions) {
      partitions = Array.from({ length: memoryBusLimits.partitionsPerTopic }, () => ({ base: 0, messages: [] }));
      this.topics.set(topic, partitions);
    }
    return partitions;
  }

  private pumpAll(): void {
    for (const group of this.groups.values()) {
      if (group.stopped) continue;
      for (const topic of group.topics) {
        this.partitionsOf(topic).forEach((_, partition) => void this.pump(group, topic, partition, memoryBusLimits.redeliveryBackoffMinMs));
      }
    }
  }

  private async pump(group: Group, topic: string, partition: number, backoffMs: number): Promise<void> {
    const slot = `${topic}/${partition}`;
    if (group.busy.has(slot) || group.stopped) return;
    const log = this.partitionsOf(topic)[partition]!;
    const from = group.committed.get(slot) ?? 0;
    const end = log.base + log.messages.length;
    if (from >= end) return;
    group.busy.add(slot);
    const messages = log.messages
      .slice(from - log.base, from - log.base + memoryBusLimits.batchMessagesMax)
      .map((message, index) => ({ ...message, offset: String(from + index) }));
    let nextBackoff: number = memoryBusLimits.redeliveryBackoffMinMs;
    try {
      await group.handle({ topic, partition, messages, highWatermark: String(end) });
      group.committed.set(slot, from + messages.length);
      this.trim(topic, partition);
      this.settleWaiters();
    } catch {
      // The handler reports and counts its own failures; the bus only redelivers, after a bounded backoff.
      nextBackoff = Math.min(backoffMs * 2, memoryBusLimits.redeliveryBackoffMaxMs);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
    } finally {
      group.busy.delete(slot);
    }
    void this.pump(group, topic, partition, nextBackoff);
  }

  /** Drops messages every group has committed, so the log stays bounded by the slowest consumer. */
  private trim(topic: string, partition: number): void {
    const log = this.partitionsOf(topic)[partition]!;
    const slot = `${topic}/${partition}`;
    const groups = [...this.groups.values()].filter((group) => group.topics.includes(topic));
    const low = Math.min(...groups.map((group) => group.committed.get(slot) ?? 0));
    if (low > log.base) {
      log.messages.splice(0, low - log.base);
      log.base = low;
    }
  }
}

function partitionFor(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i += 1) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % memoryBusLimits.partitionsPerTopic;
}
