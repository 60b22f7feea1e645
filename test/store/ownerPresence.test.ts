// Owner presence on real Postgres: an owner is live while its session holds the advisory lock of
// its id, the SQL fragments the claim statements use agree with the lock taken, and an owner ends
// (for the database and for the process) when its session is terminated or it is released.
import { expect } from 'chai';
import { acquireOwnerPresence, liveOwnerKeysSql, liveOwners, ownerKeySql } from '../../src/infra/postgres/presence/ownerPresence';
import { TestDatabase, createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';

describe('owner presence (real Postgres)', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ poolMax: 6 });
  });
  after(async () => {
    await db.drop();
  });

  async function liveInSql(ownerId: string): Promise<boolean> {
    const { rows } = await db.pool.query<{ live: boolean }>(`select ${ownerKeySql('$1::text')} in (${liveOwnerKeysSql}) as live`, [ownerId]);
    return rows[0]!.live;
  }

  it('holds the lock of its id on a session named after it, and lists as live', async () => {
    const [one, two] = [await acquireOwnerPresence(db.pool, 'relay'), await acquireOwnerPresence(db.pool, 'transfers')];
    try {
      expect(one.id).to.match(/^relay-[0-9a-f-]{36}$/);
      expect(two.id).to.match(/^transfers-/);
      expect(one.isLive() && two.isLive()).to.equal(true);
      expect(await liveInSql(one.id)).to.equal(true);
      expect(await liveInSql('relay-never-acquired')).to.equal(false);
      expect(await liveOwners(db.pool)).to.deep.equal([one.id, two.id].sort());
      const { rows } = await db.pool.query<{ name: string }>('select application_name as name from pg_stat_activity where pid = $1', [one.backendPid]);
      expect(rows[0]?.name).to.equal(one.id);
    } finally {
      await Promise.all([one.release(), two.release()]);
    }
  });

  it('ends at once for the database when released, and its session is closed', async () => {
    const owner = await acquireOwnerPresence(db.pool, 'relay');
    await owner.release();
    expect(owner.isLive()).to.equal(false);
    await owner.ended;
    expect(await liveInSql(owner.id)).to.equal(false);
    expect(await liveOwners(db.pool)).to.not.include(owner.id);
    await eventually(
      'the ended owner\'s session gone',
      async () => (await db.pool.query('select 1 from pg_stat_activity where pid = $1', [owner.backendPid])).rowCount,
      { until: (sessions) => sessions === 0 },
    );
  });

  it('ends when its session is terminated: the database frees the lock, the process learns it and reports the loss', async () => {
    const lost: Error[] = [];
    const owner = await acquireOwnerPresence(db.pool, 'relay', { onLost: (error) => lost.push(error) });
    const { rows } = await db.pool.query<{ ended: boolean }>('select pg_terminate_backend($1, 5000) as ended', [owner.backendPid]);
    expect(rows[0]?.ended).to.equal(true);
    expect(await liveInSql(owner.id)).to.equal(false);
    await owner.ended;
    expect(owner.isLive()).to.equal(false);
    expect(lost).to.have.length(1);
    expect(lost[0]).to.have.property('code', '57P01');
    // release() after the loss is a no-op, never a second release of the connection.
    await owner.release();
  });

  it('counts only bigint session locks of this database', async () => {
    const owner = await acquireOwnerPresence(db.pool, 'relay');
    const other = await createTestDatabase({ poolMax: 2 });
    try {
      const { rows } = await other.pool.query<{ live: boolean }>(`select ${ownerKeySql('$1::text')} in (${liveOwnerKeysSql}) as live`, [owner.id]);
      expect(rows[0]!.live, 'a lock in another database is not a live owner here').to.equal(false);
      expect(await liveInSql(owner.id)).to.equal(true);
    } finally {
      await owner.release();
      await other.drop();
    }
  });
});
