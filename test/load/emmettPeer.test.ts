// The bench's Emmett peer against real Postgres (TEST_DATABASE_URL's server; the peer takes a fresh
// database of its own and drops it on close): the account API the bench drives, its business rules,
// appends under optimistic concurrency, and the bench's balance verification catching a mismatch.
import { expect } from 'chai';
import type { StartedServer } from '../../load/bench/benchTarget';
import { DepositLedger, verifyBalances } from '../../load/bench/balanceCheck';
import type { CannonStats } from '../../load/cannon/runCannon';
import { startEmmettPeer } from '../../load/peers/emmett/emmettPeer';
import { HttpClient, HttpResult, createHttpClient } from '../../load/shared/httpClient';

const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Concurrent deposits on one stream: each must win its expected version eventually (CommandHandler retries). */
const concurrentDeposits = 5;
/** Short settle bounds: the peer's balance document is written in the append's transaction. */
const settle = { settleMs: 1_000, pollMs: 50 };

/** What autocannon would report for `acknowledged` 201s with `unanswered` requests left in flight. */
function cannonStats(acknowledged: number, unanswered = 0): CannonStats {
  return {
    requestsPerSec: acknowledged,
    totalRequests: acknowledged,
    requestsSent: acknowledged + unanswered,
    durationS: 1,
    latencyP50Ms: 1,
    latencyP99Ms: 1,
    latencyMaxMs: 1,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: acknowledged === 0 ? {} : { 201: acknowledged },
  };
}

describe('load/peers/emmett (real Postgres)', function () {
  let peer: StartedServer;
  let client: HttpClient;
  let sequence = 0;

  before(async () => {
    peer = await startEmmettPeer(serverUrl);
    client = createHttpClient({ baseUrl: peer.baseUrl, requestTimeoutMs: 10_000, maxSockets: 10 });
  });

  after(async () => {
    client?.close();
    await peer?.close();
  });

  const open = async (currency = 'USD'): Promise<string> => {
    sequence += 1;
    const accountId = `peer-acc-${sequence}`;
    const result = await client.send({ method: 'POST', path: '/accounts', body: { accountId, ownerId: 'owner-1', currency } });
    expect(result.status, JSON.stringify(result.body)).to.equal(201);
    return accountId;
  };
  const move = (accountId: string, kind: 'deposits' | 'withdrawals', amount: number, currency = 'USD'): Promise<HttpResult> => {
    sequence += 1;
    return client.send({ method: 'POST', path: `/accounts/${accountId}/${kind}`, body: { amount, currency, transactionId: `tx-${sequence}` }, idempotencyKey: `key-${sequence}` });
  };
  const balanceOf = async (accountId: string): Promise<unknown> => (await client.send({ method: 'GET', path: `/accounts/${accountId}/balance` })).body;

  it('answers the health probe the bench sends first', async () => {
    expect((await client.send({ method: 'GET', path: '/health' })).status).to.equal(200);
  });

  it('opens an account with a zero balance, and refuses to open it twice', async () => {
    const accountId = await open();
    expect(await balanceOf(accountId)).to.deep.equal({ accountId, balance: 0, currency: 'USD', version: 1 });
    const again = await client.send({ method: 'POST', path: '/accounts', body: { accountId, ownerId: 'owner-1', currency: 'USD' } });
    expect(again.status).to.equal(403);
    expect(again.code).to.equal('account_already_exists');
  });

  it('deposits, answering 201 with the new balance and stream version, and the balance read agrees', async () => {
    const accountId = await open();
    const first = await move(accountId, 'deposits', 1);
    expect(first.status).to.equal(201);
    expect(first.body).to.deep.include({ accountId, amount: 1, currency: 'USD', balance: 1, version: 2 });
    expect((await move(accountId, 'deposits', 250)).body).to.deep.include({ balance: 251, version: 3 });
    expect(await balanceOf(accountId)).to.deep.equal({ accountId, balance: 251, currency: 'USD', version: 3 });
  });

  it('rejects a withdrawal above the balance with a 4xx and leaves the balance as it was; exactly the balance is allowed', async () => {
    const accountId = await open();
    await move(accountId, 'deposits', 500);
    const overdraft = await move(accountId, 'withdrawals', 501);
    expect(overdraft.status).to.be.within(400, 499);
    expect(overdraft.code).to.equal('insufficient_funds');
    expect(await balanceOf(accountId)).to.deep.include({ balance: 500, version: 2 });
    const exact = await move(accountId, 'withdrawals', 500);
    expect(exact.status).to.equal(201);
    expect(await balanceOf(accountId)).to.deep.include({ balance: 0, version: 3 });
  });

  it('refuses amounts that are not positive integers, another currency and an unknown account', async () => {
    const accountId = await open();
    for (const amount of [0, -1, 1.5]) {
      const result = await move(accountId, 'deposits', amount);
      expect(result.status, String(amount)).to.equal(400);
      expect(result.code).to.equal('validation_error');
    }
    expect((await move(accountId, 'deposits', 100, 'EUR')).code).to.equal('currency_mismatch');
    expect((await move('peer-acc-missing', 'deposits', 100)).code).to.equal('account_not_found');
    expect((await client.send({ method: 'GET', path: '/accounts/peer-acc-missing/balance' })).status).to.equal(404);
    expect(await balanceOf(accountId)).to.deep.include({ balance: 0, version: 1 });
  });

  it('appends concurrent deposits on one stream under its expected version: each lands once, at its own version', async () => {
    const accountId = await open();
    const results = await Promise.all(Array.from({ length: concurrentDeposits }, () => move(accountId, 'deposits', 10)));
    expect(results.map((result) => result.status)).to.deep.equal(Array.from({ length: concurrentDeposits }, () => 201));
    const versions = results.map((result) => (result.body as { version: number }).version).sort((a, b) => a - b);
    expect(versions).to.deep.equal(Array.from({ length: concurrentDeposits }, (_, index) => index + 2));
    expect(await balanceOf(accountId)).to.deep.include({ balance: 10 * concurrentDeposits, version: concurrentDeposits + 1 });
  });

  describe('the bench balance check, against the peer', () => {
    it('passes when the balances hold exactly the deposits answered 2xx', async () => {
      const accounts = [await open(), await open()];
      const ledger = new DepositLedger(100);
      for (const accountId of [...accounts, accounts[0] as string]) expect((await move(accountId, 'deposits', 100)).status).to.equal(201);
      ledger.record(cannonStats(3));
      const verdict = await verifyBalances(client, accounts, ledger, settle);
      expect(verdict).to.deep.include({ ok: true, observed: 300, atLeast: 300, atMost: 300 });
    });

    it('fails when the server kept fewer deposits than it acknowledged', async () => {
      const accounts = [await open(), await open()];
      const ledger = new DepositLedger(100);
      await move(accounts[0] as string, 'deposits', 100);
      await move(accounts[1] as string, 'deposits', 100);
      ledger.record(cannonStats(3));
      const verdict = await verifyBalances(client, accounts, ledger, settle);
      expect(verdict).to.deep.include({ ok: false, observed: 200, atLeast: 300 });
    });

    it('fails when the server kept more deposits than were sent, and accepts in-flight ones up to the count left unanswered', async () => {
      const accounts = [await open()];
      const ledger = new DepositLedger(100);
      for (let i = 0; i < 3; i += 1) await move(accounts[0] as string, 'deposits', 100);
      ledger.record(cannonStats(1, 1));
      expect(await verifyBalances(client, accounts, ledger, settle)).to.deep.include({ ok: false, observed: 300, atMost: 200 });
      // The next window starts from what was read: one more acknowledged, one more in flight and kept.
      await move(accounts[0] as string, 'deposits', 100);
      await move(accounts[0] as string, 'deposits', 100);
      ledger.record(cannonStats(1, 1));
      expect(await verifyBalances(client, accounts, ledger, settle)).to.deep.include({ ok: true, observed: 500, atLeast: 400, atMost: 500 });
    });

    it('fails when a balance cannot be read', async () => {
      const ledger = new DepositLedger(100);
      const verdict = await verifyBalances(client, ['peer-acc-never-opened'], ledger, settle);
      expect(verdict.ok).to.equal(false);
      expect(verdict.observed).to.equal(null);
      expect(verdict.problem).to.match(/404/);
    });
  });
});
