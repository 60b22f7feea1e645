// POST /api/transfers replays, on the real runtime (Postgres): the same Idempotency-Key answers the
// original 202 byte for byte (status, Content-Type, body), even after the transfer completed; a
// refusal is recorded under its key with no event, so the same key replays it after the account it
// missed exists, while the transfer stream stays uncreated and another key decides afresh.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { transferStreamId } from '../../src/domain/transfer/transferIds';
import { TestApp, post, startTestApp } from '../support/app';

interface RawResult {
  status: number;
  contentType: string;
  replayed: string | null;
  text: string;
}

async function postRaw(baseUrl: string, body: unknown, key: string): Promise<RawResult> {
  const response = await fetch(`${baseUrl}/api/transfers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
}

describe('POST /api/transfers replays (real Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp;

  before(async function () {
    app = await startTestApp();
  });
  after(async function () {
    await app.close();
  });

  async function account(balance: number, accountId = `rp-${randomUUID()}`): Promise<string> {
    expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner', currency: 'EUR' })).status).to.equal(201);
    if (balance > 0) expect((await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: balance, currency: 'EUR', transactionId: randomUUID() })).status).to.equal(201);
    return accountId;
  }

  it('replays the original 202 byte for byte under the same key after the transfer completed', async function () {
    const [source, destination] = [await account(100), await account(0)];
    const body = { transferId: `t-${randomUUID()}`, sourceAccountId: source, destinationAccountId: destination, amount: 30, currency: 'EUR' };
    const key = randomUUID();
    const original = await postRaw(app.baseUrl, body, key);
    expect(original.status).to.equal(202);
    await app.runtime.transfers.settled(body.transferId);
    const replay = await postRaw(app.baseUrl, body, key);
    expect(replay).to.deep.equal({ ...original, replayed: 'true' });
    expect(JSON.parse(replay.text)).to.include({ status: 'PENDING' });
    // Another key for the same transfer answers it as it stands.
    const current = await postRaw(app.baseUrl, body, randomUUID());
    expect(current.status).to.equal(202);
    expect(JSON.parse(current.text)).to.include({ status: 'COMPLETED' });
  });

  it('records a refusal under its key only: replayed after the missing account exists, no transfer stream, a new key decides again', async function () {
    const source = await account(100);
    const destination = `rp-late-${randomUUID()}`;
    const body = { transferId: `t-${randomUUID()}`, sourceAccountId: source, destinationAccountId: destination, amount: 30, currency: 'EUR' };
    const key = randomUUID();
    const refused = await postRaw(app.baseUrl, body, key);
    expect(refused.status).to.equal(404);
    expect(refused.contentType).to.match(/^application\/problem\+json/);
    await account(0, destination);
    const replay = await postRaw(app.baseUrl, body, key);
    expect(replay).to.deep.equal({ ...refused, replayed: 'true' });
    expect(await app.runtime.storage.store.streamVersion(transferStreamId(body.transferId))).to.equal(0);
    const afresh = await postRaw(app.baseUrl, body, randomUUID());
    expect(afresh.status).to.equal(202);
  });
});
