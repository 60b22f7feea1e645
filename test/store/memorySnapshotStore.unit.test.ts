import { MemorySnapshotStore } from '../../src/infra/memory/memorySnapshotStore';
import { snapshotStoreContract } from './snapshotStoreContract';

describe('MemorySnapshotStore', () => {
  snapshotStoreContract(async () => new MemorySnapshotStore());
});
