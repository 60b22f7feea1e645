// PostgresTransferReadModel against a real Postgres: the transfer read model contract.
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresReadModel } from '../../src/infra/postgres/readSide/postgresReadModel';
import { PostgresTransferReadModel } from '../../src/infra/postgres/readSide/postgresTransferReadModel';
import { transferProjectionName } from '../../src/projections/transfers/transferProjection';
import { readStreamHooks } from './readModelContract';
import { createReadModelDatabase, dumpReadModels } from './readModelDatabase';
import { transferReadModelContract } from './transferReadModelContract';

describe('PostgresTransferReadModel', () => {
  describe('transfer read model contract', () => {
    transferReadModelContract(async () => {
      const db = await createReadModelDatabase();
      const store = new PostgresEventStore(db.pool);
      const hooks = readStreamHooks(store);
      const readModel = new PostgresTransferReadModel(db.pool, hooks.readStream);
      // Dead letters and checkpoints live in the projectors' shared tables.
      const bookkeeping = new PostgresReadModel(db.pool, hooks.readStream);
      return {
        store,
        readModel,
        ...hooks.controls,
        otherWriter: () => new PostgresTransferReadModel(db.pool, store.readStream.bind(store)),
        dump: () => dumpReadModels(db),
        deadLetters: async () =>
          (await bookkeeping.recentDeadLetters(100)).map((letter) => ({ offset: letter.offset, key: letter.key, error: letter.error })),
        checkpoint: async (topic, partition) =>
          (await bookkeeping.checkpoints(transferProjectionName)).find((entry) => entry.topic === topic && entry.partition === partition)?.nextOffset ?? null,
        close: () => db.drop(),
      };
    });
  });
});
