// The projectors on the in-process bus and the in-memory read models (the no-Kafka mode): ordered
// projection, poison messages, lag and offsets in stats, a failing apply redelivered, and the
// transfer projector beside the account one, each fed only its own topic.
import { expect } from 'chai';
import { Projector, startProjector } from '../../actors/projector/projector';
import { MemoryBus } from '../../src/infra/memory/memoryBus';
import { memoryBusLimits } from '../../src/config/limits';
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryReadModel } from '../../src/infra/memory/memoryReadModel';
import { MemoryTransferReadModel } from '../../src/infra/memory/memoryTransferReadModel';
import { createLogger } from '../../src/infra/logger';
import { accountStreamProjection } from '../../src/projections/accounts/accountProjection';
import { ProjectionBatch } from '../../src/projections/projectionBatch';
import { transferStreamProjection } from '../../src/projections/transfers/transferProjection';
import { appendAccounts, appendTransfers, asMessage, deposited, frozen, fundsHeld, opened, requested, testTopic, transferTestTopic } from './fixtures';
import { eventually } from '../support/eventually';

describe('account projector on the in-process bus', () => {
  let bus: MemoryBus;
  let store: MemoryEventStore;
  let readModel: MemoryReadModel;
  let projector: Projector;
  let applied: Map<string, number>;
  let failNext: number;

  beforeEach(async () => {
    bus = new MemoryBus();
    store = new MemoryEventStore();
    readModel = new MemoryReadModel(store.readStream.bind(store));
    applied = new Map();
    failNext = 0;
    projector = await startProjector({
      projection: accountStreamProjection,
      topic: testTopic,
      bus,
      groupId: 'projector-test',
      apply: async (batch: ProjectionBatch) => {
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

    await eventually('m1 and m2 projected', () => applied.get('m1') === 2 && applied.get('m2') === 1);
    await eventually('both poison messages recorded', () => projector.stats().deadLettered === 2);

    const stats = projector.stats();
    expect(stats).to.deep.include({ state: 'running', applied: 3, deadLettered: 2, batchFailures: 0 });
    expect(stats.partitions).to.have.length(memoryBusLimits.partitionsPerTopic);
    const active = stats.partitions.filter((partition) => partition.committedOffset !== null);
    expect(active.reduce((sum, partition) => sum + Number(partition.committedOffset), 0)).to.equal(5);
    expect(active.map((partition) => partition.lag)).to.deep.equal(active.map(() => 0));
    expect(readModel.deadLetters().map((letter) => letter.error.split(':')[0])).to.have.members(['undecodable_message', 'account_not_found']);
  });

  it('counts a failed apply and projects the batch when the bus delivers it again', async () => {
    failNext = 2;
    const streams = await appendAccounts(store, { f: [opened('f'), deposited('f', 9)] });
    await bus.publish(testTopic, streams.get('f')!.map(asMessage));

    await eventually('f projected after the failures', () => applied.get('f') === 2);

    expect(projector.stats()).to.deep.include({ batchFailures: 2, applied: 2 });
    expect(await readModel.summary('f')).to.deep.include({ balance: 9 });
  });
  it('runs the transfer projector beside it: each group gets only its topic, and a publish resolves once its group has committed', async () => {
    const transferReadModel = new MemoryTransferReadModel(store.readStream.bind(store));
    const transfers = await startProjector({
      projection: transferStreamProjection,
      topic: transferTestTopic,
      bus,
      groupId: 'transfer-projector-test',
      apply: (batch) => transferReadModel.applyTransferBatch(batch),
      logger: createLogger('silent'),
    });
    try {
      const accounts = await appendAccounts(store, { r: [opened('r')] });
      const transfer = await appendTransfers(store, { t: [requested('t', 'r', 's', 5), fundsHeld('t')] });

      await bus.publish(transferTestTopic, transfer.get('t')!.map(asMessage));
      expect(await transferReadModel.transfer('t')).to.deep.include({ version: 2, stage: 'credit' });
      await bus.publish(testTopic, accounts.get('r')!.map(asMessage));
      expect(await readModel.summary('r')).to.deep.include({ version: 1 });

      expect(transfers.stats()).to.deep.include({ name: 'transfers', applied: 2, deadLettered: 0 });
      expect(projector.stats()).to.deep.include({ name: 'accounts', applied: 1, deadLettered: 0 });
      const partitions = transfers.stats().partitions;
      expect(partitions.map((partition) => partition.topic)).to.deep.equal(partitions.map(() => transferTestTopic));
      expect([...transferReadModel.deadLetters(), ...readModel.deadLetters()]).to.deep.equal([]);
    } finally {
      await transfers.stop();
    }
  });
});
