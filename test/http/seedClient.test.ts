// The seed project's clients against Acta, unchanged: its load runner sends `actor` on every
// account create, deposit and withdrawal and reads an account right after creating it, without
// minVersion. Covers the actor (accepted, bounded, kept in the event metadata and on statement
// entries, through a rebuild, part of the request fingerprint but not of the money movement) and
// reads during projection lag (they wait for a stream the event store has; 404 only for none).
import { expect } from 'chai';
import sinon from 'sinon';
import { eventually } from '../support/eventually';
import { HttpResult, TestApp, get, post, request, startTestApp } from '../support/app';

const adminToken = 'test-admin-token-0123456789';

function expectProblem(result: HttpResult, status: number, code: string) {
  expect(result.status, JSON.stringify(result.body)).to.equal(status);
  expect(result.contentType).to.match(/^application\/problem\+json/);
  expect(result.body).to.include({ status, code });
}

interface Entry {
  eventType: string;
  actor?: string;
}

const modes = [
  { name: 'real Postgres, read pipeline on its worker thread', memory: false },
  { name: 'in-memory storage', memory: true },
];

for (const mode of modes) {
  describe(`a seed-style client (${mode.name})`, function () {
    this.timeout(60_000);
    let app: TestApp;
    let counter = 0;
    const prefix = `load-${Date.now()}-${process.pid}`;
    const next = () => ++counter;

    before(async () => {
      app = await startTestApp({ memory: mode.memory, env: { ADMIN_TOKEN: adminToken, READ_WAIT_MS: '10000' } });
    });
    after(async () => {
      await app?.close();
    });

    it('creates with actor, reads the account and balance at once without minVersion, moves money with actor, and sees the actor in history', async () => {
      const n = next();
      const accountId = `${prefix}-acc-${n}`;
      const ownerId = `${prefix}-owner-${n}`;
      // The request bodies are the seed load runner's (scripts/load-scenario.js), field for field.
      const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId, currency: 'NGN', actor: 'load-test' });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);

      const details = await get(app.baseUrl, `/api/accounts/${accountId}`);
      expect(details.status, JSON.stringify(details.body)).to.equal(200);
      expect(details.body).to.include({ accountId, ownerId, currency: 'NGN', status: 'ACTIVE', balance: 0 });
      const balance = await get(app.baseUrl, `/api/accounts/${accountId}/balance`);
      expect(balance.status, JSON.stringify(balance.body)).to.equal(200);
      expect(balance.body).to.include({ accountId, balance: 0, currency: 'NGN', status: 'ACTIVE' });

      const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 25_000, currency: 'NGN', transactionId: crypto.randomUUID(), actor: 'load-test' });
      expect(deposit.status, JSON.stringify(deposit.body)).to.equal(201);
      const withdrawal = await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 700, currency: 'NGN', transactionId: crypto.randomUUID(), actor: 'load-test' });
      expect(withdrawal.status, JSON.stringify(withdrawal.body)).to.equal(201);
      expect(withdrawal.body).to.include({ balance: 24_300, version: 3 });

      // The runner's own history read: 200 right away.
      const seedHistory = await get(app.baseUrl, `/api/accounts/${accountId}/history?limit=20&offset=0`);
      expect(seedHistory.status, JSON.stringify(seedHistory.body)).to.equal(200);
      const history = await get(app.baseUrl, `/api/accounts/${accountId}/history?minVersion=3`);
      expect(history.status).to.equal(200);
      const entries = history.body.entries as Entry[];
      expect(entries.map((entry) => [entry.eventType, entry.actor])).to.deep.equal([
        ['AccountCreated', 'load-test'],
        ['MoneyDeposited', 'load-test'],
        ['MoneyWithdrawn', 'load-test'],
      ]);
      if (app.pool) {
        const { rows } = await app.pool.query<{ actor: string | null }>(
          `select metadata->>'actor' as actor from events where stream_id = $1 order by stream_version`,
          [`account-${accountId}`],
        );
        expect(rows.map((row) => row.actor), 'the actor is in the event metadata').to.deep.equal(['load-test', 'load-test', 'load-test']);
      }
    });

    it('records each command’s own actor (freeze and unfreeze too), none when it is absent, null or blank, and keeps them through a rebuild', async () => {
      const accountId = `${prefix}-acc-${next()}`;
      const at = (path: string) => `/api/accounts/${accountId}${path}`;
      expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD' })).status).to.equal(201);
      expect((await post(app.baseUrl, at('/deposits'), { amount: 5, currency: 'USD', transactionId: crypto.randomUUID(), actor: null })).status).to.equal(201);
      expect((await post(app.baseUrl, at('/deposits'), { amount: 5, currency: 'USD', transactionId: crypto.randomUUID(), actor: '   ' })).status).to.equal(201);
      expect((await post(app.baseUrl, at('/freeze'), { reason: 'compliance review', actor: '  Zoë Müller (compliance) 🏦  ' })).status).to.equal(200);
      const unfrozen = await post(app.baseUrl, at('/unfreeze'), { actor: 'ops-bot' });
      expect(unfrozen.status, JSON.stringify(unfrozen.body)).to.equal(200);
      const version = unfrozen.body.version as number;

      const history = await get(app.baseUrl, at(`/history?minVersion=${version}`));
      const actors = (history.body.entries as Entry[]).map((entry) => [entry.eventType, entry.actor ?? null]);
      expect(actors).to.deep.equal([
        ['AccountCreated', null],
        ['MoneyDeposited', null],
        ['MoneyDeposited', null],
        ['AccountFrozen', 'Zoë Müller (compliance) 🏦'],
        ['AccountUnfrozen', 'ops-bot'],
      ]);
      for (const entry of history.body.entries as Array<Record<string, unknown>>) {
        if (entry.actor === undefined) expect(entry, 'no actor is absent, not null').to.not.have.property('actor');
      }

      const rebuilt = await request(app.baseUrl, '/api/admin/projections/accounts/rebuild-all', { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
      expect(rebuilt.status, JSON.stringify(rebuilt.body)).to.equal(200);
      expect((await get(app.baseUrl, at('/history'))).body).to.deep.equal(history.body);
    });
  });
}

describe('actor: validation and idempotency (real Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let counter = 0;
  const newId = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  async function rows(): Promise<Record<string, number>> {
    const result = await app.pool!.query(
      `select (select count(*) from events)::int as events, (select count(*) from idempotency_records)::int as idempotency,
              (select count(*) from transaction_records)::int as transactions`,
    );
    return result.rows[0] as Record<string, number>;
  }

  async function open(): Promise<string> {
    const accountId = newId('acc');
    expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD', actor: 'teller-1' })).status).to.equal(201);
    return accountId;
  }

  it('accepts an actor of exactly actorLengthMax (128) characters and refuses 129, control characters, lone surrogates, bidi overrides and non-strings: 400, nothing written', async () => {
    const accountId = await open();
    const deposit = (actor: unknown) => ({ amount: 5, currency: 'USD', transactionId: newId('t'), actor });
    expect((await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, deposit('a'.repeat(128)))).status).to.equal(201);
    const before = await rows();
    const refused: unknown[] = ['a'.repeat(129), 'load\u0000test', 'load\ttest', 'load\u0007', 'load\u007f', 'load\u0085', 'admin\u202Egnp', 'a\u2066b', 42, true, ['load-test'], { name: 'x' }];
    for (const actor of refused) {
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, deposit(actor)), 400, 'validation_failed');
    }
    // JSON.stringify escapes a lone surrogate, so the raw body carries the escape as a client would.
    const lone = await request(app.baseUrl, `/api/accounts/${accountId}/freeze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': newId('k') },
      body: '{"reason":"review","actor":"a\\ud800b"}',
    });
    expectProblem(lone, 400, 'validation_failed');
    expect(await rows()).to.deep.equal(before);
  });

  it('refuses actor on POST /api/transfers (the seed has none there) and any other unknown field on account commands', async () => {
    const source = await open();
    const destination = await open();
    const before = await rows();
    const withActor = { transferId: newId('trf'), sourceAccountId: source, destinationAccountId: destination, amount: 1, currency: 'USD', actor: 'load-test' };
    const transfer = await post(app.baseUrl, '/api/transfers', withActor);
    expectProblem(transfer, 400, 'validation_failed');
    expect(JSON.stringify(transfer.body.errors)).to.include('actor');
    expectProblem(await post(app.baseUrl, `/api/accounts/${source}/deposits`, { amount: 5, currency: 'USD', transactionId: newId('t'), actor: 'x', operator: 'y' }), 400, 'validation_failed');
    expectProblem(await post(app.baseUrl, '/api/accounts', { accountId: newId('acc'), ownerId: 'o-1', currency: 'USD', actorId: 'x' }), 400, 'validation_failed');
    expect(await rows()).to.deep.equal(before);
  });

  it('fingerprints the actor with the rest of the body: same key + same actor replays, same key + another actor is 422 idempotency_key_reused', async () => {
    const accountId = await open();
    const key = newId('key');
    const body = { amount: 70, currency: 'USD', transactionId: newId('t'), actor: 'load-test' };
    const first = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, body, key);
    expect(first.status).to.equal(201);
    const before = await rows();
    const again = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, body, key);
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.equal(first.body);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { ...body, actor: 'someone-else' }, key), 422, 'idempotency_key_reused');
    expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 70, currency: 'USD', transactionId: body.transactionId }, key), 422, 'idempotency_key_reused');
    expect(await rows()).to.deep.equal(before);
  });

  it('does not count the actor in the money movement: the same transactionId and movement under a new key with another actor replays the original and keeps its actor', async () => {
    const accountId = await open();
    const transactionId = newId('t');
    const first = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 500, currency: 'USD', transactionId, actor: 'teller-1' });
    expect(first.status).to.equal(201);
    const before = await rows();
    const retried = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 500, currency: 'USD', transactionId, actor: 'teller-2' });
    expect(retried.status).to.equal(201);
    expect(retried.body).to.deep.equal(first.body);
    expect((await rows()).events, 'no second deposit').to.equal(before.events);
    const { rows: metadata } = await app.pool!.query<{ actor: string }>(
      `select metadata->>'actor' as actor from events where stream_id = $1 and event_type = 'MoneyDeposited'`,
      [`account-${accountId}`],
    );
    expect(metadata).to.deep.equal([{ actor: 'teller-1' }]);
    // A different movement under the same id is still a conflict, whoever sends it.
    expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 501, currency: 'USD', transactionId, actor: 'teller-1' }), 409, 'transaction_id_reused');
  });
});

describe('reads while the projection lags behind the event store (real Postgres, read pipeline on the HTTP thread)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let counter = 0;
  const newId = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

  before(async () => {
    // READ_PIPELINE_THREAD=main runs the projectors on this thread, so a test can hold their writes.
    app = await startTestApp({ env: { READ_PIPELINE_THREAD: 'main', READ_WAIT_MS: '3000' } });
  });
  after(async () => {
    await app?.close();
  });
  afterEach(() => sinon.restore());

  /** Holds every projector batch of one read model (its applyAccountBatch or applyTransferBatch) until release() is called. */
  function holdProjection(readModel: object, method: 'applyAccountBatch' | 'applyTransferBatch'): () => void {
    const writer = readModel as Record<string, (batch: unknown) => Promise<unknown>>;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = writer[method]!.bind(writer);
    sinon.stub(writer, method).callsFake(async (batch: unknown) => {
      await held;
      return original(batch);
    });
    return release;
  }

  it('GET /accounts/:id, /balance and /history right after a create wait for the projection instead of answering 404', async () => {
    const release = holdProjection(app.runtime.readModel, 'applyAccountBatch');
    try {
      const accountId = newId('lag');
      const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD', actor: 'load-test' });
      expect(created.status).to.equal(201);
      expect(await app.runtime.readModel.summary(accountId), 'the projection is held').to.equal(null);
      const asked = sinon.spy(app.runtime.storage.store, 'streamVersion').withArgs(`account-${accountId}`);
      const reads = ['', '/balance', '/history'].map((suffix) => get(app.baseUrl, `/api/accounts/${accountId}${suffix}`));
      // Each read missed the read model and found the stream in the event store; only then does
      // the projection go on. A read that answered 404 on the miss would never ask.
      await eventually('the three reads waiting on the read model', async () => asked.callCount, { until: (count) => count >= 3, timeoutMs: 10_000 });
      release();
      const [details, balance, history] = await Promise.all(reads);
      expect(details!.status, JSON.stringify(details!.body)).to.equal(200);
      expect(details!.body).to.include({ accountId, version: 1 });
      expect(balance!.status, JSON.stringify(balance!.body)).to.equal(200);
      expect(balance!.body).to.include({ accountId, balance: 0 });
      expect(history!.status, JSON.stringify(history!.body)).to.equal(200);
      expect((history!.body.entries as Entry[]).map((entry) => entry.actor)).to.deep.equal(['load-test']);
    } finally {
      release();
    }
  });

  it('answers 503 read_model_behind (never 404) when the projection stays behind past READ_WAIT_MS, and 404 at once for an account the event store does not have', async () => {
    const release = holdProjection(app.runtime.readModel, 'applyAccountBatch');
    try {
      const accountId = newId('stuck');
      expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD' })).status).to.equal(201);
      expectProblem(await get(app.baseUrl, `/api/accounts/${accountId}/balance`), 503, 'read_model_behind');
      const ghost = newId('ghost');
      for (const suffix of ['', '/balance', '/history', '?minVersion=1']) {
        expectProblem(await get(app.baseUrl, `/api/accounts/${ghost}${suffix}`), 404, 'account_not_found');
      }
    } finally {
      release();
    }
  });

  it('GET /transfers/:id right after the 202 waits for the transfer projection instead of answering 404', async () => {
    const open = async () => {
      const accountId = newId('acc');
      expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD' })).status).to.equal(201);
      return accountId;
    };
    const source = await open();
    const destination = await open();
    expect((await post(app.baseUrl, `/api/accounts/${source}/deposits`, { amount: 100, currency: 'USD', transactionId: newId('t') })).status).to.equal(201);
    const release = holdProjection(app.runtime.transferReadModel, 'applyTransferBatch');
    try {
      const transferId = newId('trf');
      const accepted = await post(app.baseUrl, '/api/transfers', { transferId, sourceAccountId: source, destinationAccountId: destination, amount: 40, currency: 'USD' });
      expect(accepted.status, JSON.stringify(accepted.body)).to.equal(202);
      expect(await app.runtime.transferReadModel.transfer(transferId), 'the projection is held').to.equal(null);
      const asked = sinon.spy(app.runtime.storage.store, 'streamVersion').withArgs(`transfer-${transferId}`);
      const read = get(app.baseUrl, `/api/transfers/${transferId}`);
      await eventually('the read waiting on the read model', async () => asked.callCount, { until: (count) => count >= 1, timeoutMs: 10_000 });
      release();
      const result = await read;
      expect(result.status, JSON.stringify(result.body)).to.equal(200);
      expect(result.body).to.include({ transferId, sourceAccountId: source, destinationAccountId: destination, amount: 40 });
    } finally {
      release();
    }
  });
});
