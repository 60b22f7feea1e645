// The relay claims its next round while the bus is still acknowledging the previous one. A stream
// whose rows are in flight must not have newer rows published before those are acknowledged (its
// rows stay leased until deleted); other streams go on; acknowledged rows end up deleted.
import { expect } from 'chai';
import { OutboxRelay, startOutboxRelay } from '../../actors/outboxRelay/outboxRelay';
import { createLogger } from '../../src/infra/logger';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryOutbox } from '../../src/infra/memory/memoryOutbox';
import { BusMessage, MessageBus, Subscription } from '../../src/ports/messageBus';
import { StoredEvent } from '../../src/ports/storedEvent';
import { streamAppend, streamId } from '../store/fixtures';
import { eventually } from '../support/eventually';

/** A bus that records each publish and acknowledges only when told to. */
class HeldBus implements MessageBus {
  readonly published: Array<{ events: StoredEvent[]; acknowledge: () => void }> = [];

  publish(_topic: string, messages: readonly BusMessage[]): Promise<void> {
    return new Promise((resolve) => {
      this.published.push({ events: messages.map((message) => JSON.parse(message.value) as StoredEvent), acknowledge: resolve });
    });
  }
  subscribe(): Promise<Subscription> {
    throw new Error('not used');
  }
  async healthy(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

describe('outbox relay: overlapping rounds', () => {
  let relay: OutboxRelay | null = null;
  afterEach(async () => relay?.stop());

  it('keeps a stream in flight out of later rounds until acknowledged, publishes other streams meanwhile, and deletes what was acknowledged', async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    const bus = new HeldBus();
    const [a, b] = [streamId(), streamId()];
    await store.appendBatch([streamAppend(a, 0, 2)]);
    relay = startOutboxRelay({ outbox, bus, logger: createLogger('silent') });
    await eventually('round 1 published', async () => bus.published.length, { until: (count) => count === 1, timeoutMs: 2_000, intervalMs: 5 });

    await store.appendBatch([streamAppend(a, 2, 1)]);
    await store.appendBatch([streamAppend(b, 0, 1)]);
    relay.wake();
    await eventually('round 2 published', async () => bus.published.length, { until: (count) => count === 2, timeoutMs: 2_000, intervalMs: 5 });
    // Round 1 (a1, a2) is still unacknowledged: only b may go out.
    expect(bus.published[1]!.events.map((event) => [event.streamId, event.streamVersion])).to.deep.equal([[b, 1]]);

    bus.published[0]!.acknowledge();
    await eventually('round 3 published', async () => bus.published.length, { until: (count) => count === 3, timeoutMs: 2_000, intervalMs: 5 });
    expect(bus.published[2]!.events.map((event) => [event.streamId, event.streamVersion])).to.deep.equal([[a, 3]]);

    bus.published[1]!.acknowledge();
    bus.published[2]!.acknowledge();
    await eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 2_000, intervalMs: 5 });
    expect(relay.stats().published).to.equal(4);
  });
});
