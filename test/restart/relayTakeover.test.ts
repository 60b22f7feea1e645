// A SIGKILLed server's outbox claims do not outlive it. The real server process, on real Postgres:
// its projector is held up (the test locks account_summary) so the relay's claimed rows stay leased
// (a 30 s lease) and unpublished; the process is killed with SIGKILL and started again. The new
// relay publishes those rows at once, because their owner's advisory lock died with the process:
// the outbox drains and a minVersion read of a write made before the kill answers while the dead
// relay's lease has not even expired yet (the old behaviour waited the lease out).
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { PoolClient } from 'pg';
import { get, post } from '../support/app';
import { TestDatabase, createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { Server, killGroup, startServer, stopHard } from '../support/serverProcess';

describe('relay takeover after SIGKILL of the real server process (real Postgres)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let server: Server | null = null;
  let blocker: PoolClient | null = null;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    blocker?.release(true);
    await stopHard(server);
    await db?.drop();
  });

  it('publishes the dead relay\'s claimed rows right after the restart, long before their lease ends', async () => {
    server = await startServer(db.url);
    const accountId = `acc-${randomUUID()}`;
    const opened = await post(server.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-takeover', currency: 'USD' });
    expect(opened.status).to.equal(201);
    // The pipeline runs: the account is readable.
    const readable = await eventually('the balance readable', () => get(server!.baseUrl, `/api/accounts/${accountId}/balance?minVersion=1`), {
      until: (result) => result.status !== 503, timeoutMs: 20_000, intervalMs: 100,
    });
    expect(readable.status).to.equal(200);

    // Hold the projector up: its next batch waits for this lock, so the relay's publish is never
    // acknowledged and the rows it claimed stay leased to it.
    blocker = await db.pool.connect();
    await blocker.query('begin');
    await blocker.query('lock table account_summary in exclusive mode');
    let expected = 0;
    let version = 1;
    for (const amount of [500, 120, 7]) {
      const deposit = await post(server.baseUrl, `/api/accounts/${accountId}/deposits`, { amount, currency: 'USD', transactionId: randomUUID() });
      expect(deposit.status, JSON.stringify(deposit.body)).to.equal(201);
      expected += amount;
      version = deposit.body.version as number;
    }
    // Precondition: rows of this stream are leased to the running relay, far from expiry.
    await eventually(
      'rows leased by the server',
      async () =>
        (await db.pool.query<{ n: number }>(`select count(*)::int as n from outbox_events where claimed_until > clock_timestamp() + interval '20 seconds'`)).rows[0]!.n,
      { until: (leased) => leased > 0, timeoutMs: 10_000, intervalMs: 50 },
    );

    killGroup(server.child, 'SIGKILL');
    expect((await server.exited).signal).to.equal('SIGKILL');
    server = null;
    await blocker.query('rollback');
    blocker.release();
    blocker = null;
    const { rows: lease } = await db.pool.query<{ until: Date; pending: number }>(
      'select max(claimed_until) as until, count(*)::int as pending from outbox_events',
    );
    expect(lease[0]!.pending, 'rows were left unpublished by the kill').to.be.greaterThan(0);
    const leaseEnd = lease[0]!.until;

    const restartedAt = Date.now();
    server = await startServer(db.url);
    const balance = await eventually(
      'the balance readable',
      () => get(server!.baseUrl, `/api/accounts/${accountId}/balance?minVersion=${version}`),
      { until: (result) => result.status !== 503, timeoutMs: 40_000, intervalMs: 100 },
    );
    expect(balance.status).to.equal(200);
    expect(balance.body).to.include({ balance: expected, version });
    await eventually(
      'the outbox drained',
      async () => (await db.pool.query<{ n: number }>('select count(*)::int as n from outbox_events')).rows[0]!.n,
      { until: (pending) => pending === 0, timeoutMs: 10_000 },
    );
    const { rows: clock } = await db.pool.query<{ before: boolean }>('select clock_timestamp() < $1::timestamptz as before', [leaseEnd]);
    expect(clock[0]!.before, `published ${Date.now() - restartedAt} ms after the restart began, after the dead relay's lease ended`).to.equal(true);
  });
});
