// MemoryTransferReadModel passes the same transfer read model contract as the Postgres adapter.
import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryTransferReadModel } from '../../src/infra/memory/memoryTransferReadModel';
import { transferProjectionName } from '../../src/projections/transfers/transferProjection';
import { readStreamHooks } from './readModelContract';
import { transferReadModelContract } from './transferReadModelContract';

describe('MemoryTransferReadModel', () => {
  describe('transfer read model contract', () => {
    transferReadModelContract(async () => {
      const store = new MemoryEventStore();
      const hooks = readStreamHooks(store);
      const readModel = new MemoryTransferReadModel(hooks.readStream);
      return {
        store,
        readModel,
        ...hooks.controls,
        // The in-memory rows live in one object: a second writer is the same object, unhooked.
        otherWriter: () => ({ applyTransferBatch: (batch) => readModel.applyTransferBatch(batch) }),
        dump: async () => JSON.stringify(readModel.rows()),
        deadLetters: async () => readModel.deadLetters().map((letter) => ({ offset: letter.offset, key: letter.key, error: letter.error })),
        checkpoint: async (topic, partition) => readModel.checkpoint(transferProjectionName, topic, partition),
        close: async () => {},
      };
    });
  });
});
