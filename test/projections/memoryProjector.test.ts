// The account projector on the in-process bus and the in-memory read model (the no-Kafka mode):
// ordered projection, poison messages, lag and offsets in stats, a failing apply redelivered.
import { expect } from 'chai';
import { AccountProjector, startAccountProjector } from '../../actors/projector/accountProjector';
import { MemoryBus, memoryBusLimits } from '../../src/infra/memory/memoryBus';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryReadModel } from '../../src/infra/memory/memoryReadModel';
import { createLogger } from '../../src/infra/logger';
import { AccountBatch } from '../../src/projections/accountBatch';
import { appendAccounts, asMessage, deposited, frozen, opened, testTopic, waitUntil } from './fixtures';

describe('account projector on the in-process bus', () => {
  let bus: MemoryBus;
  let store: MemoryEventStore;
  let readModel: MemoryReadModel;
  let projector: AccountProjector;
  let applied: Map<string, number>;
  let failNext: number;

  beforeEach(async () => {
    bus = new MemoryBus();
    store = new MemoryEventStore();
    readModel = new MemoryReadModel(store.readStream.bind(store));
    applied = new Map();
    failNext = 0;
    projector = await startAccountProjector({
      bus,
      groupId: 'projector-test',
      apply: async (batch: AccountBatch) => {
        if (failNext > 0) {
          failNext -= 1;
          throw new Error('database unavailable');
        }
        return readModel.applyAccountBatch(batch);
      },
      onApplied: (accountId, version) => applied.set(accountId, version),
      logger: createLogger('silent'),
    });
  });
  afterEach(async () => {
    await projector.stop();
    await bus.close();
  });

  it('projects accounts, dead-letters poison, and reports offsets and lag of every partition', async () => {
    const streams = await appendAccounts(store, { m1: [opened('m1'), deposited('m1', 3)], m2: [opened('m2')], ghost: [frozen('ghost')] });
    await bus.publish(testTopic, [{ key: 'account-m1', value: 'not json' }, ...[...streams.values()].flat().map(asMessage)]);

    await waitUntil('m1 and m2 projected', () => applied.get('m1') === 2 && applied.get('m2') === 1);
    await waitUntil('both poison messages recorded', () => projector.stats().deadLettered === 2);

    const stats = projector.stats();
    expect(stats).to.deep.include({ state: 'running', applied: 3, deadLettered: 2, batchFailures: 0 });
    expect(stats.partitions).to.have.length(memoryBusLimits.partitionsPerTopic);
    const active = stats.partitions.filter((partition) => partition.committedOffset !== null);
    expect(active.reduce((sum, partition) => sum + Number(partition.committedOffset), 0)).to.equal(5);
    expect(active.every((partition) => partition.lag === 0)).to.equal(true);
    expect(readModel.deadLetters().map((letter) => letter.error.split(':')[0])).to.have.members(['undecodable_message', 'account_not_found']);
  });

  it('counts a failed apply and projects the batch when the bus delivers it again', async () => {
    failNext = 2;
    const streams = await appendAccounts(store, { f: [opened('f'), deposited('f', 9)] });
    await bus.publish(testTopic, streams.get('f')!.map(asMessage));

    await waitUntil('f projected after the failures', () => applied.get('f') === 2);

    expect(projector.stats()).to.deep.include({ batchFailures: 2, applied: 2 });
    expect(await readModel.summary('f')).to.deep.include({ balance: 9 });
  });
});
