import { expect } from 'chai';
import sinon from 'sinon';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryOutbox } from '../../src/infra/memory/memoryOutbox';
import { streamAppend, streamId } from './fixtures';
import { outboxContract } from './outboxContract';

describe('MemoryOutbox', () => {
  let clock: sinon.SinonFakeTimers;
  const shortLeaseMs = 1_000;

  // Only Date is faked: leases and ages follow the fake clock, promises and mocha's timers do not.
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: Date.parse('2024-05-01T12:00:00.000Z'), toFake: ['Date'] });
  });
  afterEach(() => clock.restore());

  outboxContract(async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    return {
      store,
      outbox,
      shortLeaseMs,
      expireShortLeases: async () => void clock.tick(shortLeaseMs),
      kill: async (owner) => outbox.owners.kill(owner.id),
    };
  });

  it('holds a lease until exactly its end', async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    const [first, second] = [await outbox.acquireOwner(), await outbox.acquireOwner()];
    await store.appendBatch([streamAppend(streamId(), 0, 1)]);
    expect(await outbox.claim(first.id, 1, shortLeaseMs)).to.have.length(1);
    clock.tick(shortLeaseMs - 1);
    expect(await outbox.claim(second.id, 1, shortLeaseMs)).to.deep.equal([]);
    clock.tick(1);
    expect(await outbox.claim(second.id, 1, shortLeaseMs)).to.have.length(1);
  });

  it('ages the oldest pending row with the clock', async () => {
    const store = new MemoryEventStore();
    const outbox = new MemoryOutbox(store);
    await store.appendBatch([streamAppend(streamId(), 0, 1)]);
    clock.tick(250);
    await store.appendBatch([streamAppend(streamId(), 0, 1)]);
    clock.tick(500);
    expect(await outbox.stats()).to.deep.equal({ pending: 2, oldestAgeMs: 750 });
  });
});
