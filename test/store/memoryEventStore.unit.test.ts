import { MemoryEventStore } from '../../src/infra/memory/memoryEventStore';
import { MemoryOutbox } from '../../src/infra/memory/memoryOutbox';
import { eventStoreContract } from './eventStoreContract';

describe('MemoryEventStore', () => {
  eventStoreContract(async () => {
    const store = new MemoryEventStore();
    return { store, outbox: new MemoryOutbox(store) };
  });
});
