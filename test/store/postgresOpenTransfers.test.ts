// The recovery sweep's search for unfinished transfers on real Postgres: it finds exactly the
// transfers without a terminal event, oldest first, and each sweep starts at a watermark that never
// passes an open transfer, so finished history is not scanned again. And transfer ownership: a
// live owner's transfer is never taken, a dead owner's is taken at once and listed as orphaned.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { transferStreamId } from '../../src/domain/transfer/transferIds';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { positionsPerTransaction } from '../../src/infra/postgres/schema/writeSideMigrations';
import { PostgresOpenTransfers } from '../../src/infra/postgres/writeSide/postgresOpenTransfers';
import { PostgresOwner } from '../../src/infra/postgres/presence/ownerPresence';
import { Owner } from '../../src/ports/ownerPresence';
import { TestDatabase, createTestDatabase } from '../support/database';

describe('PostgresOpenTransfers', function () {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeEach(async function () {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
  });
  const owners: Owner[] = [];
  afterEach(async function () {
    for (const owner of owners.splice(0)) await owner.release();
    await db.drop();
  });

  async function owner(finder: PostgresOpenTransfers): Promise<PostgresOwner> {
    const acquired = (await finder.acquireOwner()) as PostgresOwner;
    owners.push(acquired);
    return acquired;
  }

  async function kill(dead: PostgresOwner): Promise<void> {
    const { rows } = await db.pool.query<{ ended: boolean }>('select pg_terminate_backend($1, 5000) as ended', [dead.backendPid]);
    expect(rows[0]?.ended).to.equal(true);
  }

  async function append(transferId: string, expectedVersion: number, type: string, data: Record<string, unknown> = {}): Promise<void> {
    const event = {
      eventId: randomUUID(),
      type,
      data: { transferId, ...data },
      metadata: { commandId: 'test', correlationId: transferId, causationId: null },
      occurredAt: new Date().toISOString(),
    };
    const [result] = await store.appendBatch([
      { streamId: transferStreamId(transferId), expectedVersion, events: [event], topic: 'acta.transfer', transactions: [], idempotency: [] },
    ]);
    expect(result?.ok).to.equal(true);
  }
  const request = (transferId: string) => append(transferId, 0, 'TransferRequested', { sourceAccountId: 'a', destinationAccountId: 'b', amount: 1, currency: 'EUR' });

  it('finds open transfers oldest first, never a terminal one, and respects the limit', async function () {
    const finder = new PostgresOpenTransfers(db.pool);
    for (const id of ['t1', 't2', 't3', 't4']) await request(id);
    await append('t1', 1, 'TransferCompleted');
    await append('t3', 1, 'TransferFailed', { reason: 'insufficient_funds', stage: 'hold', detail: '' });
    expect(await finder.openTransferIds(10)).to.deep.equal(['t2', 't4']);
    expect(await finder.openTransferIds(1)).to.deep.equal(['t2']);
  });

  it('moves its watermark up to the oldest open transfer, past finished history, and still sees new transfers', async function () {
    const finder = new PostgresOpenTransfers(db.pool);
    for (const id of ['t1', 't2', 't3']) await request(id);
    await append('t1', 1, 'TransferCompleted');
    expect(await finder.openTransferIds(10)).to.deep.equal(['t2', 't3']);
    const atT2 = finder.sweepsFrom();
    const { rows } = await db.pool.query<{ position: string }>(`select global_position::text as position from events where stream_id = $1 and stream_version = 1`, [transferStreamId('t2')]);
    expect(atT2).to.equal(BigInt(rows[0]!.position));

    await append('t2', 1, 'TransferCompleted');
    await append('t3', 1, 'TransferCompleted');
    expect(await finder.openTransferIds(10)).to.deep.equal([]);
    const pastHistory = finder.sweepsFrom();
    expect(pastHistory > atT2).to.equal(true);

    await request('t4');
    expect(await finder.openTransferIds(10)).to.deep.equal(['t4']);
    expect(finder.sweepsFrom() >= pastHistory).to.equal(true);
  });

  it('does not pass a transfer whose transaction commits after the sweep (an older transaction id)', async function () {
    const finder = new PostgresOpenTransfers(db.pool);
    const late = await db.pool.connect();
    try {
      // The late transfer's transaction starts first (lower id, so lower positions) and commits last.
      await late.query('begin');
      await late.query(
        `insert into events (global_position, stream_id, stream_version, event_id, event_type, data, metadata, occurred_at)
         values (pg_current_xact_id()::text::bigint * $1 + 1, $2, 1, $3, 'TransferRequested', $4, '{}', now())`,
        [positionsPerTransaction, transferStreamId('t-late'), randomUUID(), JSON.stringify({ transferId: 't-late' })],
      );
      await request('t-early');
      await append('t-early', 1, 'TransferCompleted');
      expect(await finder.openTransferIds(10)).to.deep.equal([]);
      await late.query('commit');
    } finally {
      late.release();
    }
    expect(await finder.openTransferIds(10)).to.deep.equal(['t-late']);
  });

  describe('ownership', function () {
    it('lets one live owner drive a transfer: never taken while it lives, taken at once when it dies', async function () {
      const finder = new PostgresOpenTransfers(db.pool);
      const [a, b] = [await owner(finder), await owner(finder)];
      expect(await finder.claimTransfer(a.id, 't1')).to.equal(true);
      expect(await finder.claimTransfer(a.id, 't1'), 'an owner keeps what it has').to.equal(true);
      expect(await finder.claimTransfer(b.id, 't1'), 'a live owner\'s transfer is never taken').to.equal(false);
      expect(await finder.orphanedTransferIds(10)).to.deep.equal([]);
      await kill(a);
      expect(await finder.orphanedTransferIds(10)).to.deep.equal(['t1']);
      expect(await finder.claimTransfer(b.id, 't1'), 'a dead owner\'s transfer is taken at once').to.equal(true);
      expect(await finder.orphanedTransferIds(10)).to.deep.equal([]);
      expect(await finder.claimTransfer(a.id, 't2'), 'an owner that ended takes nothing').to.equal(false);
    });

    it('gives a transfer up only for the owner that drives it', async function () {
      const finder = new PostgresOpenTransfers(db.pool);
      const [a, b] = [await owner(finder), await owner(finder)];
      expect(await finder.claimTransfer(a.id, 't1')).to.equal(true);
      await finder.releaseTransfer(b.id, 't1');
      expect(await finder.claimTransfer(b.id, 't1')).to.equal(false);
      await finder.releaseTransfer(a.id, 't1');
      expect(await finder.claimTransfer(b.id, 't1')).to.equal(true);
      const { rows } = await db.pool.query<{ owner: string }>('select owner from transfer_owners');
      expect(rows).to.deep.equal([{ owner: b.id }]);
    });

    it('lets exactly one of many concurrent claimants of an orphan take it', async function () {
      const finder = new PostgresOpenTransfers(db.pool);
      const dead = await owner(finder);
      expect(await finder.claimTransfer(dead.id, 't1')).to.equal(true);
      await kill(dead);
      const claimants = await Promise.all([1, 2, 3, 4].map(() => owner(finder)));
      const results = await Promise.all(claimants.map((claimant) => finder.claimTransfer(claimant.id, 't1')));
      expect(results.filter(Boolean)).to.have.length(1);
    });

    it('leaves transfers another live owner drives out of the sweep, yet keeps its watermark below them', async function () {
      const finder = new PostgresOpenTransfers(db.pool);
      for (const id of ['t1', 't2', 't3']) await request(id);
      const [a, b] = [await owner(finder), await owner(finder)];
      expect(await finder.claimTransfer(a.id, 't1')).to.equal(true);
      expect(await finder.claimTransfer(b.id, 't2')).to.equal(true);
      expect(await finder.openTransferIds(10, b.id)).to.deep.equal(['t2', 't3']);
      expect(await finder.openTransferIds(10, a.id)).to.deep.equal(['t1', 't3']);
      const { rows } = await db.pool.query<{ position: string }>(`select global_position::text as position from events where stream_id = $1`, [transferStreamId('t1')]);
      expect(finder.sweepsFrom()).to.equal(BigInt(rows[0]!.position));
      await kill(a);
      expect(await finder.openTransferIds(10, b.id)).to.deep.equal(['t1', 't2', 't3']);
    });
  });
});
