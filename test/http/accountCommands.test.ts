// The account command API through the real app on real Postgres: every status code of the
// contract, idempotency and transactionId semantics, and bad input that writes nothing.
import { expect } from 'chai';
import sinon from 'sinon';
import { eventually } from '../support/eventually';
import { TestApp, post, request, startTestApp } from '../support/app';

describe('account commands over HTTP (real Postgres)', function () {
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

  /** Rows a command writes. The outbox is left out: the relay drains it concurrently. */
  async function rows(): Promise<Record<string, number>> {
    const result = await app.pool!.query(
      `select (select count(*) from events)::int as events, (select count(*) from snapshots)::int as snapshots,
              (select count(*) from idempotency_records)::int as idempotency, (select count(*) from transaction_records)::int as transactions`,
    );
    return result.rows[0] as Record<string, number>;
  }

  async function open(currency = 'USD'): Promise<string> {
    const accountId = newId('acc');
    const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency });
    expect(created.status).to.equal(201);
    return accountId;
  }

  function expectProblem(result: { status: number; contentType: string; body: Record<string, unknown> }, status: number, code: string) {
    expect(result.status, JSON.stringify(result.body)).to.equal(status);
    expect(result.contentType).to.match(/^application\/problem\+json/);
    expect(result.body).to.include({ status, code });
    expect(result.body.type).to.be.a('string');
    expect(result.body.title).to.be.a('string');
    expect(result.body.detail).to.be.a('string');
  }

  describe('happy path', () => {
    it('creates an account (201, version 1) and writes its event and idempotency record together', async () => {
      const before = await rows();
      const accountId = newId('acc');
      const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'user-1', currency: 'USD' });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ accountId, ownerId: 'user-1', currency: 'USD', status: 'ACTIVE', balance: 0, availableBalance: 0, version: 1 });
      const after = await rows();
      expect(after.events - before.events).to.equal(1);
      expect(after.idempotency - before.idempotency).to.equal(1);
    });

    it('deposits (201) and withdraws (201), each response carrying the new version and balance', async () => {
      const accountId = await open();
      const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1000, currency: 'USD', transactionId: newId('t') });
      expect(deposit.status).to.equal(201);
      expect(deposit.body).to.include({ accountId, balance: 1000, version: 2, amount: 1000 });
      const withdrawal = await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 200, currency: 'USD', transactionId: newId('t') });
      expect(withdrawal.status).to.equal(201);
      expect(withdrawal.body).to.include({ balance: 800, version: 3 });
    });

    it('freezes (200), refuses money movement while frozen (409 account_frozen), unfreezes (200)', async () => {
      const accountId = await open();
      const frozen = await post(app.baseUrl, `/api/accounts/${accountId}/freeze`, { reason: 'compliance review' });
      expect(frozen.status).to.equal(200);
      expect(frozen.body).to.include({ status: 'FROZEN', version: 2 });
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 5, currency: 'USD', transactionId: newId('t') }), 409, 'account_frozen');
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/freeze`, { reason: 'again' }), 409, 'account_already_frozen');
      const unfrozen = await request(app.baseUrl, `/api/accounts/${accountId}/unfreeze`, { method: 'POST', headers: { 'idempotency-key': newId('k') } });
      expect(unfrozen.status).to.equal(200);
      expect(unfrozen.body).to.include({ status: 'ACTIVE', version: 3 });
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/unfreeze`, {}), 409, 'account_not_frozen');
    });

    it('answers GET /health and /api/health with 200', async () => {
      for (const path of ['/health', '/api/health', '/livez', '/readyz']) {
        const result = await request(app.baseUrl, path, { method: 'GET' });
        expect(result.status, path).to.equal(200);
      }
    });
  });

  // A business rejection is a decision: it is recorded under its Idempotency-Key (so a retry with
  // that key replays it, see src/app/planAccountTurn.ts), and nothing else. No event, snapshot or
  // transaction record: the transactionId stays free for a movement that can succeed.
  describe('business rejections write no event and take no transaction id (only their key is recorded)', () => {
    /** The rows after `rejections` rejected requests, each under a new key, on top of `before`. */
    const onlyKeys = (before: Record<string, number>, rejections: number) => ({ ...before, idempotency: before.idempotency + rejections });

    it('409 account_already_exists', async () => {
      const accountId = await open();
      const before = await rows();
      expectProblem(await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'other', currency: 'USD' }), 409, 'account_already_exists');
      expect(await rows()).to.deep.equal(onlyKeys(before, 1));
    });

    it('404 account_not_found for deposit, withdrawal, freeze and unfreeze of an unknown account, never an event', async () => {
      const before = await rows();
      const ghost = newId('ghost');
      expectProblem(await post(app.baseUrl, `/api/accounts/${ghost}/deposits`, { amount: 5, currency: 'USD', transactionId: newId('t') }), 404, 'account_not_found');
      expectProblem(await post(app.baseUrl, `/api/accounts/${ghost}/withdrawals`, { amount: 5, currency: 'USD', transactionId: newId('t') }), 404, 'account_not_found');
      expectProblem(await post(app.baseUrl, `/api/accounts/${ghost}/freeze`, { reason: 'x' }), 404, 'account_not_found');
      expectProblem(await post(app.baseUrl, `/api/accounts/${ghost}/unfreeze`, {}), 404, 'account_not_found');
      expect(await rows()).to.deep.equal(onlyKeys(before, 4));
      const stream = await app.pool!.query('select count(*)::int as n from events where stream_id = $1', [`account-${ghost}`]);
      expect(stream.rows[0].n, 'the unknown account still has no stream').to.equal(0);
    });

    it('400 insufficient_funds (seed compatible) and 422 currency_mismatch', async () => {
      const accountId = await open();
      const before = await rows();
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 1, currency: 'USD', transactionId: newId('t') }), 400, 'insufficient_funds');
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1, currency: 'EUR', transactionId: newId('t') }), 422, 'currency_mismatch');
      expect(await rows()).to.deep.equal(onlyKeys(before, 2));
    });

    it('422 balance_limit_exceeded at 2^53-1', async () => {
      const accountId = await open();
      const max = Number.MAX_SAFE_INTEGER;
      expect((await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: max, currency: 'USD', transactionId: newId('t') })).status).to.equal(201);
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1, currency: 'USD', transactionId: newId('t') }), 422, 'balance_limit_exceeded');
    });
  });

  describe('Idempotency-Key', () => {
    it('400 idempotency_key_missing', async () => {
      const accountId = await open();
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 5, currency: 'USD', transactionId: newId('t') }, null), 400, 'idempotency_key_missing');
    });

    it('same key + same payload returns the original status and body, and moves money once', async () => {
      const accountId = await open();
      const key = newId('key');
      const body = { amount: 70, currency: 'USD', transactionId: newId('t') };
      const first = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, body, key);
      const before = await rows();
      const again = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { transactionId: body.transactionId, currency: 'USD', amount: 70 }, key);
      expect(again.status).to.equal(first.status);
      expect(again.body).to.deep.equal(first.body);
      expect(first.headers.get('idempotent-replayed')).to.equal(null);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(await rows()).to.deep.equal(before);
    });

    it('same key + different payload → 422 idempotency_key_reused, nothing written', async () => {
      const accountId = await open();
      const key = newId('key');
      await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 70, currency: 'USD', transactionId: newId('t') }, key);
      const before = await rows();
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 71, currency: 'USD', transactionId: newId('t') }, key), 422, 'idempotency_key_reused');
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 70, currency: 'USD', transactionId: newId('t') }, key), 422, 'idempotency_key_reused');
      expect(await rows()).to.deep.equal(before);
    });

    it('a retry that arrives while the original is in flight waits for and returns the original outcome', async () => {
      const accountId = await open();
      const key = newId('key');
      const body = { amount: 30, currency: 'USD', transactionId: newId('t') };
      const before = await rows();
      const results = await Promise.all([1, 2, 3, 4].map(() => post(app.baseUrl, `/api/accounts/${accountId}/deposits`, body, key)));
      for (const result of results) {
        expect(result.status).to.equal(201);
        expect(result.body).to.deep.equal(results[0]!.body);
      }
      expect((await rows()).events - before.events).to.equal(1);
    });
  });

  describe('transactionId', () => {
    it('same transactionId + same movement under a new key returns the original outcome and moves no money', async () => {
      const accountId = await open();
      const transactionId = newId('t');
      const first = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 500, currency: 'USD', transactionId });
      const before = await rows();
      const again = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 500, currency: 'USD', transactionId });
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect((await rows()).events).to.equal(before.events);
    });

    it('same transactionId + different movement → 409 transaction_id_reused, on this or another account', async () => {
      const accountId = await open();
      const other = await open();
      const transactionId = newId('t');
      await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 500, currency: 'USD', transactionId });
      const before = await rows();
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 501, currency: 'USD', transactionId }), 409, 'transaction_id_reused');
      expectProblem(await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 500, currency: 'USD', transactionId }), 409, 'transaction_id_reused');
      expectProblem(await post(app.baseUrl, `/api/accounts/${other}/deposits`, { amount: 500, currency: 'USD', transactionId }), 409, 'transaction_id_reused');
      expect(await rows()).to.deep.equal(before);
    });
  });

  describe('bad input: 4xx problem+json, nothing written', () => {
    const long = (n: number) => 'a'.repeat(n);
    type Case = { name: string; path: (id: string) => string; body?: unknown; raw?: string; contentType?: string; key?: string | null; status: number; code: string };
    const deposit = (id: string) => `/api/accounts/${id}/deposits`;
    const valid = { amount: 10, currency: 'USD', transactionId: 'tx-bad-input' };
    const cases: Case[] = [
      { name: 'amount 0', path: deposit, body: { ...valid, amount: 0 }, status: 400, code: 'validation_failed' },
      { name: 'negative amount', path: deposit, body: { ...valid, amount: -5 }, status: 400, code: 'validation_failed' },
      { name: 'fractional amount', path: deposit, body: { ...valid, amount: 1.5 }, status: 400, code: 'validation_failed' },
      { name: 'amount as string', path: deposit, body: { ...valid, amount: '100' }, status: 400, code: 'validation_failed' },
      { name: 'amount 2^53 (unsafe integer)', path: deposit, raw: '{"amount":9007199254740993,"currency":"USD","transactionId":"t-1"}', status: 400, code: 'validation_failed' },
      { name: 'amount 1e300', path: deposit, raw: '{"amount":1e300,"currency":"USD","transactionId":"t-1"}', status: 400, code: 'validation_failed' },
      { name: 'amount null', path: deposit, body: { ...valid, amount: null }, status: 400, code: 'validation_failed' },
      { name: 'amount missing', path: deposit, body: { currency: 'USD', transactionId: 't-1' }, status: 400, code: 'validation_failed' },
      { name: 'lower-case currency', path: deposit, body: { ...valid, currency: 'usd' }, status: 400, code: 'validation_failed' },
      { name: 'two-letter currency', path: deposit, body: { ...valid, currency: 'US' }, status: 400, code: 'validation_failed' },
      { name: 'numeric currency', path: deposit, body: { ...valid, currency: 840 }, status: 400, code: 'validation_failed' },
      { name: 'empty transactionId', path: deposit, body: { ...valid, transactionId: '' }, status: 400, code: 'validation_failed' },
      { name: 'transactionId with spaces', path: deposit, body: { ...valid, transactionId: 'a b' }, status: 400, code: 'validation_failed' },
      { name: 'transactionId too long', path: deposit, body: { ...valid, transactionId: long(129) }, status: 400, code: 'validation_failed' },
      { name: 'transactionId in the derived namespace', path: deposit, body: { ...valid, transactionId: '~transfer:t-1:credit' }, status: 400, code: 'validation_failed' },
      { name: 'unknown field', path: deposit, body: { ...valid, note: 'x' }, status: 400, code: 'validation_failed' },
      { name: 'array body', path: deposit, body: [valid], status: 400, code: 'validation_failed' },
      { name: 'JSON string body', path: deposit, raw: '"hello"', status: 400, code: 'malformed_json' },
      { name: 'malformed JSON', path: deposit, raw: '{"amount": 10,', status: 400, code: 'malformed_json' },
      { name: 'text/plain body', path: deposit, raw: 'amount=10', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
      { name: 'body too large', path: deposit, body: { ...valid, transactionId: long(20_000) }, status: 413, code: 'payload_too_large' },
      { name: 'empty Idempotency-Key', path: deposit, body: valid, key: '', status: 400, code: 'validation_failed' },
      { name: 'Idempotency-Key too long', path: deposit, body: valid, key: long(201), status: 400, code: 'validation_failed' },
      { name: 'missing Idempotency-Key', path: deposit, body: valid, key: null, status: 400, code: 'idempotency_key_missing' },
      { name: 'invalid account id in path', path: () => '/api/accounts/bad%20id!/deposits', body: valid, status: 400, code: 'validation_failed' },
      { name: 'create without accountId', path: () => '/api/accounts', body: { ownerId: 'o', currency: 'USD' }, status: 400, code: 'validation_failed' },
      { name: 'create with numeric ownerId', path: () => '/api/accounts', body: { accountId: 'x-1', ownerId: 7, currency: 'USD' }, status: 400, code: 'validation_failed' },
      { name: 'create with lower-case currency', path: () => '/api/accounts', body: { accountId: 'x-2', ownerId: 'o', currency: 'eur' }, status: 400, code: 'validation_failed' },
      { name: 'freeze without reason', path: (id) => `/api/accounts/${id}/freeze`, body: {}, status: 400, code: 'validation_failed' },
      { name: 'freeze with blank reason', path: (id) => `/api/accounts/${id}/freeze`, body: { reason: '   ' }, status: 400, code: 'validation_failed' },
      { name: 'freeze with a too long reason', path: (id) => `/api/accounts/${id}/freeze`, body: { reason: long(501) }, status: 400, code: 'validation_failed' },
      { name: 'unfreeze with unknown field', path: (id) => `/api/accounts/${id}/unfreeze`, body: { force: true }, status: 400, code: 'validation_failed' },
      { name: 'withdrawal with null body', path: (id) => `/api/accounts/${id}/withdrawals`, raw: 'null', status: 400, code: 'malformed_json' },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.status} ${c.code}`, async () => {
        const accountId = await open();
        const before = await rows();
        const headers: Record<string, string> = { 'content-type': c.contentType ?? 'application/json' };
        const key = c.key === undefined ? newId('key') : c.key;
        if (key !== null) headers['idempotency-key'] = key;
        const result = await request(app.baseUrl, c.path(accountId), { method: 'POST', headers, body: c.raw ?? JSON.stringify(c.body) });
        expectProblem(result, c.status, c.code);
        expect(await rows()).to.deep.equal(before);
      });
    }

    it('unknown routes answer 404 route_not_found as problem+json', async () => {
      expectProblem(await request(app.baseUrl, '/api/nope', { method: 'GET' }), 404, 'route_not_found');
    });
  });

  describe('seed DTOs (seed-notes §1): what a seed client sends is accepted', () => {
    it('ownerId is any visible text the seed took (e-mail, spaces, unicode), stored verbatim; blank or with control characters it is 400', async () => {
      for (const ownerId of ['jane.doe@example.com', 'Jane Doe', 'Zoë Müller', "o'brien; drop table x", 'abc']) {
        const accountId = newId('owner');
        const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId, currency: 'USD' });
        expect(created.status, `${ownerId}: ${JSON.stringify(created.body)}`).to.equal(201);
        expect(created.body).to.include({ ownerId });
      }
      const before = await rows();
      for (const ownerId of ['', '   ', 'a\u0000b', 'tab\there', 'a'.repeat(129)]) {
        expectProblem(await post(app.baseUrl, '/api/accounts', { accountId: newId('owner'), ownerId, currency: 'USD' }), 400, 'validation_failed');
      }
      expect(await rows()).to.deep.equal(before);
    });

    it('an amount written in exponent or decimal form is its number: 1e2 and 100.0 deposit 100; 1.5e0 is 400', async () => {
      const accountId = await open();
      const raw = (amount: string) =>
        request(app.baseUrl, `/api/accounts/${accountId}/deposits`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': newId('key') },
          body: `{"amount":${amount},"currency":"USD","transactionId":"${newId('t')}"}`,
        });
      const exponent = await raw('1e2');
      expect(exponent.status, JSON.stringify(exponent.body)).to.equal(201);
      expect(exponent.body).to.include({ amount: 100, balance: 100 });
      const decimal = await raw('100.0');
      expect(decimal.status).to.equal(201);
      expect(decimal.body).to.include({ amount: 100, balance: 200 });
      expectProblem(await raw('1.5e0'), 400, 'validation_failed');
    });

    it('a freeze reason with NUL or a lone surrogate is 400 (it used to crash the account actor: 503 account_unavailable)', async () => {
      const accountId = await open();
      const before = await rows();
      for (const reason of ['a\\u0000b', 'a\\ud800b', 'a\\udfffb']) {
        const result = await request(app.baseUrl, `/api/accounts/${accountId}/freeze`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': newId('key') },
          body: `{"reason":"${reason}"}`,
        });
        expectProblem(result, 400, 'validation_failed');
      }
      expect(await rows()).to.deep.equal(before);
      const frozen = await post(app.baseUrl, `/api/accounts/${accountId}/freeze`, { reason: 'the actor still answers' });
      expect(frozen.status, JSON.stringify(frozen.body)).to.equal(200);
    });
  });

  describe('group commit', () => {
    it('100 parallel deposits on one account all succeed, versions are exactly 2..101, and those queued behind a turn commit together', async () => {
      const accountId = await open();
      // Hold the first append until the other 99 deposits wait in the actor's mailbox, so the group
      // commit is shown without depending on how fast this box runs the requests.
      const store = app.runtime.storage.store;
      const append = store.appendBatch.bind(store);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const appendBatch = sinon.stub(store, 'appendBatch').callsFake(async (appends) => {
        if (appendBatch.callCount === 1) await held;
        return append(appends);
      });
      try {
        const deposit = (i: number) => post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: i + 1, currency: 'USD', transactionId: newId('t') });
        const first = deposit(0);
        await eventually('the first turn held in its append', async () => appendBatch.callCount, { until: (count) => count === 1, timeoutMs: 10_000, intervalMs: 5 });
        const rest = Array.from({ length: 99 }, (_, i) => deposit(i + 1));
        const queued = () => app.runtime.system.actors().find((actor) => actor.accountId === accountId)?.mailboxDepth ?? 0;
        // The turn in flight holds 1 command; the other 99 wait in the mailbox.
        await eventually('all 100 commands queued behind the held turn', async () => queued(), { until: (depth) => depth === 100, timeoutMs: 10_000, intervalMs: 5 });
        release();
        const results = await Promise.all([first, ...rest]);
        expect(results.map((r) => r.status)).to.deep.equal(Array(100).fill(201));
        const versions = results.map((r) => r.body.version as number).sort((a, b) => a - b);
        expect(versions).to.deep.equal(Array.from({ length: 100 }, (_, i) => i + 2));
        expect(appendBatch.callCount, 'the held turn, then one turn for the 99 queued behind it').to.equal(2);
        expect(appendBatch.secondCall.args[0].flatMap((entry) => entry.events)).to.have.length(99);
      } finally {
        appendBatch.restore();
        release();
      }
      const final = await app.pool!.query('select count(*)::int as n from events where stream_id = $1', [`account-${accountId}`]);
      expect(final.rows[0].n).to.equal(101);
    });
  });
});
