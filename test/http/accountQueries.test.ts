// The account query API and the admin console through the real app on real Postgres, run twice:
// with the real Kafka bus (KAFKA_BROKERS) and with the in-process bus. Read-your-writes via
// ?minVersion, history paging, query validation, read_model_behind, and the audited admin actions.
import { expect } from 'chai';
import { HttpResult, TestApp, get, post, request, startTestApp } from '../support/app';
import { requireKafkaBrokers } from '../support/kafka';
import { eventually } from '../support/eventually';

const adminToken = 'test-admin-token-0123456789';

interface Mode {
  name: string;
  env: () => Record<string, string>;
}

const modes: Mode[] = [
  { name: 'real Postgres + real Kafka', env: () => ({ KAFKA_BROKERS: requireKafkaBrokers().join(',') }) },
  { name: 'real Postgres + in-process bus', env: () => ({}) },
];

function expectProblem(result: HttpResult, status: number, code: string) {
  expect(result.status, JSON.stringify(result.body)).to.equal(status);
  expect(result.contentType).to.match(/^application\/problem\+json/);
  expect(result.body).to.include({ status, code });
  expect(result.body.detail).to.be.a('string');
}


const adminHeaders = (token: string | null = adminToken): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
const adminGet = (app: TestApp, path: string, token: string | null = adminToken) => request(app.baseUrl, path, { method: 'GET', headers: adminHeaders(token) });
const adminPost = (app: TestApp, path: string, token: string | null = adminToken) => request(app.baseUrl, path, { method: 'POST', headers: adminHeaders(token) });

for (const mode of modes) {
  describe(`account queries over HTTP (${mode.name})`, function () {
    this.timeout(60_000);
    let counter = 0;
    const newId = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

    async function open(app: TestApp, currency = 'USD'): Promise<{ accountId: string; version: number }> {
      const accountId = newId('q');
      const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-q', currency });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.version).to.be.a('number');
      return { accountId, version: created.body.version as number };
    }

    async function deposit(app: TestApp, accountId: string, amount: number): Promise<HttpResult> {
      const result = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount, currency: 'USD', transactionId: newId('t') });
      expect(result.status, JSON.stringify(result.body)).to.equal(201);
      return result;
    }

    describe('with ADMIN_TOKEN and the default read wait', () => {
      let app: TestApp;
      before(async () => {
        app = await startTestApp({ env: { ...mode.env(), ADMIN_TOKEN: adminToken, READ_WAIT_MS: '10000' } });
      });
      after(async () => {
        await app?.close();
      });

      async function auditRows(): Promise<Array<{ actor: string; action: string; target: string; result: string }>> {
        const { rows } = await app.pool!.query('select actor, action, target, result from admin_audit order by id');
        return rows as Array<{ actor: string; action: string; target: string; result: string }>;
      }

      it('GET /api/accounts/:id?minVersion=<created version> never 404s and shows the new account (20 fresh accounts)', async () => {
        for (let i = 0; i < 20; i++) {
          const { accountId, version } = await open(app);
          const read = await get(app.baseUrl, `/api/accounts/${accountId}?minVersion=${version}`);
          expect(read.status, `account ${i}: ${JSON.stringify(read.body)}`).to.equal(200);
          expect(read.body).to.include({ accountId, ownerId: 'owner-q', currency: 'USD', status: 'ACTIVE', balance: 0, availableBalance: 0 });
          expect(read.body.version as number).to.be.at.least(version);
        }
      });

      it('deposit then /balance?minVersion=<deposit version> shows the new balance', async () => {
        const { accountId } = await open(app);
        const first = await deposit(app, accountId, 700);
        const second = await deposit(app, accountId, 55);
        expect(second.body).to.include({ balance: 755 });
        const balance = await get(app.baseUrl, `/api/accounts/${accountId}/balance?minVersion=${second.body.version as number}`);
        expect(balance.status, JSON.stringify(balance.body)).to.equal(200);
        expect(balance.body).to.include({ accountId, balance: 755, availableBalance: 755, currency: 'USD', status: 'ACTIVE', version: second.body.version });
        expect(first.body.version as number).to.be.below(second.body.version as number);
      });

      it('/history?limit=2&offset=1 pages in stream order and reports the total', async () => {
        const { accountId } = await open(app);
        await deposit(app, accountId, 10);
        await deposit(app, accountId, 20);
        const last = await deposit(app, accountId, 30);
        const v = last.body.version as number;
        expect(v).to.equal(4);
        const page = await get(app.baseUrl, `/api/accounts/${accountId}/history?minVersion=${v}&limit=2&offset=1`);
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        expect(page.body).to.include({ accountId, total: 4, limit: 2, offset: 1 });
        const entries = page.body.entries as Array<Record<string, unknown>>;
        expect(entries.map((entry) => entry.streamVersion)).to.deep.equal([2, 3]);
        expect(entries.map((entry) => entry.eventType)).to.deep.equal(['MoneyDeposited', 'MoneyDeposited']);
        expect(entries.map((entry) => entry.amount)).to.deep.equal([10, 20]);
        expect(entries.map((entry) => entry.balanceAfter)).to.deep.equal([10, 30]);

        // Without limit a page holds the seed's default of 100 entries.
        const full = await get(app.baseUrl, `/api/accounts/${accountId}/history`);
        expect(full.status).to.equal(200);
        expect(full.body).to.include({ total: 4, limit: 100, offset: 0 });
        const all = full.body.entries as Array<Record<string, unknown>>;
        expect(all.map((entry) => entry.streamVersion)).to.deep.equal([1, 2, 3, 4]);
        expect(all[0].eventType).to.equal('AccountCreated');

        const beyond = await get(app.baseUrl, `/api/accounts/${accountId}/history?limit=2&offset=4`);
        expect(beyond.status).to.equal(200);
        expect(beyond.body).to.include({ total: 4, offset: 4 });
        expect(beyond.body.entries).to.deep.equal([]);
      });

      it('400 validation_failed for bad query parameters', async () => {
        const { accountId, version } = await open(app);
        await eventually('the projection', async () => (await get(app.baseUrl, `/api/accounts/${accountId}?minVersion=${version}`)).status === 200);
        const bad = [
          `/history?limit=0`,
          `/history?limit=501`,
          `/history?limit=abc`,
          `/history?offset=-1`,
          `/history?minVersion=-1`,
          `/history?page=2`,
          `?minVersion=-1`,
          `?minVersion=abc`,
          `?foo=bar`,
          `/balance?minVersion=-1`,
          `/balance?limit=2`,
        ];
        for (const suffix of bad) {
          expectProblem(await get(app.baseUrl, `/api/accounts/${accountId}${suffix}`), 400, 'validation_failed');
        }
        // The boundaries themselves are accepted.
        for (const suffix of ['/history?limit=1', '/history?limit=500', '/history?offset=0', '?minVersion=0']) {
          const ok = await get(app.baseUrl, `/api/accounts/${accountId}${suffix}`);
          expect(ok.status, `${suffix}: ${JSON.stringify(ok.body)}`).to.equal(200);
        }
      });

      it('404 account_not_found for an unknown account on every read route', async () => {
        const ghost = newId('ghost');
        for (const suffix of ['', '/balance', '/history']) {
          expectProblem(await get(app.baseUrl, `/api/accounts/${ghost}${suffix}`), 404, 'account_not_found');
        }
      });

      describe('admin', () => {
        it('GET /api/admin/actors: 401 unauthorized without a token or with a wrong one, each refusal audited as denied', async () => {
          const before = (await auditRows()).length;
          expectProblem(await adminGet(app, '/api/admin/actors', null), 401, 'unauthorized');
          expectProblem(await adminGet(app, '/api/admin/actors', 'wrong-token-wrong-token-0000'), 401, 'unauthorized');
          expectProblem(await request(app.baseUrl, '/api/admin/actors', { method: 'GET', headers: { authorization: adminToken } }), 401, 'unauthorized');
          const rows = await eventually('three denied audit rows', async () => (await auditRows()).slice(before), { until: (denied) => denied.length >= 3 });
          expect(rows).to.have.length(3);
          for (const row of rows) {
            expect(row).to.include({ actor: 'anonymous', result: 'denied' });
            expect(row.action).to.match(/^GET .*actors$/);
          }
        });

        it('accepts the bearer scheme in any case (RFC 9110), and only with the right token', async () => {
          for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
            const answer = await request(app.baseUrl, '/api/admin/actors', { method: 'GET', headers: { authorization: `${scheme} ${adminToken}` } });
            expect(answer.status, scheme).to.equal(200);
          }
          expectProblem(await request(app.baseUrl, '/api/admin/actors', { method: 'GET', headers: { authorization: `bearer x${adminToken}` } }), 401, 'unauthorized');
        });

        it('GET /api/admin/actors with the token: system, accounts (the live actor with its version), projectors, outbox', async () => {
          const { accountId } = await open(app);
          const dep = await deposit(app, accountId, 42);
          const consoleRes = await adminGet(app, '/api/admin/actors');
          expect(consoleRes.status, JSON.stringify(consoleRes.body)).to.equal(200);
          expect(consoleRes.contentType).to.match(/^application\/json/);
          expect(consoleRes.body).to.include.keys('system', 'accounts', 'projectors', 'outbox');
          expect(consoleRes.body.system).to.be.an('object');
          expect((consoleRes.body.system as Record<string, unknown>).live).to.be.a('number').and.to.be.at.least(1);
          const accounts = consoleRes.body.accounts as Array<Record<string, unknown>>;
          const mine = accounts.find((entry) => entry.accountId === accountId);
          expect(mine, 'the live actor is listed').to.exist;
          expect(mine!.version).to.equal(dep.body.version);
          expect(consoleRes.body.projectors).to.be.an('array').with.length.at.least(1);
          expect(consoleRes.body.outbox).to.be.an('object');
        });

        it('rebuilds one account and then all accounts (200, audited ok) leaving summary and history identical', async () => {
          const { accountId } = await open(app);
          await deposit(app, accountId, 100);
          const last = await deposit(app, accountId, 23);
          const v = last.body.version as number;
          const summaryBefore = await get(app.baseUrl, `/api/accounts/${accountId}?minVersion=${v}`);
          const historyBefore = await get(app.baseUrl, `/api/accounts/${accountId}/history?minVersion=${v}`);
          expect(summaryBefore.status).to.equal(200);
          expect(historyBefore.status).to.equal(200);
          expect((historyBefore.body.entries as unknown[]).length).to.equal(3);
          const auditBefore = (await auditRows()).length;

          const one = await adminPost(app, `/api/admin/projections/accounts/${accountId}/rebuild`);
          expect(one.status, JSON.stringify(one.body)).to.equal(200);
          expect(one.body).to.include({ action: 'rebuild', target: `account:${accountId}` });
          expect((await get(app.baseUrl, `/api/accounts/${accountId}`)).body).to.deep.equal(summaryBefore.body);
          expect((await get(app.baseUrl, `/api/accounts/${accountId}/history`)).body).to.deep.equal(historyBefore.body);

          const all = await adminPost(app, '/api/admin/projections/accounts/rebuild-all');
          expect(all.status, JSON.stringify(all.body)).to.equal(200);
          expect(all.body).to.include({ action: 'rebuild-all', target: 'accounts' });
          expect((await get(app.baseUrl, `/api/accounts/${accountId}`)).body).to.deep.equal(summaryBefore.body);
          expect((await get(app.baseUrl, `/api/accounts/${accountId}/history`)).body).to.deep.equal(historyBefore.body);

          const rows = (await auditRows()).slice(auditBefore);
          expect(rows.map(({ action, target, result }) => ({ action, target, result }))).to.deep.equal([
            { action: 'rebuild', target: `account:${accountId}`, result: 'ok' },
            { action: 'rebuild-all', target: 'accounts', result: 'ok' },
          ]);
          for (const row of rows) expect(row.actor).to.match(/^token:[0-9a-f]{12}$/);
        });

        it('passivates a live actor (200, audited) and it disappears from the console', async () => {
          const { accountId } = await open(app);
          const dep = await deposit(app, accountId, 5);
          const listed = async () => ((await adminGet(app, '/api/admin/actors')).body.accounts as Array<Record<string, unknown>>).some((entry) => entry.accountId === accountId);
          expect(await listed()).to.equal(true);
          const auditBefore = (await auditRows()).length;
          const passivated = await adminPost(app, `/api/admin/actors/${accountId}/passivate`);
          expect(passivated.status, JSON.stringify(passivated.body)).to.equal(200);
          expect(passivated.body).to.include({ action: 'passivate', target: `account:${accountId}`, passivated: true });
          await eventually('the actor to leave the console', async () => !(await listed()));
          const rows = (await auditRows()).slice(auditBefore);
          expect(rows.map(({ action, target, result }) => ({ action, target, result }))).to.deep.equal([{ action: 'passivate', target: `account:${accountId}`, result: 'ok' }]);
          // The account still answers commands and reads after passivation (rehydrated from the store).
          const again = await deposit(app, accountId, 5);
          expect(again.body).to.include({ balance: 10, version: (dep.body.version as number) + 1 });
          // Passivating an actor that is not live is a 404, audited as an error.
          const ghost = await adminPost(app, `/api/admin/actors/${newId('ghost')}/passivate`);
          expectProblem(ghost, 404, 'not_found');
          const last = (await auditRows()).at(-1)!;
          expect(last).to.include({ action: 'passivate', result: 'error' });
        });
      });
    });

    describe('with READ_WAIT_MS=300 and no ADMIN_TOKEN', () => {
      let app: TestApp;
      before(async () => {
        app = await startTestApp({ env: { ...mode.env(), READ_WAIT_MS: '300' } });
      });
      after(async () => {
        await app?.close();
      });

      it('503 read_model_behind when minVersion is far ahead, after a bounded wait', async () => {
        const { accountId } = await open(app);
        for (const suffix of ['', '/balance', '/history']) {
          const started = Date.now();
          const result = await get(app.baseUrl, `/api/accounts/${accountId}${suffix}?minVersion=999`);
          const elapsed = Date.now() - started;
          expectProblem(result, 503, 'read_model_behind');
          expect(elapsed, 'waited about READ_WAIT_MS').to.be.within(250, 5_000);
        }
      });

      it('admin answers 503 admin_disabled, even with a token', async () => {
        expectProblem(await adminGet(app, '/api/admin/actors', null), 503, 'admin_disabled');
        expectProblem(await adminGet(app, '/api/admin/actors'), 503, 'admin_disabled');
        expectProblem(await adminPost(app, '/api/admin/projections/accounts/rebuild-all'), 503, 'admin_disabled');
      });
    });
  });
}
