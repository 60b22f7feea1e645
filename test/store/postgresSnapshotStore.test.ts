import { PostgresSnapshotStore } from '../../src/infra/postgres/writeSide/postgresSnapshotStore';
import { TestDatabase, createTestDatabase } from '../support/database';
import { snapshotStoreContract } from './snapshotStoreContract';

describe('PostgresSnapshotStore', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  snapshotStoreContract(async () => {
    await db.truncate();
    return new PostgresSnapshotStore(db.pool);
  });
});
