// GET /api/transfers/:id and the transfer read side through the real app on real Postgres, run
// twice: with the real Kafka bus (KAFKA_BROKERS) and with the in-process bus. Transfer events are
// appended straight to the event store (topic acta.transfer) and published by the outbox relay;
// one test drives real transfers through POST /api/transfers and reads both read models back.
import { expect } from 'chai';
import { loadTransfer, transferTopic } from '../../src/app/transfers/loadTransfer';
import { transferView } from '../../src/app/transferView';
import { transferStreamId } from '../../src/domain/transfer/transferIds';
import { NewEvent } from '../../src/ports/storedEvent';
import { HttpResult, TestApp, get, post, request, startTestApp } from '../support/app';
import { requireKafkaBrokers } from '../support/kafka';
import { compensationStarted, destinationCredited, fundsHeld, requested, transferCompleted, transferFailed } from '../projections/fixtures';

const adminToken = 'test-admin-token-0123456789';

const modes = [
  { name: 'real Postgres + real Kafka', env: (): Record<string, string> => ({ KAFKA_BROKERS: requireKafkaBrokers().join(',') }) },
  { name: 'real Postgres + in-process bus', env: (): Record<string, string> => ({}) },
];

function expectProblem(result: HttpResult, status: number, code: string) {
  expect(result.status, JSON.stringify(result.body)).to.equal(status);
  expect(result.contentType).to.match(/^application\/problem\+json/);
  expect(result.body).to.include({ status, code });
}

/** Starts the app before the suite's tests and closes it after them. */
function runningApp(env: () => Record<string, string>, started: (app: TestApp) => void, options: { memory?: boolean } = {}): void {
  let app: TestApp | undefined;
  before(async () => {
    app = await startTestApp({ ...options, env: env() });
    started(app);
  });
  after(async () => {
    await app?.close();
  });
}

const adminPost = (app: TestApp, path: string) => request(app.baseUrl, path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
const adminGet = (app: TestApp, path: string) => request(app.baseUrl, path, { method: 'GET', headers: { authorization: `Bearer ${adminToken}` } });

for (const mode of modes) {
  describe(`transfer queries over HTTP (${mode.name})`, function () {
    this.timeout(90_000);
    let counter = 0;
    const newId = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

    /** Appends transfer events as the transfer process would (topic acta.transfer) and wakes the relay; the new version. */
    async function appendTransfer(app: TestApp, transferId: string, events: NewEvent[]): Promise<number> {
      const store = app.runtime.storage.store;
      const streamId = transferStreamId(transferId);
      const expectedVersion = await store.streamVersion(streamId);
      const [result] = await store.appendBatch([{ streamId, expectedVersion, events, topic: transferTopic, transactions: [], idempotency: [] }]);
      if (!result?.ok) throw new Error(`append to ${streamId} failed: ${JSON.stringify(result)}`);
      app.runtime.pipeline.wake();
      return result.lastVersion;
    }

    const writeSideView = async (app: TestApp, transferId: string) => transferView(await loadTransfer(transferId, app.runtime.storage.store));

    // One app at a time: in Kafka mode apps share the projectors' consumer groups, so two live
    // apps would split the partitions (and each other's messages) between their databases.
    describe('with ADMIN_TOKEN and the default read wait', () => {
      let app: TestApp;
      runningApp(() => ({ ...mode.env(), ADMIN_TOKEN: adminToken, READ_WAIT_MS: '10000' }), (started) => (app = started));

      it('GET ?minVersion=<version> shows every step of a transfer as the write side folds it', async () => {
        const id = newId('t');
        const steps: Array<{ events: NewEvent[]; expected: Record<string, unknown> }> = [
          { events: [requested(id, 'src', 'dst', 250, 'USD')], expected: { status: 'PENDING', stage: 'hold', amount: 250, currency: 'USD' } },
          { events: [fundsHeld(id), destinationCredited(id)], expected: { status: 'PENDING', stage: 'capture' } },
          { events: [transferCompleted(id)], expected: { status: 'COMPLETED', stage: null, failureReason: null } },
        ];
        for (const step of steps) {
          const version = await appendTransfer(app, id, step.events);
          const read = await get(app.baseUrl, `/api/transfers/${id}?minVersion=${version}`);
          expect(read.status, JSON.stringify(read.body)).to.equal(200);
          expect(read.contentType).to.match(/^application\/json/);
          expect(read.body).to.deep.equal(await writeSideView(app, id));
          expect(read.body).to.include({ transferId: id, sourceAccountId: 'src', destinationAccountId: 'dst', version, ...step.expected });
        }
      });

      it('shows a failed transfer with its reason and failing stage, and a compensating one on its way', async () => {
        const id = newId('t');
        let version = await appendTransfer(app, id, [requested(id, 'src', 'dst', 9), fundsHeld(id), compensationStarted(id, 'account_frozen', 'credit', 'frozen')]);
        const compensating = await get(app.baseUrl, `/api/transfers/${id}?minVersion=${version}`);
        expect(compensating.body).to.include({ status: 'PENDING', stage: 'release', failureReason: 'account_frozen', failureStage: 'credit', failureDetail: 'frozen' });
        version = await appendTransfer(app, id, [transferFailed(id, 'account_frozen', 'credit', 'frozen')]);
        const failed = await get(app.baseUrl, `/api/transfers/${id}?minVersion=${version}`);
        expect(failed.body).to.include({ status: 'FAILED', stage: null, failureReason: 'account_frozen', failureStage: 'credit', version: 4 });
      });

      it('404 transfer_not_found for an unknown transfer; 400 validation_failed for bad ids and query parameters', async () => {
        expectProblem(await get(app.baseUrl, `/api/transfers/${newId('ghost')}`), 404, 'transfer_not_found');
        expectProblem(await get(app.baseUrl, `/api/transfers/${'x'.repeat(128)}`), 404, 'transfer_not_found');
        for (const bad of ['~transfer:abc', 'a%20b', '-leading-dash', 'x'.repeat(129)]) {
          expectProblem(await get(app.baseUrl, `/api/transfers/${bad}`), 400, 'validation_failed');
        }
        const id = newId('t');
        const version = await appendTransfer(app, id, [requested(id, 'src', 'dst', 1)]);
        expect((await get(app.baseUrl, `/api/transfers/${id}?minVersion=${version}`)).status).to.equal(200);
        for (const query of ['minVersion=-1', 'minVersion=abc', 'minVersion=1.5', 'foo=bar', 'limit=2']) {
          expectProblem(await get(app.baseUrl, `/api/transfers/${id}?${query}`), 400, 'validation_failed');
        }
        expect((await get(app.baseUrl, `/api/transfers/${id}?minVersion=0`)).status).to.equal(200);
      });

      it('end to end through POST /api/transfers: GET answers the POST’s shape, and the accounts show available balance and the legs', async () => {
        const [source, destination, frozen] = [newId('src'), newId('dst'), newId('frz')];
        for (const accountId of [source, destination, frozen]) {
          expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner', currency: 'USD' })).status).to.equal(201);
        }
        expect((await post(app.baseUrl, `/api/accounts/${source}/deposits`, { amount: 1_000, currency: 'USD', transactionId: newId('d') })).status).to.equal(201);
        expect((await post(app.baseUrl, `/api/accounts/${frozen}/freeze`, { reason: 'review' })).status).to.equal(200);

        const ok = newId('t');
        const answer = await post(app.baseUrl, '/api/transfers', { transferId: ok, sourceAccountId: source, destinationAccountId: destination, amount: 300, currency: 'USD' });
        expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
        const first = await get(app.baseUrl, `/api/transfers/${ok}?minVersion=${answer.body.version as number}`);
        expect(first.status).to.equal(200);
        expect(Object.keys(first.body).sort()).to.deep.equal(Object.keys(answer.body).sort());
        if (first.body.version === answer.body.version) expect(first.body).to.deep.equal(answer.body);
        await app.runtime.transfers.settled(ok);
        const done = await writeSideView(app, ok);
        expect(done).to.include({ status: 'COMPLETED' });
        expect((await get(app.baseUrl, `/api/transfers/${ok}?minVersion=${done.version}`)).body).to.deep.equal(done);

        // Source: created, deposit, hold, capture. Destination: created, credit.
        const from = await get(app.baseUrl, `/api/accounts/${source}/history?minVersion=4`);
        expect(from.body.total).to.equal(4);
        const [hold, capture] = (from.body.entries as Array<Record<string, unknown>>).slice(2);
        expect(hold).to.include({ eventType: 'HoldPlaced', amount: 300, transferId: ok, counterpartyAccountId: destination, balanceAfter: 1_000 });
        expect(hold).to.not.have.property('direction');
        expect(capture).to.include({ eventType: 'HoldCaptured', amount: 300, direction: 'debit', transferId: ok, counterpartyAccountId: destination, balanceAfter: 700 });
        expect((await get(app.baseUrl, `/api/accounts/${source}/balance?minVersion=4`)).body).to.include({ balance: 700, availableBalance: 700 });
        const to = await get(app.baseUrl, `/api/accounts/${destination}/history?minVersion=2`);
        expect((to.body.entries as unknown[])[1]).to.include({ eventType: 'TransferCredited', amount: 300, direction: 'credit', transferId: ok, counterpartyAccountId: source, balanceAfter: 300 });

        // To a frozen account: the hold is released, the source never shows a withdrawal or a reversal.
        const refused = newId('t');
        expect((await post(app.baseUrl, '/api/transfers', { transferId: refused, sourceAccountId: source, destinationAccountId: frozen, amount: 200, currency: 'USD' })).status).to.equal(202);
        await app.runtime.transfers.settled(refused);
        const failed = await writeSideView(app, refused);
        expect(failed).to.include({ status: 'FAILED', failureReason: 'account_frozen', failureStage: 'credit' });
        expect((await get(app.baseUrl, `/api/transfers/${refused}?minVersion=${failed.version}`)).body).to.deep.equal(failed);
        const after = await get(app.baseUrl, `/api/accounts/${source}/history?minVersion=6`);
        const legs = (after.body.entries as Array<Record<string, unknown>>).slice(4);
        expect(legs.map((entry) => [entry.eventType, entry.balanceAfter, entry.direction ?? null])).to.deep.equal([
          ['HoldPlaced', 700, null],
          ['HoldReleased', 700, null],
        ]);
        expect((await get(app.baseUrl, `/api/accounts/${source}?minVersion=6`)).body).to.include({ balance: 700, availableBalance: 700, version: 6 });
      });

      it('admin: rebuilds one transfer and all projections (200, audited) leaving GET identical; the console lists and restarts the transfer projector', async () => {
        const id = newId('t');
        const version = await appendTransfer(app, id, [requested(id, 'src', 'dst', 42), transferFailed(id, 'insufficient_funds', 'hold')]);
        const before = await get(app.baseUrl, `/api/transfers/${id}?minVersion=${version}`);
        expect(before.status).to.equal(200);

        const one = await adminPost(app, `/api/admin/projections/transfers/${id}/rebuild`);
        expect(one.status, JSON.stringify(one.body)).to.equal(200);
        expect(one.body).to.include({ action: 'rebuild', target: `transfer:${id}`, transferId: id, found: true, version, poison: null });
        expect((await get(app.baseUrl, `/api/transfers/${id}`)).body).to.deep.equal(before.body);
        expectProblem(await adminPost(app, '/api/admin/projections/transfers/~derived/rebuild'), 400, 'validation_failed');

        const all = await adminPost(app, '/api/admin/projections/accounts/rebuild-all');
        expect(all.status, JSON.stringify(all.body)).to.equal(200);
        expect(all.body.transfers as number).to.be.at.least(1);
        expect((await get(app.baseUrl, `/api/transfers/${id}`)).body).to.deep.equal(before.body);
        const { rows } = await app.pool!.query<{ action: string; target: string; result: string }>(
          `select action, target, result from admin_audit where target = $1`,
          [`transfer:${id}`],
        );
        expect(rows).to.deep.equal([{ action: 'rebuild', target: `transfer:${id}`, result: 'ok' }]);

        const consoleJson = (await adminGet(app, '/api/admin/actors')).body as { projectors: Array<Record<string, unknown>> };
        expect(consoleJson.projectors.map((projector) => [projector.name, projector.groupId])).to.deep.equal([
          ['accounts', 'acta-account-projector'],
          ['transfers', 'acta-transfer-projector'],
        ]);
        const restarted = await adminPost(app, '/api/admin/projectors/transfers/restart');
        expect(restarted.status, JSON.stringify(restarted.body)).to.equal(200);
        expect(app.runtime.pipeline.stats().projectors.find((projector) => projector.name === 'transfers')).to.deep.include({ restarts: 1, state: 'running' });
        const later = newId('t');
        const laterVersion = await appendTransfer(app, later, [requested(later, 'src', 'dst', 1)]);
        expect((await get(app.baseUrl, `/api/transfers/${later}?minVersion=${laterVersion}`)).status).to.equal(200);
      });
    });

    describe('with READ_WAIT_MS=300', () => {
      let impatient: TestApp;
      runningApp(() => ({ ...mode.env(), READ_WAIT_MS: '300' }), (started) => (impatient = started));

      it('503 read_model_behind after a bounded wait (READ_WAIT_MS=300) when minVersion is ahead', async () => {
        const id = newId('t');
        const version = await appendTransfer(impatient, id, [requested(id, 'src', 'dst', 1)]);
        expect((await get(impatient.baseUrl, `/api/transfers/${id}?minVersion=${version}`)).status).to.equal(200);
        const started = Date.now();
        const result = await get(impatient.baseUrl, `/api/transfers/${id}?minVersion=${version + 1}`);
        const elapsed = Date.now() - started;
        expectProblem(result, 503, 'read_model_behind');
        expect(result.body.retryAfterSeconds).to.equal(1);
        expect(elapsed, 'waited about READ_WAIT_MS').to.be.within(250, 5_000);
      });

      it('404 transfer_not_found, without waiting for minVersion, for a transfer the event store does not have', async () => {
        // The event store is asked on a read-model miss: no stream means no client was ever given
        // a version of it, so there is nothing to wait for.
        expectProblem(await get(impatient.baseUrl, `/api/transfers/${newId('ghost')}?minVersion=1`), 404, 'transfer_not_found');
      });
    });
  });
}

describe('transfer queries over HTTP (in-memory storage and bus)', function () {
  this.timeout(30_000);
  let app: TestApp;
  runningApp(() => ({ ADMIN_TOKEN: adminToken }), (started) => (app = started), { memory: true });

  it('projects transfers into the in-memory read model, answers GET and rebuilds one transfer', async () => {
    const id = `mem-${process.pid}`;
    const store = app.runtime.storage.store;
    const [result] = await store.appendBatch([
      { streamId: transferStreamId(id), expectedVersion: 0, events: [requested(id, 'src', 'dst', 7), fundsHeld(id)], topic: transferTopic, transactions: [], idempotency: [] },
    ]);
    expect(result?.ok).to.equal(true);
    app.runtime.pipeline.wake();
    const read = await get(app.baseUrl, `/api/transfers/${id}?minVersion=2`);
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(read.body).to.deep.equal(transferView(await loadTransfer(id, store)));
    const rebuilt = await adminPost(app, `/api/admin/projections/transfers/${id}/rebuild`);
    expect(rebuilt.body).to.include({ transferId: id, found: true, version: 2 });
    expect((await adminPost(app, '/api/admin/projections/accounts/rebuild-all')).body).to.include({ transfers: 1 });
    expect((await get(app.baseUrl, `/api/transfers/${id}`)).body).to.deep.equal(read.body);
  });
});

