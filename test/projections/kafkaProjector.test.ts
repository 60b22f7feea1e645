// The account and transfer projectors through a real Kafka broker (bash scripts/kafka.sh start;
// KAFKA_BROKERS) into real Postgres. Without KAFKA_BROKERS this suite fails, it never skips. Every
// test uses its own topics and consumer groups.
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Projector, startProjector } from '../../actors/projector/projector';
import { createKafkaBus } from '../../src/infra/kafka/kafkaBus';
import { kafkaLimits } from '../../src/config/limits';
import { createLogger } from '../../src/infra/logger';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresReadModel } from '../../src/infra/postgres/readSide/postgresReadModel';
import { PostgresTransferReadModel } from '../../src/infra/postgres/readSide/postgresTransferReadModel';
import { MessageBus } from '../../src/ports/messageBus';
import { accountStreamProjection } from '../../src/projections/accounts/accountProjection';
import { transferStreamProjection } from '../../src/projections/transfers/transferProjection';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { TestDatabase } from '../support/database';
import { requireKafkaBrokers } from '../support/kafka';
import {
  appendAccounts,
  appendTransfers,
  asMessage,
  compensationStarted,
  deposited,
  destinationCredited,
  frozen,
  fundsHeld,
  opened,
  requested,
  transferCompleted,
  transferFailed,
  withdrawn,
} from './fixtures';
import { eventually } from '../support/eventually';
import { createReadModelDatabase, dumpReadModels } from './readModelDatabase';

const waitMs = 45_000;

describe('projectors through real Kafka', function () {
  this.timeout(120_000);
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  let bus: MessageBus;
  let db: TestDatabase;
  let store: PostgresEventStore;
  let readModel: PostgresReadModel;
  let transferReadModel: PostgresTransferReadModel;
  let projector: Projector | null;
  let topic: string;
  let transferTopic: string;
  let applied: Array<{ accountId: string; version: number; occurredAt: string }>;
  let testIndex = 0;

  before(() => {
    bus = createKafkaBus({ brokers: requireKafkaBrokers(), clientId: `acta-projector-test-${runId}` });
  });
  after(async () => {
    await bus?.close();
  });

  beforeEach(async () => {
    testIndex += 1;
    topic = `acta.account.test-${runId}-${testIndex}`;
    transferTopic = `acta.transfer.test-${runId}-${testIndex}`;
    applied = [];
    projector = null;
    db = await createReadModelDatabase();
    store = new PostgresEventStore(db.pool);
    readModel = new PostgresReadModel(db.pool, store.readStream.bind(store));
    transferReadModel = new PostgresTransferReadModel(db.pool, store.readStream.bind(store));
  });
  afterEach(async () => {
    await projector?.stop();
    await db.drop();
  });

  /** Starts the account projector, or the transfer projector, on this test's topic and group. */
  async function start(kind: 'accounts' | 'transfers' = 'accounts'): Promise<Projector> {
    const transfers = kind === 'transfers';
    projector = await startProjector({
      projection: transfers ? transferStreamProjection : accountStreamProjection,
      bus,
      groupId: `acta-${kind}-projector-test-${runId}-${testIndex}`,
      topic: transfers ? transferTopic : topic,
      apply: (batch) => (transfers ? transferReadModel.applyTransferBatch(batch) : readModel.applyAccountBatch(batch)),
      onApplied: (key, version, occurredAt) => applied.push({ accountId: key, version, occurredAt }),
      logger: createLogger('silent'),
    });
    return projector;
  }

  const latest = (accountId: string) => Math.max(0, ...applied.filter((entry) => entry.accountId === accountId).map((entry) => entry.version));
  const committedTotal = (stats: ReturnType<Projector['stats']>) =>
    stats.partitions.reduce((sum, partition) => sum + Number(partition.committedOffset ?? 0), 0);

  async function appendAndPublish(streams: Record<string, NewEvent[]>): Promise<Map<string, StoredEvent[]>> {
    const stored = await appendAccounts(store, streams, topic);
    await bus.publish(topic, [...stored.values()].flat().map(asMessage));
    return stored;
  }

  it('projects every account in stream order, absorbs a duplicate delivery, and reports partitions and offsets', async () => {
    const histories = Object.fromEntries(
      Array.from({ length: 12 }, (_, index) => {
        const id = `k${index}`;
        return [id, [opened(id), ...Array.from({ length: 9 }, (_, step) => deposited(id, step + 1)), withdrawn(id, 5)]];
      }),
    );
    const stored = await appendAccounts(store, histories, topic);
    const messages = [...stored.values()].flat().map(asMessage);
    await bus.publish(topic, messages.slice(0, 60));
    await bus.publish(topic, messages.slice(60));
    const running = await start();

    await eventually('every account projected to v11', () => Object.keys(histories).every((id) => latest(id) === 11), { timeoutMs: waitMs });

    for (const id of Object.keys(histories)) {
      const versions = applied.filter((entry) => entry.accountId === id).map((entry) => entry.version);
      expect(versions, `versions announced for ${id}`).to.deep.equal([...versions].sort((a, b) => a - b));
      const history = await readModel.history(id, 100, 0);
      expect(history?.entries.map((entry) => entry.balanceAfter)).to.deep.equal([0, 1, 3, 6, 10, 15, 21, 28, 36, 45, 40]);
    }
    expect(applied.at(-1)?.occurredAt).to.match(/^\d{4}-\d\d-\d\dT/);
    await eventually('offsets of every message committed', () => committedTotal(running.stats()) === messages.length, { timeoutMs: waitMs });
    const stats = running.stats();
    expect(stats.state).to.equal('running');
    expect(stats.partitions.map((partition) => partition.partition).sort()).to.deep.equal(
      Array.from({ length: kafkaLimits.topicPartitionsDefault }, (_, index) => index),
    );
    expect(stats.partitions.map((partition) => partition.lag)).to.deep.equal(stats.partitions.map(() => 0));
    expect(stats).to.deep.include({ applied: messages.length, deadLettered: 0, skipped: 0 });
    const checkpoints = await readModel.checkpoints('accounts');
    expect(checkpoints.reduce((sum, checkpoint) => sum + Number(checkpoint.nextOffset), 0)).to.equal(messages.length);

    const before = await dumpReadModels(db);
    await bus.publish(topic, messages);
    await eventually('the duplicate delivery consumed', () => committedTotal(running.stats()) === 2 * messages.length, { timeoutMs: waitMs });
    expect(running.stats()).to.deep.include({ applied: messages.length, skipped: messages.length, deadLettered: 0 });
    expect(await dumpReadModels(db)).to.equal(before);
  });

  it('dead-letters poison messages while the other accounts keep projecting', async () => {
    const running = await start();
    // Garbage and a freeze of a never-created account, ahead of good events on the same partitions.
    const ghost = await appendAccounts(store, { ghost: [frozen('ghost')] }, topic);
    await bus.publish(topic, [{ key: 'account-p1', value: '{not json' }, asMessage(ghost.get('ghost')![0]!)]);
    await appendAndPublish({ p1: [opened('p1'), deposited('p1', 10)], p2: [opened('p2'), deposited('p2', 20)], p3: [opened('p3')] });

    await eventually('the good accounts projected', () => latest('p1') === 2 && latest('p2') === 2 && latest('p3') === 1, { timeoutMs: waitMs });
    await eventually('both poison messages dead-lettered', () => running.stats().deadLettered === 2, { timeoutMs: waitMs });

    const letters = await readModel.recentDeadLetters(10);
    expect(letters.map((letter) => letter.error.split(':')[0])).to.have.members(['undecodable_message', 'account_not_found']);
    expect(letters.find((letter) => letter.error.startsWith('undecodable'))).to.deep.include({ key: 'account-p1', payload: '{not json', topic });
    expect(await readModel.summary('ghost')).to.equal(null);
    expect(await readModel.summary('p1')).to.deep.include({ balance: 10, version: 2 });
    await eventually('no lag left', () => running.stats().partitions.every((partition) => partition.lag === 0), { timeoutMs: waitMs });
  });

  it('repairs a gap when some of a stream’s messages never reached the topic', async () => {
    const stored = (await appendAccounts(store, { g: [opened('g'), deposited('g', 1), deposited('g', 2), deposited('g', 4), deposited('g', 8)] }, topic)).get('g')!;
    await bus.publish(topic, [stored[0]!, stored[1]!, stored[4]!].map(asMessage));
    const running = await start();

    await eventually('the stream projected to v5', () => latest('g') === 5, { timeoutMs: waitMs });

    expect(running.stats().gapsRepaired).to.equal(1);
    expect((await readModel.history('g', 10, 0))?.entries.map((entry) => entry.streamVersion)).to.deep.equal([1, 2, 3, 4, 5]);
  });

  it('restart() leaves and rejoins the group, then goes on projecting from the committed offsets', async () => {
    const running = await start();
    await appendAndPublish({ r: [opened('r'), deposited('r', 3)] });
    await eventually('the first events projected', () => latest('r') === 2, { timeoutMs: waitMs });

    await running.restart();
    await appendAccounts(store, { r: [deposited('r', 4)] }, topic).then((stored) => bus.publish(topic, stored.get('r')!.map(asMessage)));

    await eventually('the event published after the restart projected', () => latest('r') === 3, { timeoutMs: waitMs });
    expect(running.stats()).to.deep.include({ restarts: 1, state: 'running', skipped: 0 });
    await running.stop();
    expect(running.stats().state).to.equal('stopped');
    projector = null;
  });
  describe('transfer projector', () => {
    it('projects every transfer into transfer_summary in stream order, absorbs a duplicate delivery, reports its partitions', async () => {
      const histories = Object.fromEntries(
        Array.from({ length: 10 }, (_, index) => {
          const id = `kt${index}`;
          const path =
            index % 3 === 0
              ? [fundsHeld(id), destinationCredited(id), transferCompleted(id)]
              : index % 3 === 1
                ? [transferFailed(id, 'insufficient_funds', 'hold')]
                : [fundsHeld(id), compensationStarted(id, 'account_frozen', 'credit'), transferFailed(id, 'account_frozen', 'credit')];
          return [id, [requested(id, `a${index}`, `b${index}`, 100 + index), ...path]];
        }),
      );
      const stored = await appendTransfers(store, histories, transferTopic);
      const messages = [...stored.values()].flat().map(asMessage);
      await bus.publish(transferTopic, messages);
      const running = await start('transfers');

      await eventually('every transfer projected to its last version', () => [...stored].every(([id, events]) => latest(id) === events.length), { timeoutMs: waitMs });

      for (const [id, events] of stored) {
        const versions = applied.filter((entry) => entry.accountId === id).map((entry) => entry.version);
        expect(versions, `versions announced for ${id}`).to.deep.equal([...versions].sort((a, b) => a - b));
        expect(await transferReadModel.transfer(id)).to.deep.include({ version: events.length, amount: events[0]!.data.amount, status: Number(id.slice(2)) % 3 === 0 ? 'COMPLETED' : 'FAILED' });
      }
      expect(await transferReadModel.transfer('kt2')).to.deep.include({ failureReason: 'account_frozen', failureStage: 'credit' });
      await eventually('offsets of every message committed', () => committedTotal(running.stats()) === messages.length, { timeoutMs: waitMs });
      expect(running.stats()).to.deep.include({ name: 'transfers', state: 'running', applied: messages.length, deadLettered: 0 });
      const partitions = running.stats().partitions;
      expect(partitions.map(({ topic, lag }) => ({ topic, lag }))).to.deep.equal(partitions.map(() => ({ topic: transferTopic, lag: 0 })));
      const checkpoints = await readModel.checkpoints('transfers');
      expect(checkpoints.reduce((sum, checkpoint) => sum + Number(checkpoint.nextOffset), 0)).to.equal(messages.length);

      const before = await dumpReadModels(db);
      await bus.publish(transferTopic, messages);
      await eventually('the duplicate delivery consumed', () => committedTotal(running.stats()) === 2 * messages.length, { timeoutMs: waitMs });
      expect(running.stats()).to.deep.include({ applied: messages.length, skipped: messages.length, deadLettered: 0 });
      expect(await dumpReadModels(db)).to.equal(before);
    });

    it('repairs a gap from the event store and dead-letters poison while the other transfers keep projecting', async () => {
      const running = await start('transfers');
      const stored = await appendTransfers(
        store,
        { gap: [requested('gap', 'a', 'b', 5), fundsHeld('gap'), destinationCredited('gap'), transferCompleted('gap')], early: [fundsHeld('early')] },
        transferTopic,
      );
      const [gap, early] = [stored.get('gap')!, stored.get('early')!];
      await bus.publish(transferTopic, [{ key: 'transfer-gap', value: '{not json' }, asMessage(early[0]!), asMessage(gap[0]!), asMessage(gap[3]!)]);

      await eventually('the gapped transfer projected to v4', () => latest('gap') === 4, { timeoutMs: waitMs });
      await eventually('both poison messages dead-lettered', () => running.stats().deadLettered === 2, { timeoutMs: waitMs });

      expect(running.stats().gapsRepaired).to.equal(1);
      expect(await transferReadModel.transfer('gap')).to.deep.include({ status: 'COMPLETED', version: 4 });
      expect(await transferReadModel.transfer('early')).to.equal(null);
      const letters = await readModel.recentDeadLetters(10);
      expect(letters.map((letter) => [letter.projection, letter.topic, letter.error.split(':')[0]])).to.have.deep.members([
        ['transfers', transferTopic, 'undecodable_message'],
        ['transfers', transferTopic, 'transfer_not_found'],
      ]);
    });
  });
});
