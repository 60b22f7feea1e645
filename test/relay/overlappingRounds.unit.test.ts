// The relay claims its next round while the bus is still acknowledging the previous one. The events
// of a stream the previous round has in flight go out only once it was acknowledged (no stream's
// newer events before its older ones), other streams' at once; a refused round takes the events of
// its streams claimed after it back with it; acknowledged rows end up deleted.
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
  readonly published: Array<{ events: StoredEvent[]; acknowledge: () => void; refuse: () => void }> = [];

  publish(_topic: string, messages: readonly BusMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const events = messages.map((message) => JSON.parse(message.value) as StoredEvent);
      this.published.push({ events, acknowledge: resolve, refuse: () => reject(new Error('refused by the test')) });
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

  const versions = (events: readonly StoredEvent[]) => events.map((event) => [event.streamId, event.streamVersion]);
  const leased = (store: MemoryEventStore) => [...store.outboxTable.rows.values()].every((row) => row.claimedBy !== null);
  const published = (bus: HeldBus, count: number, what: string, timeoutMs = 2_000) =>
    eventually(what, async () => bus.published.length, { until: (now) => now === count, timeoutMs, intervalMs: 5 });

  /** A relay over a fresh store whose first round (`events` events of stream a) is published and held unacknowledged. */
  async function firstRoundInFlight(events: number): Promise<{ store: MemoryEventStore; outbox: MemoryOutbox; bus: HeldBus; a: string; running: OutboxRelay }> {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    const bus = new HeldBus();
    const a = streamId();
    await store.appendBatch([streamAppend(a, 0, events)]);
    const running = startOutboxRelay({ outbox, bus, logger: createLogger('silent') });
    relay = running;
    await published(bus, 1, 'round 1 published');
    return { store, outbox, bus, a, running };
  }

  it('publishes a stream in flight only after its earlier round is acknowledged, other streams at once, and deletes what was acknowledged', async () => {
    const { store, outbox, bus, a, running } = await firstRoundInFlight(2);
    const b = streamId();

    await store.appendBatch([streamAppend(a, 2, 1)]);
    await store.appendBatch([streamAppend(b, 0, 1)]);
    running.wake();
    await published(bus, 2, 'round 2 published what it may');
    expect(versions(bus.published[1]!.events), 'a3 waits for round 1 (a1, a2) to be acknowledged').to.deep.equal([[b, 1]]);
    expect(leased(store)).to.equal(true);

    bus.published[0]!.acknowledge();
    await published(bus, 3, 'a3 published');
    expect(versions(bus.published[2]!.events)).to.deep.equal([[a, 3]]);

    bus.published[1]!.acknowledge();
    bus.published[2]!.acknowledge();
    await eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 2_000, intervalMs: 5 });
    expect(running.stats().published).to.equal(4);
  });

  it('gives back the events of a stream claimed after a refused round unpublished, and publishes both again in order', async () => {
    const { store, outbox, bus, a, running } = await firstRoundInFlight(1);
    await store.appendBatch([streamAppend(a, 1, 1)]);
    running.wake();
    await eventually('round 2 claimed', async () => leased(store), { until: (all) => all, timeoutMs: 2_000, intervalMs: 5 });

    bus.published[0]!.refuse();
    const attempts = async () => [...store.outboxTable.rows.values()].map((row) => row.attempts).join();
    await eventually('both rounds given back', attempts, { until: (counted) => counted === '1,1', timeoutMs: 2_000, intervalMs: 5 });
    expect(bus.published, 'a2 never went out ahead of a1').to.have.length(1);
    await published(bus, 2, 'published again after the back-off', 4_000);
    expect(versions(bus.published[1]!.events)).to.deep.equal([[a, 1], [a, 2]]);
    bus.published[1]!.acknowledge();
    await eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 2_000, intervalMs: 5 });
  });

  it('gives back a whole row when the part of it that waited on a refused round cannot go: its other streams go out again, never lost', async () => {
    const { store, outbox, bus, a, running } = await firstRoundInFlight(1);
    const b = streamId();
    await store.appendBatch([streamAppend(a, 1, 1), streamAppend(b, 0, 1)]);
    running.wake();
    await published(bus, 2, 'b1 published at once');
    expect(versions(bus.published[1]!.events)).to.deep.equal([[b, 1]]);
    bus.published[1]!.acknowledge();
    bus.published[0]!.refuse();
    await published(bus, 3, 'published again after the back-off', 4_000);
    expect(versions(bus.published[2]!.events), 'b1 again with its row (at least once), a in order').to.deep.equal([[a, 1], [a, 2], [b, 1]]);
    bus.published[2]!.acknowledge();
    await eventually('the outbox drained', () => outbox.stats(), { until: (stats) => stats.pending === 0, timeoutMs: 2_000, intervalMs: 5 });
  });
});
