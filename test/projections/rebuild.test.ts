// Rebuild and verify of the read models (accounts, transfers) against real Postgres: a full
// rebuild equals the live read models byte for byte; readers never see them half-built; one
// account or one transfer can be rebuilt; verify finds tampered, missing and extra rows; the
// CLI's exit codes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { seededRandom } from '../../load/shared/prng';
import { createPiscinaStreamFolder } from '../../src/cli/piscinaStreamFolder';
import { PostgresEventStore } from '../../src/infra/postgres/writeSide/postgresEventStore';
import { PostgresReadModel } from '../../src/infra/postgres/readSide/postgresReadModel';
import { PostgresTransferReadModel } from '../../src/infra/postgres/readSide/postgresTransferReadModel';
import { EventStore } from '../../src/ports/eventStore';
import { projectionLimits } from '../../src/config/limits';
import { createProjectionRebuilder, rebuildAllLockKey, RebuildInProgressError } from '../../src/infra/postgres/readSide/postgresProjectionRebuilder';
import { verifyFailed } from '../../src/projections/verify/verifyReport';
import { TestDatabase } from '../support/database';
import { isAccountStream } from '../../src/projections/accounts/accountProjection';
import { isTransferStream } from '../../src/projections/transfers/transferProjection';
import {
  appendAccounts,
  appendTransfers,
  asMessage,
  consumed,
  deposited,
  frozen,
  fundsHeld,
  newEvent,
  opened,
  requested,
  toAccountBatch,
  toTransferBatch,
} from './fixtures';
import { allEvents, appendHistories, appendTransferStreams, projectHostilely, randomHistories, randomTransfers, settledLog } from './liveProjection';
import { createReadModelDatabase, dumpReadModels } from './readModelDatabase';

const root = path.resolve(__dirname, '../..');
const seed = Number(process.env.TEST_SEED ?? Date.now() % 2 ** 31);

function runCli(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(root, 'node_modules/.bin/tsx'),
      ['src/cli/replay.ts', ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl, EVENT_STORE_KIND: 'postgres' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

async function schemaOf(db: TestDatabase): Promise<string> {
  const { rows } = await db.pool.query<{ shape: string }>(`
    select string_agg(format('%s %s %s', c.relname, c.relpersistence, coalesce(i.indexdef, '')), E'\\n' order by c.relname, i.indexname) as shape
    from pg_class c left join pg_indexes i on i.tablename = c.relname and i.schemaname = current_schema()
    where c.relname in ('account_summary', 'account_statement', 'transfer_summary') and c.relkind = 'r'`);
  const constraints = await db.pool.query<{ names: string }>(`
    select string_agg(conname, ',' order by conname) as names from pg_constraint
    where conrelid in ('account_summary'::regclass, 'account_statement'::regclass, 'transfer_summary'::regclass)`);
  return `${rows[0]!.shape}\n${constraints.rows[0]!.names}`;
}

/** Transfers drawn for `accounts` accounts. */
const transfersOf = (accounts: number) => Math.ceil(accounts / 2);

describe('projection rebuild and verify (Postgres)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  let readModel: PostgresReadModel;
  let transferReadModel: PostgresTransferReadModel;

  beforeEach(async () => {
    db = await createReadModelDatabase();
    store = new PostgresEventStore(db.pool);
    readModel = new PostgresReadModel(db.pool, store.readStream.bind(store));
    transferReadModel = new PostgresTransferReadModel(db.pool, store.readStream.bind(store));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`rebuild tests: seed ${seed} (TEST_SEED=${seed} replays it)\n`);
    await db.drop();
  });

  /**
   * Accounts (with holds and transfer legs), transfers, and a poisoned stream of each kind, every
   * projection fed live, hostilely.
   */
  async function liveReadModel(accounts: number, eventsMax: number): Promise<void> {
    const random = seededRandom(seed);
    const histories = randomHistories(random, accounts, eventsMax);
    const transfers = randomTransfers(random, transfersOf(accounts));
    const poisoned = { ghost: [frozen('ghost'), opened('ghost')], held: [opened('held'), newEvent('HoldPlaced', { accountId: 'held' })] };
    await appendHistories(store, histories);
    await appendTransferStreams(store, transfers);
    await appendAccounts(store, poisoned);
    await appendTransfers(store, { t1: [newEvent('TransferRequested', { transferId: 't1' })] });
    await settledLog(store, [histories, transfers, poisoned].flatMap((streams) => Object.values(streams)).flat().length + 1);
    await projectHostilely(store, { owns: isAccountStream, apply: (batch) => readModel.applyAccountBatch(toAccountBatch(batch)) }, random);
    await projectHostilely(store, { owns: isTransferStream, apply: (batch) => transferReadModel.applyTransferBatch(toTransferBatch(batch)) }, random);
  }

  it('rebuilds everything through worker threads into exactly the live read model, byte for byte', async () => {
    await liveReadModel(400, 15);
    expect((await allEvents(store)).length).to.be.greaterThan(projectionLimits.inProcessFoldEventsMax);
    const live = await dumpReadModels(db);
    const schema = await schemaOf(db);
    const folder = createPiscinaStreamFolder(2);
    try {
      const result = await createProjectionRebuilder({ pool: db.pool, store, folder }).rebuildAll();

      expect(folder.stats().workerTasks).to.be.greaterThan(0);
      expect(result).to.deep.include({ accounts: 401, transfers: transfersOf(400), reconciledAccounts: 0, reconciledTransfers: 0 });
      expect(result.poisoned.map((entry) => [entry.streamId, entry.code])).to.have.deep.members([
        ['account-ghost', 'account_not_found'],
        ['account-held', 'invalid_event_data'],
        ['transfer-t1', 'invalid_event_data'],
      ]);
    } finally {
      await folder.close();
    }
    expect(await dumpReadModels(db)).to.equal(live);
    expect(await schemaOf(db)).to.equal(schema);
    expect(schema).to.include('account_summary p').and.include('account_summary_pkey').and.include('transfer_summary_pkey');
    expect((await createProjectionRebuilder({ pool: db.pool, store }).verify()).drifts).to.deep.equal([]);
  });

  it('rebuilds an empty or emptied read model from the event store', async () => {
    await liveReadModel(30, 8);
    const live = await dumpReadModels(db);
    await db.pool.query('delete from account_statement; delete from account_summary; delete from transfer_summary');

    await createProjectionRebuilder({ pool: db.pool, store }).rebuildAll();

    expect(await dumpReadModels(db)).to.equal(live);
  });

  it('never shows readers a half-empty read model while rebuilding, and queries keep working after the swap', async () => {
    await liveReadModel(300, 10);
    const rebuild = createProjectionRebuilder({ pool: db.pool, store }).rebuildAll();
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        const [summary, history] = await Promise.all([readModel.summary('acc-7'), readModel.history('acc-7', 5, 0)]);
        expect(summary, 'summary during the rebuild').to.not.equal(null);
        expect(history?.entries.length, 'history during the rebuild').to.be.greaterThan(0);
        reads += 1;
      }
    })();
    await rebuild.finally(() => {
      done = true;
    });
    await reader;
    expect(reads).to.be.greaterThan(0);
    expect(await readModel.summary('acc-7')).to.not.equal(null);
  });

  it('keeps what the live projector applied during the build, even events readAll does not show yet', async () => {
    await liveReadModel(20, 5);
    // readAll hides some events, as it does while an older transaction is open; the live
    // projector has already applied them.
    const hidden = new Set<string>();
    const hiding: Pick<EventStore, 'readAll' | 'readStream'> = {
      readAll: async (after, limit) => (await store.readAll(after, limit)).filter((event) => !hidden.has(event.eventId)),
      readStream: (streamId, after, limit) => store.readStream(streamId, after, limit),
    };
    const late = (await appendAccounts(store, { 'acc-3': [deposited('acc-3', 999, 'USD')] })).get('acc-3')!;
    hidden.add(late[0]!.eventId);
    await readModel.applyAccountBatch(toAccountBatch(consumed(late.map(asMessage), 10_000)));
    const lateTransfer = (await appendTransfers(store, { 'late-t': [requested('late-t', 'acc-1', 'acc-2', 5), fundsHeld('late-t')] })).get('late-t')!;
    hidden.add(lateTransfer[1]!.eventId);
    await transferReadModel.applyTransferBatch(toTransferBatch(consumed(lateTransfer.map(asMessage), 10_000)));
    const live = await dumpReadModels(db);

    const result = await createProjectionRebuilder({ pool: db.pool, store: hiding }).rebuildAll();

    expect(result).to.deep.include({ reconciledAccounts: 1, reconciledTransfers: 1 });
    expect(await transferReadModel.transfer('late-t')).to.deep.include({ version: 2, stage: 'credit' });
    expect(await dumpReadModels(db)).to.equal(live);
  });

  it('refuses a second full rebuild while one holds the lock', async () => {
    const holder = await db.pool.connect();
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [rebuildAllLockKey]);
      let failure: unknown = null;
      await createProjectionRebuilder({ pool: db.pool, store })
        .rebuildAll()
        .catch((error: unknown) => {
          failure = error;
        });
      expect(failure).to.be.instanceOf(RebuildInProgressError);
    } finally {
      await holder.query('select pg_advisory_unlock($1::bigint)', [rebuildAllLockKey]);
      holder.release();
    }
  });

  it('rebuilds one tampered account in one transaction and leaves the others alone', async () => {
    await liveReadModel(10, 8);
    const live = await dumpReadModels(db);
    await db.pool.query(`update account_summary set balance = balance + 1 where account_id = 'acc-1'`);
    await db.pool.query(`delete from account_statement where account_id = 'acc-1' and stream_version = 1`);
    // A balance change always drifts (a status flip would not when the random history froze acc-2 already).
    await db.pool.query(`update account_summary set balance = balance + 7 where account_id = 'acc-2'`);
    const rebuilder = createProjectionRebuilder({ pool: db.pool, store });

    const result = await rebuilder.rebuildAccount('acc-1');

    expect(result).to.deep.include({ accountId: 'acc-1', found: true, poison: null });
    const summary = await readModel.summary('acc-1');
    expect(result.version).to.equal(summary?.version);
    expect((await rebuilder.verify()).drifts.map((drift) => drift.key)).to.deep.equal(['acc-2']);
    await rebuilder.rebuildAccount('acc-2');
    expect(await dumpReadModels(db)).to.equal(live);
    expect(await rebuilder.rebuildAccount('never-existed')).to.deep.include({ found: false, events: 0, version: 0 });
  });

  it('rebuilds one tampered transfer in one transaction and leaves the others alone', async () => {
    await liveReadModel(10, 8);
    const live = await dumpReadModels(db);
    await db.pool.query(`update transfer_summary set amount = amount + 1 where transfer_id = 'tr-1'`);
    await db.pool.query(`delete from transfer_summary where transfer_id = 'tr-2'`);
    const rebuilder = createProjectionRebuilder({ pool: db.pool, store });

    const result = await rebuilder.rebuildTransfer('tr-1');

    expect(result).to.deep.include({ transferId: 'tr-1', found: true, poison: null });
    expect(result.version).to.equal((await transferReadModel.transfer('tr-1'))?.version);
    const report = await rebuilder.verify();
    expect(report.drifts.map((drift) => [drift.kind, drift.table, drift.key])).to.deep.equal([['missing', 'transfer_summary', 'tr-2']]);
    expect(report).to.deep.include({ driftedAccounts: 0, driftedTransfers: 1 });
    await rebuilder.rebuildTransfer('tr-2');
    expect(await dumpReadModels(db)).to.equal(live);
    expect(await rebuilder.rebuildTransfer('never-existed')).to.deep.include({ found: false, events: 0, version: 0 });
    const poisoned = await rebuilder.rebuildTransfer('t1');
    expect(poisoned).to.deep.include({ found: true, version: 0 });
    expect(poisoned.poison).to.include({ streamId: 'transfer-t1', code: 'invalid_event_data' });
  });

  it('verify reports nothing on a converged read model and every kind of drift otherwise', async () => {
    await liveReadModel(12, 6);
    const rebuilder = createProjectionRebuilder({ pool: db.pool, store });
    const clean = await rebuilder.verify();
    expect(clean.drifts).to.deep.equal([]);
    expect(verifyFailed(clean)).to.equal(false);
    expect(clean.poisoned.map((entry) => entry.streamId)).to.have.members(['account-ghost', 'account-held', 'transfer-t1']);

    await db.pool.query(`update account_summary set balance = balance + 5 where account_id = 'acc-1'`);
    await db.pool.query(`delete from account_statement where account_id = 'acc-2' and stream_version = 1`);
    await db.pool.query(`delete from account_summary where account_id = 'acc-3'`);
    await db.pool.query(`
      insert into account_statement (account_id, stream_version, event_id, event_type, balance_after, occurred_at)
      values ('acc-4', 999, gen_random_uuid(), 'MoneyDeposited', 1, now())`);
    await db.pool.query(`update account_statement set balance_after = balance_after + 1 where account_id = 'acc-5' and stream_version = 1`);
    await db.pool.query(`update transfer_summary set amount = amount + 1 where transfer_id = 'tr-0'`);
    await db.pool.query(`delete from transfer_summary where transfer_id = 'tr-1'`);
    await db.pool.query(`
      insert into transfer_summary (transfer_id, source_account_id, destination_account_id, amount, currency, status, stage, version, created_at, updated_at)
      values ('tr-ghost', 'a', 'b', 1, 'EUR', 'PENDING', 'hold', 1, now(), now())`);

    const report = await rebuilder.verify();

    expect(verifyFailed(report)).to.equal(true);
    expect(report.drifts.map((drift) => [drift.kind, drift.table, drift.key, drift.streamVersion ?? null])).to.have.deep.members([
      ['different', 'account_summary', 'acc-1', null],
      ['missing', 'account_statement', 'acc-2', 1],
      ['missing', 'account_summary', 'acc-3', null],
      ['extra', 'account_statement', 'acc-4', 999],
      ['different', 'account_statement', 'acc-5', 1],
      ['different', 'transfer_summary', 'tr-0', null],
      ['missing', 'transfer_summary', 'tr-1', null],
      ['extra', 'transfer_summary', 'tr-ghost', null],
    ]);
    expect(report.drifts.find((drift) => drift.key === 'acc-1')?.fields).to.deep.equal(['balance']);
    expect(report.drifts.find((drift) => drift.key === 'acc-5')?.fields).to.deep.equal(['balanceAfter']);
    expect(report.drifts.find((drift) => drift.key === 'tr-0')?.fields).to.deep.equal(['amount']);
    expect(report).to.deep.include({ driftedAccounts: 5, driftedTransfers: 3 });
  });

  it('CLI: verify exits 0 when clean and 1 with each drift printed; one transfer and all rebuild; bad arguments exit 2', async () => {
    await liveReadModel(15, 6);
    // 15 accounts, ghost and held; the drawn transfers and t1.
    const streams = 15 + 2 + transfersOf(15) + 1;

    const clean = await runCli(['verify'], db.url);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.match(new RegExp(`verify: ${streams} streams, \\d+ events, 0 accounts drifted, 0 transfers drifted`));

    await db.pool.query(`update account_summary set owner_id = 'mallory' where account_id = 'acc-9'`);
    await db.pool.query(`update transfer_summary set amount = amount + 1 where transfer_id = 'tr-3'`);
    const drifted = await runCli(['verify'], db.url);
    expect(drifted.code, drifted.stderr).to.equal(1);
    expect(drifted.stdout).to.match(/^drift different account_summary account=acc-9 fields=ownerId /m);
    expect(drifted.stdout).to.match(/^drift different transfer_summary transfer=tr-3 fields=amount /m);
    expect(drifted.stdout).to.match(/1 accounts drifted, 1 transfers drifted/);

    const one = await runCli(['transfer', 'tr-3'], db.url);
    expect(one.code, one.stderr).to.equal(0);
    expect(JSON.parse(one.stdout)).to.deep.include({ transferId: 'tr-3', found: true, poison: null });
    const rebuilt = await runCli(['all'], db.url);
    expect(rebuilt.code, rebuilt.stderr).to.equal(0);
    expect(JSON.parse(rebuilt.stdout)).to.deep.include({ accounts: 16, transfers: transfersOf(15) });
    expect((await runCli(['verify'], db.url)).code).to.equal(0);

    for (const args of [['rebuild', 'everything'], ['transfer'], ['transfer', '']]) {
      const usage = await runCli(args, db.url);
      expect(usage.code, args.join(' ')).to.equal(2);
      expect(usage.stderr).to.match(/^usage: .*transfer <transferId>/);
    }
    const audit = await db.pool.query<{ action: string; target: string; result: string }>('select action, target, result from admin_audit order by id');
    expect(audit.rows.map((row) => `${row.action}:${row.target}:${row.result}`)).to.deep.equal([
      'verify:accounts:ok',
      'verify:accounts:error',
      'rebuild:transfer:tr-3:ok',
      'rebuild-all:accounts:ok',
      'verify:accounts:ok',
    ]);
  });
});
