// Conservation under concurrency: 200 random transfers among 10 accounts, all at once, some bound to
// fail (amounts above the balance, a frozen account). Afterwards every transfer is terminal, no hold
// is left, the sum of balances is what it was, and each completed transfer moved its amount exactly
// once. Real runtime on real Postgres.
import { expect } from 'chai';
import { activateAccount } from '../../src/app/activateAccount';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { TestApp, post, startTestApp } from '../support/app';

/** A small deterministic PRNG so a failure can be replayed (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('transfers conserve money under concurrency (real Postgres)', function () {
  this.timeout(120_000);
  let app: TestApp;
  const accounts = Array.from({ length: 10 }, (_, index) => `cons-${index}`);
  const transfers = 200;

  before(async function () {
    app = await startTestApp();
  });
  after(async function () {
    await app.close();
  });

  it('200 concurrent random transfers among 10 accounts: all terminal, sum unchanged, each completed one applied once', async function () {
    const next = random(20261126);
    for (const [index, accountId] of accounts.entries()) {
      expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'EUR' })).status).to.equal(201);
      const amount = 1_000 + index * 100;
      expect((await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount, currency: 'EUR', transactionId: `seed-${accountId}` })).status).to.equal(201);
    }
    expect((await post(app.baseUrl, `/api/accounts/${accounts[9]}/freeze`, { reason: 'test' })).status).to.equal(200);
    const state = (accountId: string) => activateAccount(accountId, app.runtime.storage.store, app.runtime.storage.snapshots);
    const before = (await Promise.all(accounts.map(state))).reduce((sum, account) => sum + account.balance, 0);

    const requests = Array.from({ length: transfers }, (_, index) => {
      const source = accounts[Math.floor(next() * accounts.length)]!;
      let destination = accounts[Math.floor(next() * accounts.length)]!;
      if (destination === source) destination = accounts[(accounts.indexOf(source) + 1) % accounts.length]!;
      return { transferId: `cons-t-${index}`, sourceAccountId: source, destinationAccountId: destination, amount: 1 + Math.floor(next() * 400), currency: 'EUR' };
    });
    const answers = await Promise.all(requests.map((body) => post(app.baseUrl, '/api/transfers', body)));
    expect(answers.map((answer) => answer.status)).to.deep.equal(requests.map(() => 202));

    await Promise.all(requests.map((body) => app.runtime.transfers.settled(body.transferId)));
    const outcomes = await Promise.all(requests.map((body) => loadTransfer(body.transferId, app.runtime.storage.store)));
    expect(outcomes.filter((transfer) => transfer.status !== 'COMPLETED' && transfer.status !== 'FAILED')).to.deep.equal([]);
    const failed = outcomes.filter((transfer) => transfer.status === 'FAILED');
    expect(failed.length, 'some transfers must fail (frozen account, insufficient funds)').to.be.greaterThan(0);
    expect(failed.length, 'most transfers should complete').to.be.lessThan(transfers / 2);
    expect(new Set(failed.map((transfer) => transfer.failure?.reason))).to.have.keys('account_frozen', 'insufficient_funds');

    const after = await Promise.all(accounts.map(state));
    expect(after.reduce((sum, account) => sum + account.balance, 0)).to.equal(before);
    expect(after.map((account) => account.held)).to.deep.equal(accounts.map(() => 0));

    // Every completed transfer is one capture on its source and one credit on its destination.
    const { rows } = await app.pool!.query<{ transfer_id: string; event_type: string; n: number }>(
      `select data->>'transferId' as transfer_id, event_type, count(*)::int as n from events
       where event_type in ('HoldCaptured', 'TransferCredited', 'HoldReleased') group by 1, 2`,
    );
    const legs = new Map(rows.map((row) => [`${row.transfer_id}/${row.event_type}`, row.n]));
    for (const transfer of outcomes) {
      const completed = transfer.status === 'COMPLETED';
      expect(legs.get(`${transfer.transferId}/HoldCaptured`) ?? 0, transfer.transferId).to.equal(completed ? 1 : 0);
      expect(legs.get(`${transfer.transferId}/TransferCredited`) ?? 0, transfer.transferId).to.equal(completed ? 1 : 0);
    }
  });
});
