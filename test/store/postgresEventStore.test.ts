import { expect } from 'chai';
import type { Pool, PoolClient } from 'pg';
import sinon from 'sinon';
import { AppendStreamRow, appendStreamQuery } from '../../src/infra/postgres/writeSide/appendStreamStatement';
import { migrate } from '../../src/infra/postgres/schema/migrate';
import { migrations } from '../../src/infra/postgres/schema/migrations';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresOutbox } from '../../src/infra/postgres/writeSide/postgresOutbox';
import { createPool } from '../../src/infra/postgres/connection/pool';
import { StreamAppend } from '../../src/ports/eventStore';
import { TestDatabase, createTestDatabase } from '../support/database';
import { eventStoreContract } from './eventStoreContract';
import { idempotencyRecord as idempotencyRecordFixture, streamAppend, streamId, transactionRecord } from './fixtures';
import { eventually } from '../support/eventually';

/** A transaction held open on its own connection, writing with the store's own append statement. */
interface OpenTransaction {
  append(append: StreamAppend): Promise<AppendStreamRow>;
  commit(): Promise<void>;
}

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  const held: PoolClient[] = [];

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });
  afterEach(async () => {
    sinon.restore();
    // A test that failed half-way must not leave a transaction open (it would stall readAll).
    for (const client of held.splice(0)) client.release(true);
  });

  describe('one statement per batch, savepoints on conflict (default)', () => {
    eventStoreContract(async () => {
      await db.truncate();
      return { store: new PostgresEventStore(db.pool), outbox: new PostgresOutbox(db.pool) };
    });
  });

  describe('savepoint per stream always', () => {
    eventStoreContract(async () => {
      await db.truncate();
      return { store: new PostgresEventStore(db.pool, { singleStatementBatches: false }), outbox: new PostgresOutbox(db.pool) };
    });
  });

  async function openTransaction(pool: Pool): Promise<OpenTransaction> {
    const client = await pool.connect();
    held.push(client);
    await client.query('begin');
    return {
      append: async (append) => (await client.query<AppendStreamRow>(appendStreamQuery(append))).rows[0] as AppendStreamRow,
      commit: async () => {
        await client.query('commit');
        held.splice(held.indexOf(client), 1);
        client.release();
      },
    };
  }

  /** Resolves once some session of this database waits for a lock (a writer blocked on a unique key). */
  async function someoneWaitsForALock(): Promise<void> {
    await eventually(
      'waiting !== \'0\'',
      async () =>
        (
          await db.pool.query<{ waiting: string }>(
            `select count(*) as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          )
        ).rows[0]?.waiting,
      { until: (waiting) => waiting !== '0' },
    );
  }

  describe('postgres only', () => {
    let store: PostgresEventStore;

    beforeEach(async () => {
      await db.truncate();
      store = new PostgresEventStore(db.pool);
    });

    it('hides an event from readAll while an older transaction that could commit a lower position is open', async () => {
      const [early, late] = [streamId(), streamId()];
      const a = await openTransaction(db.pool);
      await a.append(streamAppend(early, 0, 1));
      await store.appendBatch([streamAppend(late, 0, 1)]);
      expect(await store.readAll('0', 100)).to.deep.equal([]);
      await a.commit();
      const events = await eventually('both events readable', () => store.readAll('0', 100), { until: (found) => found.length >= 2 });
      expect(events.map((event) => event.streamId)).to.deep.equal([early, late]);
      expect(BigInt(events[1]!.globalPosition) > BigInt(events[0]!.globalPosition)).to.equal(true);
    });

    it('never lets a reader that follows positions skip a younger transaction that commits after an older one', async () => {
      // With positions from a plain sequence, s3 (older transaction, written last) would get a
      // higher position than s2, be read first, and the reader would skip s2 when it commits.
      const [s1, s2, s3] = [streamId(), streamId(), streamId()];
      const older = await openTransaction(db.pool);
      await older.append(streamAppend(s1, 0, 1));
      const younger = await openTransaction(db.pool);
      await younger.append(streamAppend(s2, 0, 1));
      await older.append(streamAppend(s3, 0, 1));
      await older.commit();
      const first = await eventually('both events readable', () => store.readAll('0', 100), { until: (found) => found.length >= 2 });
      expect(first.map((event) => event.streamId)).to.deep.equal([s1, s3]);
      await younger.commit();
      const next = await eventually('the next event readable', () => store.readAll(first[1]!.globalPosition, 100), { until: (found) => found.length >= 1 });
      expect(next.map((event) => event.streamId)).to.deep.equal([s2]);
    });

    it('lets the unique key, not the process, refuse a concurrent writer of the same stream version', async () => {
      const stream = streamId();
      const rival = await openTransaction(db.pool);
      await rival.append(streamAppend(stream, 0, 1));
      const pending = store.appendBatch([streamAppend(stream, 0, 2), streamAppend(streamId(), 0, 1)]);
      await someoneWaitsForALock();
      await rival.commit();
      const results = await pending;
      expect(results[0]).to.deep.equal({ ok: false, conflict: 'stream_version' });
      expect(results[1]).to.have.property('ok', true);
      expect(await store.streamVersion(stream)).to.equal(1);
    });

    it('reports recorded keys, recorded transaction ids and moved versions from the one statement, without the savepoint replay', async () => {
      const key = idempotencyRecordFixture();
      const movement = transactionRecord();
      const stale = streamId();
      await store.appendBatch([streamAppend(stale, 0, 1, { idempotency: [key], transactions: [movement] })]);
      const connect = sinon.spy(db.pool, 'connect');
      const fresh = streamId();
      const results = await store.appendBatch([
        streamAppend(stale, 0, 1),
        streamAppend(streamId(), 0, 1, { idempotency: [idempotencyRecordFixture({ key: key.key })] }),
        streamAppend(streamId(), 0, 1, { transactions: [transactionRecord({ transactionId: movement.transactionId })] }),
        streamAppend(fresh, 0, 2),
      ]);
      expect(results.map((result) => (result.ok ? 'ok' : result.conflict))).to.deep.equal(['stream_version', 'idempotency_key', 'transaction_id', 'ok']);
      // pool.query checks its client out with connect(callback); the savepoint path awaits connect().
      expect(connect.getCalls().filter((call) => (call.args as unknown[]).length === 0)).to.have.length(0);
      expect(await store.streamVersion(fresh)).to.equal(2);
    });

    it('maps a concurrent duplicate transaction id to transaction_id', async () => {
      const movement = transactionRecord();
      const rival = await openTransaction(db.pool);
      await rival.append(streamAppend(streamId(), 0, 1, { transactions: [movement] }));
      const stream = streamId();
      const pending = store.appendBatch([streamAppend(stream, 0, 1, { transactions: [transactionRecord({ transactionId: movement.transactionId })] })]);
      await someoneWaitsForALock();
      await rival.commit();
      expect(await pending).to.deep.equal([{ ok: false, conflict: 'transaction_id' }]);
      expect(await store.streamVersion(stream)).to.equal(0);
    });

    it('rejects the batch and writes nothing when a statement fails mid-batch', async () => {
      // The savepoint path runs several statements in one transaction; fail the second stream's.
      store = new PostgresEventStore(db.pool, { singleStatementBatches: false });
      const failure = new Error('connection reset (injected)');
      const connect = db.pool.connect.bind(db.pool) as () => Promise<PoolClient>;
      sinon.stub(db.pool, 'connect').callsFake((async () => {
        const client = await connect();
        const query = client.query.bind(client) as (config: unknown) => Promise<unknown>;
        let appends = 0;
        sinon.stub(client, 'query').callsFake(((config: unknown) => {
          const isAppend = typeof config === 'object' && (config as { name?: string }).name === 'acta_append_stream_v3';
          if (isAppend && ++appends === 2) return Promise.reject(failure);
          return query(config);
        }) as never);
        return client;
      }) as never);
      const [first, second] = [streamId(), streamId()];
      const movement = transactionRecord();
      let rejection: unknown = null;
      await store.appendBatch([streamAppend(first, 0, 2, { transactions: [movement] }), streamAppend(second, 0, 1)]).catch((error: unknown) => (rejection = error));
      expect(rejection).to.equal(failure);
      sinon.restore();
      expect(await store.streamVersion(first)).to.equal(0);
      expect((await store.findTransactions([movement.transactionId])).size).to.equal(0);
      expect(await new PostgresOutbox(db.pool).stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
      expect(store.appendTransactions()).to.equal(0);
      // The connection went back clean: the next batch commits.
      expect((await store.appendBatch([streamAppend(first, 0, 1)]))[0]).to.have.property('ok', true);
    });

    it('rejects a conflict-free batch that fails inside Postgres and writes nothing', async () => {
      // A real server-side failure of the one-statement path: the statement times out.
      const slow = createPool(db.url, { max: 1, statementTimeoutMs: 1, applicationName: 'acta-test-slow' });
      try {
        const slowStore = new PostgresEventStore(slow);
        const stream = streamId();
        let rejection: unknown = null;
        await slowStore.appendBatch(Array.from({ length: 200 }, (_, index) => streamAppend(index === 0 ? stream : streamId(), 0, 5))).catch((error: unknown) => (rejection = error));
        expect(rejection).to.have.property('code', '57014');
        expect(slowStore.appendTransactions()).to.equal(0);
        expect(await store.streamVersion(stream)).to.equal(0);
        expect(await new PostgresOutbox(db.pool).stats()).to.deep.equal({ pending: 0, oldestAgeMs: null });
      } finally {
        await slow.end();
      }
    });

    it('keeps positions inside the writing transaction’s range', async () => {
      await store.appendBatch([streamAppend(streamId(), 0, 2), streamAppend(streamId(), 0, 1)]);
      const { rows } = await db.pool.query<{ ok: boolean }>(
        `select bool_and(global_position / 1048576 = tx_id::text::bigint) as ok from events`,
      );
      expect(rows[0]?.ok).to.equal(true);
    });
  });

  describe('migrate', () => {
    it('is a no-op when the schema is current', async () => {
      expect(await migrate(db.pool)).to.deep.equal({ applied: [] });
      const { rows } = await db.pool.query<{ version: number }>('select version from schema_migrations order by version');
      expect(rows.map((row) => row.version)).to.deep.equal(migrations.map((migration) => migration.version));
    });

    it('lets two nodes migrate a fresh database at the same time', async () => {
      const fresh = await createTestDatabase({ migrate: false, poolMax: 4 });
      try {
        const results = await Promise.all([migrate(fresh.pool), migrate(fresh.pool)]);
        const applied = results.flatMap((result) => result.applied).sort((x, y) => x - y);
        expect(applied).to.deep.equal(migrations.map((migration) => migration.version));
        const { rows } = await fresh.pool.query<{ n: string }>('select count(*) as n from schema_migrations');
        expect(rows[0]?.n).to.equal(String(migrations.length));
      } finally {
        await fresh.drop();
      }
    });

    it('refuses a migration history whose names disagree with the code', async () => {
      const renamed = migrations.map((migration) => ({ ...migration, name: `${migration.name} (edited)` }));
      let failure: unknown = null;
      await migrate(db.pool, renamed).catch((error: unknown) => (failure = error));
      expect(String(failure)).to.match(/was applied as/);
    });
  });
});
