// Replays are byte-identical, through HTTP on real Postgres: the same Idempotency-Key answers the
// original status, Content-Type and the very bytes of the original body (jsonb used to re-order the
// stored body's keys), with Idempotent-Replayed: true; also after the account actor was passivated
// or the whole runtime replaced (the replay then comes from the database), and for a replay through
// the same transactionId under another key. Business rejections are replayed the same way: a retry
// with the key of a rejected command cannot be decided again, and account_not_found writes its
// record without creating the stream.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/infra/logger';
import { Runtime, createRuntime } from '../../src/runtime/runtime';
import { eventually } from '../support/eventually';
import { TestApp, startTestApp } from '../support/app';

interface RawResult {
  status: number;
  contentType: string;
  replayed: string | null;
  text: string;
}

async function postRaw(baseUrl: string, path: string, body: unknown, key: string): Promise<RawResult> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', replayed: response.headers.get('idempotent-replayed'), text: await response.text() };
}

function expectReplayOf(replay: RawResult, original: RawResult): void {
  expect(original.replayed, 'the original is not a replay').to.equal(null);
  expect(replay.replayed).to.equal('true');
  expect(replay.status).to.equal(original.status);
  expect(replay.contentType).to.equal(original.contentType);
  expect(replay.text, 'byte-identical body').to.equal(original.text);
}

describe('idempotent replays over HTTP are byte-identical (real Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp;
  const newId = (prefix: string) => `${prefix}-${randomUUID()}`;

  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  async function open(): Promise<string> {
    const accountId = newId('acc');
    const created = await postRaw(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD' }, newId('key'));
    expect(created.status).to.equal(201);
    return accountId;
  }

  async function passivate(accountId: string): Promise<void> {
    await eventually('the account actor passivated', async () => app.runtime.system.passivate(accountId), { until: (done) => done });
    await eventually('the account actor gone from the live list', async () => app.runtime.system.actors().some((actor) => actor.accountId === accountId), { until: (live) => !live });
  }

  it('replays a deposit with its status, Content-Type and bytes, live, after passivation, and under another key by transactionId', async () => {
    const accountId = await open();
    const key = newId('key');
    const body = { amount: 70, currency: 'USD', transactionId: newId('t') };
    const path = `/api/accounts/${accountId}/deposits`;
    const original = await postRaw(app.baseUrl, path, body, key);
    expect(original.status).to.equal(201);
    expect(original.contentType).to.match(/^application\/json/);
    // The body's own key order differs from jsonb's (shortest keys first): the old store failed here.
    expect(Object.keys(JSON.parse(original.text) as object)[0]).to.equal('accountId');

    expectReplayOf(await postRaw(app.baseUrl, path, body, key), original);
    await passivate(accountId);
    expectReplayOf(await postRaw(app.baseUrl, path, { transactionId: body.transactionId, currency: 'USD', amount: 70 }, key), original);
    expectReplayOf(await postRaw(app.baseUrl, path, body, newId('other-key')), original);
  });

  it('records a business rejection and replays it byte for byte, even once the account could pay', async () => {
    const accountId = await open();
    const key = newId('key');
    const withdrawal = { amount: 50, currency: 'USD', transactionId: newId('t') };
    const path = `/api/accounts/${accountId}/withdrawals`;
    const refused = await postRaw(app.baseUrl, path, withdrawal, key);
    expect(refused.status).to.equal(400);
    expect(refused.contentType).to.match(/^application\/problem\+json/);
    expect(JSON.parse(refused.text)).to.include({ code: 'insufficient_funds' });
    expect((await postRaw(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 100, currency: 'USD', transactionId: newId('t') }, newId('key'))).status).to.equal(201);

    expectReplayOf(await postRaw(app.baseUrl, path, withdrawal, key), refused);
    await passivate(accountId);
    expectReplayOf(await postRaw(app.baseUrl, path, withdrawal, key), refused);
    const { rows } = await app.pool!.query<{ n: number }>(`select count(*)::int as n from events where stream_id = $1 and event_type = 'MoneyWithdrawn'`, [`account-${accountId}`]);
    expect(rows[0]!.n, 'the replayed rejection moved nothing').to.equal(0);
    // Its transaction id stays free: the same movement under a new key is decided, and now succeeds.
    expect((await postRaw(app.baseUrl, path, withdrawal, newId('key'))).status).to.equal(201);
  });

  it('records account_not_found without creating the stream, and replays it after the account exists', async () => {
    const accountId = newId('ghost');
    const key = newId('key');
    const path = `/api/accounts/${accountId}/deposits`;
    const deposit = { amount: 5, currency: 'USD', transactionId: newId('t') };
    const missing = await postRaw(app.baseUrl, path, deposit, key);
    expect(missing.status).to.equal(404);
    const { rows } = await app.pool!.query<{ events: number; keys: number; transactions: number }>(
      `select (select count(*)::int from events where stream_id = $1) as events,
              (select count(*)::int from idempotency_records where idempotency_key = $2) as keys,
              (select count(*)::int from transaction_records where transaction_id = $3) as transactions`,
      [`account-${accountId}`, key, deposit.transactionId],
    );
    expect(rows[0]).to.deep.equal({ events: 0, keys: 1, transactions: 0 });
    expect((await postRaw(app.baseUrl, '/api/accounts', { accountId, ownerId: 'late', currency: 'USD' }, newId('key'))).status).to.equal(201);
    expectReplayOf(await postRaw(app.baseUrl, path, deposit, key), missing);
  });

  it('replays from the database through a fresh runtime on the same database', async () => {
    const accountId = await open();
    const key = newId('key');
    const path = `/api/accounts/${accountId}/freeze`;
    const original = await postRaw(app.baseUrl, path, { reason: 'review ✓ "quoted"' }, key);
    expect(original.status).to.equal(200);
    const url = (app.runtime.storage.url as string) ?? '';
    const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: url, READ_PIPELINE_THREAD: 'main' });
    const other: Runtime = await createRuntime(config, createLogger('silent'));
    const server = other.app.listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as { port: number };
      expectReplayOf(await postRaw(`http://127.0.0.1:${port}`, path, { reason: 'review ✓ "quoted"' }, key), original);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await other.shutdown(5_000);
    }
  });
});
