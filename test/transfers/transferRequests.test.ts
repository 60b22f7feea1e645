// POST /api/transfers end to end on the real runtime (Postgres): the happy path, every refusal the
// transfer process can meet, duplicates, and bad input that must record nothing.
import { expect } from 'chai';
import { activateAccount } from '../../src/app/activateAccount';
import { loadTransfer } from '../../src/app/transfers/loadTransfer';
import { transferStreamId } from '../../src/domain/transfer/transferIds';
import { TestApp, post, startTestApp } from '../support/app';

describe('POST /api/transfers', function () {
  let app: TestApp;
  let seq = 0;

  before(async function () {
    app = await startTestApp();
  });
  after(async function () {
    await app.close();
  });

  async function account(balance: number, currency = 'EUR'): Promise<string> {
    seq += 1;
    const accountId = `tr-acc-${seq}`;
    expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner', currency })).status).to.equal(201);
    if (balance > 0) {
      const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: balance, currency, transactionId: `seed-${accountId}` });
      expect(deposit.status).to.equal(201);
    }
    return accountId;
  }

  async function settle(transferId: string) {
    await app.runtime.transfers.settled(transferId);
    return loadTransfer(transferId, app.runtime.storage.store);
  }

  const accountState = (accountId: string) => activateAccount(accountId, app.runtime.storage.store, app.runtime.storage.snapshots);

  function transfer(transferId: string, sourceAccountId: string, destinationAccountId: string, amount: number, currency = 'EUR') {
    return { transferId, sourceAccountId, destinationAccountId, amount, currency };
  }

  it('answers 202 PENDING once recorded, then completes: source debited, destination credited, no hold left', async function () {
    const [source, destination] = [await account(1_000), await account(0)];
    const answer = await post(app.baseUrl, '/api/transfers', transfer('t-ok', source, destination, 300));
    expect(answer.status).to.equal(202);
    expect(answer.body).to.include({ transferId: 't-ok', status: 'PENDING', stage: 'hold', version: 1, amount: 300 });
    const done = await settle('t-ok');
    expect(done).to.include({ status: 'COMPLETED', stage: null, failure: null });
    const [from, to] = [await accountState(source), await accountState(destination)];
    expect(from).to.include({ balance: 700, held: 0 });
    expect(from.holds).to.deep.equal({});
    expect(to).to.include({ balance: 300 });
  });

  it('fails at the hold stage with insufficient_funds and moves nothing', async function () {
    const [source, destination] = [await account(100), await account(0)];
    expect((await post(app.baseUrl, '/api/transfers', transfer('t-poor', source, destination, 101))).status).to.equal(202);
    const done = await settle('t-poor');
    expect(done).to.include({ status: 'FAILED' });
    expect(done.failure).to.include({ reason: 'insufficient_funds', stage: 'hold' });
    expect(await accountState(source)).to.include({ balance: 100, held: 0, version: 2 });
    expect(await accountState(destination)).to.include({ balance: 0, version: 1 });
  });

  it('to a frozen destination fails at the credit stage; the source shows a released hold, no withdrawal', async function () {
    const [source, destination] = [await account(500), await account(0)];
    expect((await post(app.baseUrl, `/api/accounts/${destination}/freeze`, { reason: 'kyc' })).status).to.equal(200);
    expect((await post(app.baseUrl, '/api/transfers', transfer('t-frozen', source, destination, 200))).status).to.equal(202);
    const done = await settle('t-frozen');
    expect(done).to.include({ status: 'FAILED' });
    expect(done.failure).to.include({ reason: 'account_frozen', stage: 'credit' });
    const from = await accountState(source);
    expect(from).to.include({ balance: 500, held: 0 });
    const types = (await app.runtime.storage.store.readStream(`account-${source}`, 0, 100)).map((event) => event.type);
    expect(types).to.deep.equal(['AccountCreated', 'MoneyDeposited', 'HoldPlaced', 'HoldReleased']);
    expect(await accountState(destination)).to.include({ balance: 0 });
  });

  it('a repeat with a new key and the same payload answers the transfer; a different payload is 409', async function () {
    const [source, destination] = [await account(1_000), await account(0)];
    const body = transfer('t-dup', source, destination, 10);
    expect((await post(app.baseUrl, '/api/transfers', body)).status).to.equal(202);
    await settle('t-dup');
    const again = await post(app.baseUrl, '/api/transfers', body);
    expect(again.status).to.equal(202);
    expect(again.body).to.include({ transferId: 't-dup', status: 'COMPLETED' });
    const different = await post(app.baseUrl, '/api/transfers', { ...body, amount: 11 });
    expect(different.status).to.equal(409);
    expect(different.body.code).to.equal('transfer_id_reused');
    expect(await accountState(source)).to.include({ balance: 990 });
    expect((await app.runtime.storage.store.readStream(transferStreamId('t-dup'), 0, 100)).filter((e) => e.type === 'TransferRequested')).to.have.length(1);
  });

  it('the same Idempotency-Key replays; with another payload it is 422', async function () {
    const [source, destination] = [await account(1_000), await account(0)];
    const first = await post(app.baseUrl, '/api/transfers', transfer('t-key', source, destination, 5), 'key-t-key');
    expect(first.status).to.equal(202);
    const replay = await post(app.baseUrl, '/api/transfers', transfer('t-key', source, destination, 5), 'key-t-key');
    expect(replay.status).to.equal(202);
    expect(replay.body.transferId).to.equal('t-key');
    const reused = await post(app.baseUrl, '/api/transfers', transfer('t-key-2', source, destination, 5), 'key-t-key');
    expect(reused.status).to.equal(422);
    expect(reused.body.code).to.equal('idempotency_key_reused');
    expect(await app.runtime.storage.store.streamVersion(transferStreamId('t-key-2'))).to.equal(0);
  });

  describe('refuses up front and records nothing', function () {
    let source: string;
    let destination: string;
    let dollars: string;
    before(async function () {
      [source, destination, dollars] = [await account(1_000), await account(0), await account(1_000, 'USD')];
    });

    const cases: Array<[string, () => Record<string, unknown>, number, string]> = [
      ['unknown source', () => transfer('bad-1', 'nobody', destination, 1), 404, 'account_not_found'],
      ['unknown destination', () => transfer('bad-2', source, 'nobody', 1), 404, 'account_not_found'],
      ['source currency differs', () => transfer('bad-3', dollars, destination, 1), 422, 'currency_mismatch'],
      ['destination currency differs', () => transfer('bad-4', source, dollars, 1), 422, 'currency_mismatch'],
      ['same account twice', () => transfer('bad-5', source, source, 1), 400, 'validation_failed'],
      ['zero amount', () => transfer('bad-6', source, destination, 0), 400, 'validation_failed'],
      ['float amount', () => transfer('bad-7', source, destination, 1.5), 400, 'validation_failed'],
      ['amount above the money bound', () => transfer('bad-8', source, destination, 2 ** 53), 400, 'validation_failed'],
      ['lower-case currency', () => transfer('bad-9', source, destination, 1, 'eur'), 400, 'validation_failed'],
      ['derived-namespace transfer id', () => transfer('~transfer:x', source, destination, 1), 400, 'validation_failed'],
      ['unknown field', () => ({ ...transfer('bad-10', source, destination, 1), note: 'x' }), 400, 'validation_failed'],
      ['missing destination', () => ({ transferId: 'bad-11', sourceAccountId: source, amount: 1, currency: 'EUR' }), 400, 'validation_failed'],
    ];
    for (const [name, body, status, code] of cases) {
      it(`${name} → ${status} ${code}`, async function () {
        const payload = body();
        const answer = await post(app.baseUrl, '/api/transfers', payload);
        expect(answer.status).to.equal(status);
        expect(answer.body.code).to.equal(code);
        expect(answer.contentType).to.contain('application/problem+json');
        expect(await app.runtime.storage.store.streamVersion(transferStreamId(String(payload.transferId)))).to.equal(0);
        expect((await accountState(source)).version).to.equal(2);
      });
    }

    it('without an Idempotency-Key → 400 idempotency_key_missing', async function () {
      const answer = await post(app.baseUrl, '/api/transfers', transfer('bad-12', source, destination, 1), null);
      expect(answer.status).to.equal(400);
      expect(answer.body.code).to.equal('idempotency_key_missing');
      expect(await app.runtime.storage.store.streamVersion(transferStreamId('bad-12'))).to.equal(0);
    });
  });
});
