// MemoryReadModel passes the same read model contract as the Postgres adapter.
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryReadModel } from '../../src/infra/memory/memoryReadModel';
import { accountProjectionName } from '../../src/projections/accounts/accountProjection';
import { readModelContract, readStreamHooks } from './readModelContract';

describe('MemoryReadModel', () => {
  describe('read model contract', () => {
    readModelContract(async () => {
      const store = new MemoryEventStore();
      const hooks = readStreamHooks(store);
      const readModel = new MemoryReadModel(hooks.readStream);
      return {
        store,
        readModel,
        ...hooks.controls,
        // The in-memory rows live in one object: a second writer is the same object, unhooked.
        otherWriter: () => ({ applyAccountBatch: (batch) => readModel.applyAccountBatch(batch) }),
        dump: async () => JSON.stringify(readModel.rows()),
        deadLetters: async () => readModel.deadLetters().map((letter) => ({ offset: letter.offset, key: letter.key, error: letter.error })),
        checkpoint: async (topic, partition) => readModel.checkpoint(accountProjectionName, topic, partition),
        close: async () => {},
      };
    });
  });
});
