import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresOutbox } from '../../src/infra/postgres/writeSide/postgresOutbox';
import { PostgresOwner } from '../../src/infra/postgres/presence/ownerPresence';
import { Owner } from '../../src/ports/ownerPresence';
import { TestDatabase, createTestDatabase } from '../support/database';
import { outboxContract } from './outboxContract';
import { eventually } from '../support/eventually';
import { expect } from 'chai';
import { streamAppend, streamId } from './fixtures';

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
    await eventually(
      'live === \'0\'',
      async () => (await db.pool.query<{ live: string }>('select count(*) as live from outbox_events where claimed_until > clock_timestamp()')).rows[0]?.live,
      { until: (live) => live === '0' },
    );
  }

  // A crash as Postgres sees it: the owner's session ends (pg_terminate_backend waits until it has).
  async function kill(owner: Owner): Promise<void> {
    const { rows } = await db.pool.query<{ ended: boolean }>('select pg_terminate_backend($1, 5000) as ended', [(owner as PostgresOwner).backendPid]);
    expect(rows[0]?.ended).to.equal(true);
  }

  outboxContract(async () => {
    await db.truncate();
    return { store: new PostgresEventStore(db.pool), outbox: new PostgresOutbox(db.pool), shortLeaseMs: 100, expireShortLeases, kill };
  });

  // A claim looks at the oldest claimScanRowsMax rows only (index scans, see postgresOutbox.ts).
  describe('claim window', () => {
    it('looks at the oldest claimScanRowsMax rows only and leaves the newer ones for the next claim', async () => {
      await db.truncate();
      const store = new PostgresEventStore(db.pool);
      const outbox = new PostgresOutbox(db.pool, 3);
      const [a, b, c, d] = [streamId(), streamId(), streamId(), streamId()];
      await store.appendBatch([streamAppend(a, 0, 2)]);
      await store.appendBatch([streamAppend(b, 0, 3)]);
      await store.appendBatch([streamAppend(c, 0, 1)]);
      await store.appendBatch([streamAppend(d, 0, 1)]);
      const [relay1, relay2] = [await outbox.acquireOwner(), await outbox.acquireOwner()];
      try {
        const first = await outbox.claim(relay1.id, 100, 30_000);
        expect(first.map((row) => [row.event.streamId, row.event.streamVersion])).to.deep.equal([
          [a, 1],
          [a, 2],
          [b, 1],
          [b, 2],
          [b, 3],
          [c, 1],
        ]);
        // The window (the rows of a, b and c) is all leased now: d waits until those rows are published.
        expect(await outbox.claim(relay2.id, 100, 30_000)).to.deep.equal([]);
        expect(await outbox.claim(relay1.id, 100, 30_000), 'its own rows fill the window').to.deep.equal([]);
        const second = await outbox.claim(relay1.id, 100, 30_000, [...new Set(first.map((row) => row.id))]);
        expect(second.map((row) => [row.event.streamId, row.event.streamVersion])).to.deep.equal([[d, 1]]);
      } finally {
        await Promise.all([relay1.release(), relay2.release()]);
      }
    });
  });
});
