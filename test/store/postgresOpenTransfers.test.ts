// The recovery sweep's search for unfinished transfers on real Postgres: it finds exactly the
// transfers without a terminal event, oldest first, and each sweep starts at a watermark that never
// passes an open transfer, so finished history is not scanned again.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { transferStreamId } from '../../src/domain/transfer/transferIds';
import { PostgresEventStore } from '../../src/infra/postgres/postgresEventStore';
import { positionsPerTransaction } from '../../src/infra/postgres/migrations';
import { PostgresOpenTransfers } from '../../src/infra/postgres/postgresOpenTransfers';
import { TestDatabase, createTestDatabase } from '../support/database';

describe('PostgresOpenTransfers', function () {
  let db: TestDatabase;
  let store: PostgresEventStore;

  beforeEach(async function () {
    db = await createTestDatabase();
    store = new PostgresEventStore(db.pool);
  });
  afterEach(async function () {
    await db.drop();
  });

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
});
