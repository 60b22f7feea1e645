// The real server as a child process on a real Postgres database: a SIGKILL loses no acknowledged
// write and idempotent replays after the restart answer exactly as the first time; a SIGTERM during
// a burst drains: every 2xx is in the event store and the process exits 0.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { HttpResult, get, post } from '../support/app';
import { TestDatabase, createTestDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { Server, killGroup, startServer, stopHard } from '../support/serverProcess';

async function eventCount(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from events');
  return rows[0]!.n;
}

/** GET balance?minVersion, retried (bounded) while the read model is behind (503). */
async function balanceAtLeast(baseUrl: string, accountId: string, minVersion: number, timeoutMs = 45_000): Promise<HttpResult> {
  return eventually(
    'the balance readable at the version',
    () => get(baseUrl, `/api/accounts/${accountId}/balance?minVersion=${minVersion}`),
    { until: (result) => result.status !== 503, timeoutMs, intervalMs: 200 },
  );
}

/** What the read side and the outbox hold for an account (for failure messages). */
async function readSideState(db: TestDatabase, accountId: string): Promise<Record<string, unknown>> {
  const summary = await db.pool.query('select * from account_summary where account_id = $1', [accountId]).catch((error: Error) => ({ rows: [error.message] }));
  const outbox = await db.pool.query('select id, stream_id, stream_version, claimed_by, claimed_until, attempts from outbox_events');
  const checkpoints = await db.pool.query('select * from projection_checkpoints').catch((error: Error) => ({ rows: [error.message] }));
  const deadLetters = await db.pool.query('select * from projection_dead_letters').catch((error: Error) => ({ rows: [error.message] }));
  return { summary: summary.rows, outbox: outbox.rows, checkpoints: checkpoints.rows, deadLetters: deadLetters.rows };
}

describe('kill and restart of the real server process (real Postgres)', function () {
  this.timeout(120_000);

  describe('SIGKILL', () => {
    let db: TestDatabase;
    let server: Server | null = null;
    const accountId = `acc-${randomUUID()}`;
    const calls: Array<{ path: string; body: Record<string, unknown>; key: string; first: HttpResult }> = [];
    let expected = 0;
    let eventsBefore = 0;

    before(async () => {
      db = await createTestDatabase();
      server = await startServer(db.url);
      const call = async (urlPath: string, body: Record<string, unknown>) => {
        const key = randomUUID();
        const first = await post(server!.baseUrl, urlPath, body, key);
        expect(first.status, JSON.stringify(first.body)).to.equal(201);
        calls.push({ path: urlPath, body, key, first });
        return first;
      };
      await call('/api/accounts', { accountId, ownerId: 'owner-restart', currency: 'USD' });
      for (const amount of [1_000, 250, 75, 3]) {
        await call(`/api/accounts/${accountId}/deposits`, { amount, currency: 'USD', transactionId: randomUUID() });
        expected += amount;
      }
      const last = await call(`/api/accounts/${accountId}/withdrawals`, { amount: 328, currency: 'USD', transactionId: randomUUID() });
      expected -= 328;
      // Killed right after the last acknowledgement: whatever the process had not finished
      // (relay, projector) dies with it.
      killGroup(server.child, 'SIGKILL');
      const exit = await server.exited;
      expect(exit.signal).to.equal('SIGKILL');
      expect(last.body).to.include({ balance: expected, version: 6 });
      eventsBefore = await eventCount(db);
      server = await startServer(db.url);
    });
    after(async () => {
      await stopHard(server);
      await db?.drop();
    });

    it('has every acknowledged write in the event store after the restart', async () => {
      expect(eventsBefore).to.equal(6);
      const { rows } = await db.pool.query<{ v: number; type: string }>(
        `select stream_version as v, event_type as type from events where stream_id = 'account-' || $1 order by stream_version`,
        [accountId],
      );
      expect(rows.map((row) => row.v)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    });

    it('serves the last acknowledged version and balance on GET balance?minVersion after the restart', async () => {
      const balance = await balanceAtLeast(server!.baseUrl, accountId, 6).catch(async (error: unknown) => {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\nstate: ${JSON.stringify(await readSideState(db, accountId))}`);
      });
      expect(balance.status, JSON.stringify(balance.body)).to.equal(200);
      expect(balance.body).to.include({ accountId, balance: expected, version: 6, currency: 'USD' });
    });

    it('answers each original POST replayed with its Idempotency-Key exactly as the first time, writing no event', async () => {
      expect(calls).to.have.length(6);
      for (const original of calls) {
        const replay = await post(server!.baseUrl, original.path, original.body, original.key);
        expect(replay.status, `${original.path} ${JSON.stringify(replay.body)}`).to.equal(original.first.status);
        expect(replay.body, original.path).to.deep.equal(original.first.body);
      }
      expect(await eventCount(db), 'replays wrote no event').to.equal(eventsBefore);
    });
  });

  describe('SIGTERM during a burst', () => {
    let db: TestDatabase;
    let server: Server | null = null;

    before(async () => {
      db = await createTestDatabase();
    });
    after(async () => {
      await stopHard(server);
      await db?.drop();
    });

    it('stores every request that got a 2xx and exits 0 within 20 s', async () => {
      server = await startServer(db.url);
      const accountId = `acc-${randomUUID()}`;
      const opened = await post(server.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-term', currency: 'USD' });
      expect(opened.status).to.equal(201);

      const burst = Array.from({ length: 50 }, () => {
        const transactionId = randomUUID();
        return post(server!.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1, currency: 'USD', transactionId }).then(
          (result) => ({ transactionId, result }),
          (error: unknown) => ({ transactionId, result: null, error }),
        );
      });
      // Signal while the burst is in flight: right after the first deposit is acknowledged.
      await Promise.race(burst);
      const signalledAt = Date.now();
      // SIGTERM goes straight to the node process running main.ts (npm start runs no tsx CLI in front).
      server.child.kill('SIGTERM');
      const outcomes = await Promise.all(burst);
      const exit = await Promise.race([
        server.exited,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
      ]);
      expect(exit, `no exit within 20 s of SIGTERM; stderr: ${server.stderr()}`).to.not.equal(null);
      expect(exit, server.stderr()).to.deep.equal({ code: 0, signal: null });
      expect(Date.now() - signalledAt).to.be.below(20_000);

      const acknowledged = outcomes.filter((outcome) => outcome.result && outcome.result.status >= 200 && outcome.result.status < 300);
      expect(acknowledged.length, 'at least the first deposit was acknowledged').to.be.at.least(1);
      const { rows } = await db.pool.query<{ tx: string }>(
        `select data->>'transactionId' as tx from events where stream_id = 'account-' || $1 and event_type = 'MoneyDeposited'`,
        [accountId],
      );
      const stored = new Set(rows.map((row) => row.tx));
      const missing = acknowledged.filter((outcome) => !stored.has(outcome.transactionId));
      expect(missing.map((outcome) => outcome.transactionId), 'acknowledged but not stored').to.deep.equal([]);
      // Every acknowledged deposit's version is in the store too.
      const { rows: versions } = await db.pool.query<{ v: number }>(
        `select max(stream_version)::int as v from events where stream_id = 'account-' || $1`,
        [accountId],
      );
      const maxAckVersion = Math.max(...acknowledged.map((outcome) => Number(outcome.result!.body.version)));
      expect(versions[0]!.v).to.be.at.least(maxAckVersion);
      // The rest were refused while draining (503) or cut off (connection closed), never failed otherwise.
      const statuses = outcomes.map((outcome) => outcome.result?.status ?? 'network-error');
      expect(statuses.filter((status) => status !== 'network-error' && status !== 503 && (status < 200 || status >= 300)), JSON.stringify(statuses)).to.deep.equal([]);
    });
  });
});
