// PostgresReadModel against a real Postgres: the read model contract, plus what only a database
// with concurrent sessions can show.
import { expect } from 'chai';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresReadModel } from '../../src/infra/postgres/readSide/postgresReadModel';
import { accountProjectionName } from '../../src/projections/accounts/accountProjection';
import { TestDatabase } from '../support/database';
import { appendAccounts, asMessage, consumed, deposited, opened, toAccountBatch } from './fixtures';
import { createReadModelDatabase, dumpReadModels } from './readModelDatabase';
import { ReadModelFixture, readModelContract, readStreamHooks } from './readModelContract';

async function openPostgresFixture(): Promise<ReadModelFixture & { db: TestDatabase }> {
  const db = await createReadModelDatabase();
  const store = new PostgresEventStore(db.pool);
  const hooks = readStreamHooks(store);
  const readModel = new PostgresReadModel(db.pool, hooks.readStream);
  return {
    db,
    store,
    readModel,
    ...hooks.controls,
    otherWriter: () => new PostgresReadModel(db.pool, store.readStream.bind(store)),
    dump: () => dumpReadModels(db),
    deadLetters: async () =>
      (await readModel.recentDeadLetters(100)).map((letter) => ({ offset: letter.offset, key: letter.key, error: letter.error })),
    checkpoint: async (topic, partition) =>
      (await readModel.checkpoints(accountProjectionName)).find((entry) => entry.topic === topic && entry.partition === partition)?.nextOffset ?? null,
    close: () => db.drop(),
  };
}

describe('PostgresReadModel', () => {
  describe('read model contract', () => {
    readModelContract(openPostgresFixture);
  });

  describe('postgres only', () => {
    let fixture: Awaited<ReturnType<typeof openPostgresFixture>>;
    beforeEach(async () => {
      fixture = await openPostgresFixture();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('lets two projector sessions apply overlapping batches of one account concurrently and converge', async () => {
      // A rebalance can hand a partition to a new member while the old one still applies a batch.
      const a = (await appendAccounts(fixture.store, { a: [opened('a'), ...Array.from({ length: 20 }, (_, i) => deposited('a', i + 1))] })).get('a')!;
      const first = toAccountBatch(consumed(a.slice(0, 15).map(asMessage), 0));
      const second = toAccountBatch(consumed(a.slice(5).map(asMessage), 5));

      const outcomes = await Promise.all([fixture.readModel.applyAccountBatch(first), fixture.readModel.applyAccountBatch(second)]);

      expect(outcomes.reduce((sum, outcome) => sum + outcome.applied, 0)).to.be.at.least(21);
      expect(await fixture.readModel.summary('a')).to.deep.include({ version: 21, balance: 210 });
      expect((await fixture.readModel.history('a', 100, 0))?.entries.map((entry) => entry.streamVersion)).to.deep.equal(
        Array.from({ length: 21 }, (_, i) => i + 1),
      );
    });

    it('stores a poison payload holding NUL characters without failing the batch', async () => {
      const outcome = await fixture.readModel.applyAccountBatch(toAccountBatch(consumed([{ key: 'account-\u0000', value: '\u0000{' }])));
      expect(outcome.deadLettered).to.equal(1);
      const [letter] = await fixture.deadLetters();
      expect(letter?.key).to.equal('account-\\u0000');
    });
  });
});
