// The relay gathers the commits of lingerMs after a wake-up into one round (one claim, one publish)
// instead of claiming each commit alone; a full round goes on without waiting. Fake timers: the
// test controls time, so it asserts what happens before and after the linger, not how fast.
import { expect } from 'chai';
import sinon from 'sinon';
import { OutboxRelay, startOutboxRelay } from '../../actors/outboxRelay/outboxRelay';
import { relayLimits } from '../../src/config/limits';
import { createLogger } from '../../src/infra/logger';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryOutbox } from '../../src/infra/memory/memoryOutbox';
import { BusMessage, MessageBus, Subscription } from '../../src/ports/messageBus';
import { streamAppend, streamId } from '../store/fixtures';

/** A bus that records what each publish carried and acknowledges at once. */
class RecordingBus implements MessageBus {
  readonly publishes: string[][] = [];
  async publish(_topic: string, messages: readonly BusMessage[]): Promise<void> {
    this.publishes.push(messages.map((message) => message.key));
  }
  subscribe(): Promise<Subscription> {
    throw new Error('not used');
  }
  async healthy(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}

describe('outbox relay: linger after a wake-up', () => {
  let clock: sinon.SinonFakeTimers;
  let relay: OutboxRelay | null = null;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(async () => {
    const stopping = relay?.stop();
    await clock.tickAsync(relayLimits.backoffMaxMs);
    await stopping;
    relay = null;
    clock.restore();
  });

  it('claims the commits of the linger window in one round, not one round per wake-up', async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    const bus = new RecordingBus();
    relay = startOutboxRelay({ outbox, bus, logger: createLogger('silent') });
    await clock.tickAsync(0); // the first round finds nothing and the relay idles
    const streams = [streamId(), streamId(), streamId()];
    for (const stream of streams) {
      await store.appendBatch([streamAppend(stream, 0, 1)]);
      relay.wake();
      await clock.tickAsync(1);
    }
    await clock.tickAsync(relayLimits.lingerMs - streams.length - 1);
    expect(bus.publishes, 'nothing claimed before the linger ends').to.deep.equal([]);
    await clock.tickAsync(1);
    expect(bus.publishes).to.have.length(1);
    expect([...bus.publishes[0]!].sort()).to.deep.equal([...streams].sort());
  });

  it('claims again at once after a full round', async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    const bus = new RecordingBus();
    const streams = Array.from({ length: relayLimits.eventsPerRoundMax + 1 }, () => streamId());
    for (const stream of streams) await store.appendBatch([streamAppend(stream, 0, 1)]);
    relay = startOutboxRelay({ outbox, bus, logger: createLogger('silent') });
    await clock.tickAsync(0); // no time passes: a linger would hold the second round back
    expect(bus.publishes[0], 'the first round is full').to.have.length(relayLimits.eventsPerRoundMax);
    expect(bus.publishes.flat(), 'the rest went without a linger').to.have.length(streams.length);
  });
});
