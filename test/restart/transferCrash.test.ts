// Kill -9 at every step boundary of a transfer (FAULT_KILL_AT makes the server SIGKILL itself the
// first time it reaches the point), restart without the fault, and check the transfer ends cleanly
// exactly once: recovery finds it in the event store, every leg happened at most once, and the money
// adds up. Also a SIGTERM in the middle of a burst of transfers: a clean exit, and after a restart
// every transfer is terminal with money conserved. Real server processes on a real Postgres database.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { post } from '../support/app';
import { TestDatabase, createTestDatabase } from '../support/database';
import { Server, startServer, stopHard } from '../support/serverProcess';
import { eventually } from '../support/eventually';

interface Ledger {
  types: string[];
  balance: number;
  held: number;
}

async function ledger(db: TestDatabase, accountId: string): Promise<Ledger> {
  const { rows } = await db.pool.query<{ event_type: string; amount: string | null }>(
    `select event_type, data->>'amount' as amount from events where stream_id = $1 order by stream_version`,
    [`account-${accountId}`],
  );
  const result: Ledger = { types: rows.map((row) => row.event_type), balance: 0, held: 0 };
  for (const row of rows) {
    const amount = Number(row.amount ?? 0);
    if (row.event_type === 'MoneyDeposited' || row.event_type === 'TransferCredited') result.balance += amount;
    if (row.event_type === 'MoneyWithdrawn' || row.event_type === 'HoldCaptured') result.balance -= amount;
    if (row.event_type === 'HoldPlaced') result.held += amount;
    if (row.event_type === 'HoldCaptured' || row.event_type === 'HoldReleased') result.held -= amount;
  }
  return result;
}

async function transferEvents(db: TestDatabase, transferId: string): Promise<Array<{ event_type: string; data: Record<string, unknown> }>> {
  const { rows } = await db.pool.query<{ event_type: string; data: Record<string, unknown> }>(
    'select event_type, data from events where stream_id = $1 order by stream_version',
    [`transfer-${transferId}`],
  );
  return rows;
}

const countOf = (types: string[], type: string) => types.filter((each) => each === type).length;

describe('transfers survive kill -9 at every step boundary (real server, real Postgres)', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let server: Server | null = null;

  // A database per case: a transfer left unfinished by a failing case must not be resumed (and
  // hit the next case's fault point) by the next case's server.
  beforeEach(async function () {
    db = await createTestDatabase();
  });
  afterEach(async function () {
    await stopHard(server);
    server = null;
    await db.drop();
  });

  const cases: Array<{ point: string; frozenDestination: boolean }> = [
    { point: 'transfer.hold.answered', frozenDestination: false },
    { point: 'transfer.hold.recorded', frozenDestination: false },
    { point: 'transfer.credit.answered', frozenDestination: false },
    { point: 'transfer.credit.recorded', frozenDestination: false },
    { point: 'transfer.capture.answered', frozenDestination: false },
    { point: 'transfer.capture.recorded', frozenDestination: false },
    { point: 'transfer.credit.answered', frozenDestination: true },
    { point: 'transfer.release.answered', frozenDestination: true },
    { point: 'transfer.release.recorded', frozenDestination: true },
  ];

  for (const { point, frozenDestination } of cases) {
    const outcome = frozenDestination ? 'FAILED' : 'COMPLETED';
    it(`killed at ${point}${frozenDestination ? ' (frozen destination)' : ''} → ${outcome} exactly once after restart`, async function () {
      const tag = randomUUID().slice(0, 8);
      const [source, destination, transferId, key] = [`src-${tag}`, `dst-${tag}`, `t-${tag}`, `key-${tag}`];
      server = await startServer(db.url, { FAULT_KILL_AT: point });
      for (const accountId of [source, destination]) {
        expect((await post(server.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
      }
      expect((await post(server.baseUrl, `/api/accounts/${source}/deposits`, { amount: 1_000, currency: 'EUR', transactionId: `d-${tag}` })).status).to.equal(201);
      if (frozenDestination) expect((await post(server.baseUrl, `/api/accounts/${destination}/freeze`, { reason: 'test' })).status).to.equal(200);

      const body = { transferId, sourceAccountId: source, destinationAccountId: destination, amount: 300, currency: 'EUR' };
      // The process may die before or after the 202 leaves; either way the request was recorded first.
      await post(server.baseUrl, '/api/transfers', body, key).catch((error: unknown) => error);
      const exit = await Promise.race([server.exited, new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 20_000))]);
      // tsx reports its child's SIGKILL as exit code 137 (128 + 9).
      const killed = exit !== 'alive' && (exit.code === 137 || exit.signal === 'SIGKILL');
      expect(killed, `the server did not die at ${point}: ${JSON.stringify(exit)}`).to.equal(true);

      server = await startServer(db.url);
      const again = await post(server.baseUrl, '/api/transfers', body, key);
      expect(again.status, JSON.stringify(again.body)).to.equal(202);
      const events = await eventually(
        'the transfer completed or failed',
        () => transferEvents(db, transferId),
        { until: (rows) => rows.some((row) => row.event_type === 'TransferCompleted' || row.event_type === 'TransferFailed'), timeoutMs: 60_000, intervalMs: 200 },
      );
      const types = events.map((row) => row.event_type);
      expect(countOf(types, 'TransferRequested')).to.equal(1);
      expect(types[types.length - 1]).to.equal(frozenDestination ? 'TransferFailed' : 'TransferCompleted');

      const [from, to] = [await ledger(db, source), await ledger(db, destination)];
      expect(from.held, 'no hold left on the source').to.equal(0);
      expect(countOf(from.types, 'HoldPlaced')).to.equal(1);
      if (frozenDestination) {
        expect(events[events.length - 1]!.data).to.include({ reason: 'account_frozen', stage: 'credit' });
        expect(from.balance).to.equal(1_000);
        expect(countOf(from.types, 'HoldReleased')).to.equal(1);
        expect(countOf(from.types, 'HoldCaptured')).to.equal(0);
        expect(countOf(to.types, 'TransferCredited')).to.equal(0);
        expect(to.balance).to.equal(0);
      } else {
        expect(from.balance).to.equal(700);
        expect(to.balance).to.equal(300);
        expect(countOf(from.types, 'HoldCaptured')).to.equal(1);
        expect(countOf(from.types, 'HoldReleased')).to.equal(0);
        expect(countOf(to.types, 'TransferCredited')).to.equal(1);
      }
    });
  }
  it('SIGTERM during a burst of transfers exits 0; after restart every transfer is terminal and money is conserved', async function () {
    server = await startServer(db.url);
    const tag = randomUUID().slice(0, 8);
    const accounts = [0, 1, 2, 3].map((index) => `term-${tag}-${index}`);
    for (const accountId of accounts) {
      expect((await post(server.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
      expect((await post(server.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1_000, currency: 'EUR', transactionId: `d-${accountId}` })).status).to.equal(201);
    }
    const bodies = Array.from({ length: 40 }, (_, index) => ({
      transferId: `term-${tag}-t${index}`,
      sourceAccountId: accounts[index % 4]!,
      destinationAccountId: accounts[(index + 1) % 4]!,
      amount: 50 + index,
      currency: 'EUR',
    }));
    const burst = bodies.map((body) => post(server!.baseUrl, '/api/transfers', body, `key-${body.transferId}`).catch(() => null));
    await Promise.race(burst);
    server.child.kill('SIGTERM');
    await Promise.all(burst);
    const exit = await Promise.race([server.exited, new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 30_000))]);
    expect(exit, server.stderr()).to.deep.equal({ code: 0, signal: null });

    server = await startServer(db.url);
    // Retry every request (a client would): recorded ones answer 202 again, the others are recorded now.
    for (const body of bodies) expect((await post(server.baseUrl, '/api/transfers', body, `key-${body.transferId}`)).status).to.equal(202);
    for (const body of bodies) {
      await eventually(
        'the transfer completed or failed',
        () => transferEvents(db, body.transferId),
        { until: (rows) => rows.some((row) => row.event_type === 'TransferCompleted' || row.event_type === 'TransferFailed'), timeoutMs: 60_000, intervalMs: 100 },
      );
    }
    const ledgers = await Promise.all(accounts.map((accountId) => ledger(db, accountId)));
    expect(ledgers.reduce((sum, account) => sum + account.balance, 0)).to.equal(4_000);
    expect(ledgers.map((account) => account.held)).to.deep.equal([0, 0, 0, 0]);
  });
});
