// Transfer recovery with ownership, two registries ("nodes") on one real Postgres database: node A
// drives a transfer whose hold step hangs; node B's sweeps never take it while A's owner lives; once
// A's owner session dies, B's orphan sweep takes the transfer over and finishes it, each leg applied
// exactly once. A dead owner's row of a transfer that is terminal already is cleared, nothing redone.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { ActorSystem } from '../../actors/system/actorSystem';
import { TransferRegistry } from '../../actors/transfer/transferRegistry';
import { activateAccount } from '../../src/app/activateAccount';
import { CommandBus, CommandPort } from '../../src/app/commandBus';
import { CommandRequest } from '../../src/app/commandRequest';
import { freshResponse, outcomeResponse, OutcomeResponse } from '../../src/http/outcomeResponse';
import { CommandOutcome } from '../../src/ports/commandOutcome';
import { JournalWriter } from '../../src/app/journalWriter';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { requestTransfer } from '../../src/app/transfers/requestTransfer';
import { AccountCommand } from '../../src/domain/account/accountCommands';
import { createLogger } from '../../src/infra/logger';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresOpenTransfers } from '../../src/infra/postgres/writeSide/postgresOpenTransfers';
import { PostgresSnapshotStore } from '../../src/infra/postgres/writeSide/postgresSnapshotStore';
import { TestDatabase, createTestDatabase } from '../support/database';
import { accountSide, now, transferRegistryBase } from '../support/accountSide';
import { eventually } from '../support/eventually';

describe('transfer takeover between two nodes (real Postgres)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let system: ActorSystem;
  let accounts: CommandBus;
  let store: PostgresEventStore;
  let snapshots: PostgresSnapshotStore;
  let journal: JournalWriter;
  const registries: TransferRegistry[] = [];
  const logger = createLogger('silent');
  /** Calls node A's hanging port received (they never answer). */
  let hung = 0;

  before(async function () {
    db = await createTestDatabase({ poolMax: 10 });
    store = new PostgresEventStore(db.pool);
    snapshots = new PostgresSnapshotStore(db.pool);
    ({ journal, system, accounts } = accountSide(store, snapshots, logger));
  });
  after(async function () {
    for (const registry of registries) await registry.stop(100);
    await system.drain(1_000);
    await db.drop();
  });

  function registry(port: CommandPort, intervals: { sweepIntervalMs: number; orphanSweepIntervalMs: number }): TransferRegistry {
    const created = new TransferRegistry({
      ...transferRegistryBase(store, journal, logger),
      accounts: port,
      openTransfers: new PostgresOpenTransfers(db.pool),
      ...intervals,
    });
    registries.push(created);
    return created;
  }

  async function command(command: AccountCommand): Promise<OutcomeResponse> {
    return outcomeResponse(await accounts.execute({ command, idempotencyKey: randomUUID(), requestHash: 'h', operation: command.type, correlationId: 'test' }));
  }

  it('never takes a transfer a live node drives, and takes it over at once when that node\'s owner dies', async function () {
    expect((await command({ type: 'OpenAccount', accountId: 'src', ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
    expect((await command({ type: 'DepositMoney', accountId: 'src', amount: 100, currency: 'EUR', transactionId: 'seed' })).status).to.equal(201);
    expect((await command({ type: 'OpenAccount', accountId: 'dst', ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
    const requested = await requestTransfer(
      { store, snapshots, journal, newId: randomUUID, now, render: freshResponse },
      {
        command: { transferId: 'tk-1', sourceAccountId: 'src', destinationAccountId: 'dst', amount: 40, currency: 'EUR' },
        idempotencyKey: 'tk-1-key',
        requestHash: 'h',
        operation: 'transfer.request',
        correlationId: 'test',
      },
    );
    expect(outcomeResponse(requested).status).to.equal(202);

    // Node A: its account commands never answer, so its actor sits in the hold step.
    const hanging: CommandPort = {
      execute: (_request: CommandRequest) => {
        hung += 1;
        return new Promise<CommandOutcome>(() => {});
      },
    };
    const nodeA = registry(hanging, { sweepIntervalMs: 60_000, orphanSweepIntervalMs: 60_000 });
    expect(nodeA.start('tk-1')).to.equal(true);
    await eventually('node A hung in its step', async () => hung, { until: (calls) => calls >= 1 });
    const ownerA = nodeA.ownerId();
    expect(ownerA).to.be.a('string');

    // Node B sweeps often, both kinds, and must leave tk-1 alone while A lives.
    const nodeB = registry(accounts, { sweepIntervalMs: 50, orphanSweepIntervalMs: 50 });
    await nodeB.startSweeping();
    await eventually('three sweeps and orphan sweeps on node B', async () => nodeB.stats(), { until: (stats) => stats.sweeps >= 3 && stats.orphanSweeps >= 3 });
    expect(nodeB.stats().started, 'B started nothing while A drives tk-1').to.equal(0);
    expect((await loadTransfer('tk-1', store)).stage).to.equal('hold');

    // A's owner session dies (as its process would): B takes tk-1 over and completes it.
    const { rows } = await db.pool.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [ownerA]);
    expect(rows).to.have.length(1);
    await db.pool.query('select pg_terminate_backend($1, 5000)', [rows[0]!.pid]);
    const done = await eventually('the transfer completed', () => loadTransfer('tk-1', store), { until: (transfer) => transfer.status === 'COMPLETED', timeoutMs: 10_000 });
    expect(done.status).to.equal('COMPLETED');
    expect(nodeA.stats().ownersLost).to.equal(1);
    expect(nodeA.stats().live, 'A halted what it drove under the lost owner').to.equal(0);
    expect(nodeB.stats().started).to.be.at.least(1);

    const [source, destination] = await Promise.all([activateAccount('src', store, snapshots), activateAccount('dst', store, snapshots)]);
    expect({ source: source.balance, held: source.held, destination: destination.balance }).to.deep.equal({ source: 60, held: 0, destination: 40 });
    const { rows: legs } = await db.pool.query<{ type: string; n: number }>(
      `select event_type as type, count(*)::int as n from events where stream_id in ('account-src', 'account-dst')` +
        ` and event_type in ('HoldPlaced', 'HoldCaptured', 'TransferCredited') group by event_type order by event_type`,
    );
    expect(legs).to.deep.equal([
      { type: 'HoldCaptured', n: 1 },
      { type: 'HoldPlaced', n: 1 },
      { type: 'TransferCredited', n: 1 },
    ]);
    await eventually('no transfer owner row left', async () => (await db.pool.query('select 1 from transfer_owners')).rowCount, { until: (count) => count === 0 });
  });

  it('clears a dead owner\'s row of a transfer that is terminal already, without driving or counting it again', async function () {
    const nodeB = registries[1]!;
    await db.pool.query(`insert into transfer_owners (transfer_id, owner) values ('tk-1', 'transfers-a-dead-node')`);
    const before = nodeB.stats();
    await eventually('no transfer owner row left', async () => (await db.pool.query('select 1 from transfer_owners')).rowCount, { until: (count) => count === 0, timeoutMs: 10_000 });
    const after = nodeB.stats();
    expect(after.finished, 'not finished a second time').to.equal(before.finished);
    expect(after.elsewhere).to.be.greaterThan(before.elsewhere);
    expect((await loadTransfer('tk-1', store)).version, 'nothing appended to the transfer').to.equal(4);
  });
});
