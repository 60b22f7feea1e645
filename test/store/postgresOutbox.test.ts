import { PostgresEventStore } from '../../src/infra/postgres/postgresEventStore';
import { PostgresOutbox } from '../../src/infra/postgres/postgresOutbox';
import { TestDatabase, createTestDatabase } from '../support/database';
import { outboxContract } from './outboxContract';
import { pollUntil } from './pollUntil';

describe('PostgresOutbox', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  // Leases run on the database clock: a tiny real lease, then poll (bounded) until none is live.
  async function expireShortLeases(): Promise<void> {
    await pollUntil(
      async () => (await db.pool.query<{ live: string }>('select count(*) as live from outbox_events where claimed_until > clock_timestamp()')).rows[0]?.live,
      (live) => live === '0',
    );
  }

  outboxContract(async () => {
    await db.truncate();
    return { store: new PostgresEventStore(db.pool), outbox: new PostgresOutbox(db.pool), shortLeaseMs: 100, expireShortLeases };
  });
});
