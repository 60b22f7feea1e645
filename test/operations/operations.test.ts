// Operating Acta through the real app: passivation shows in the console after ACCOUNT_IDLE_MS,
// and /metrics is present and moves under a small load.
import { expect } from 'chai';
import { TestApp, post, request, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { withoutNodeLabel } from '../support/metricsText';

const token = 'operations-test-token-0123456789';

/** How long the console and /metrics may take to show what the test did. */
const operationsWaitMs = 10_000;

/** The value of one sample line of the Prometheus text, 0 when absent. */
function sample(text: string, prefix: string): number {
  const line = withoutNodeLabel(text).split('\n').find((candidate) => candidate.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('operations (real Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { ADMIN_TOKEN: token, ACCOUNT_IDLE_MS: '400' } });
  });
  after(async () => {
    await app?.close();
  });
  const consoleJson = async () =>
    (await request(app.baseUrl, '/api/admin/actors', { method: 'GET', headers: { authorization: `Bearer ${token}` } })).body as {
      system: { live: number; passivations: number };
      accounts: Array<{ accountId: string; version: number }>;
    };

  it('shows a live actor in the console, then its passivation after ACCOUNT_IDLE_MS', async () => {
    const accountId = `ops-${process.pid}`;
    expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'USD' })).status).to.equal(201);
    const live = await consoleJson();
    expect(live.accounts.map((actor) => actor.accountId)).to.include(accountId);
    const after = await eventually('the passivated actor gone from the console', consoleJson, {
      until: (json) => !json.accounts.some((actor) => actor.accountId === accountId),
      timeoutMs: operationsWaitMs,
    });
    expect(after.system.passivations).to.be.greaterThan(0);
  });

  it('serves Prometheus metrics that move under load', async () => {
    const metrics = async () => {
      const response = await fetch(`${app.baseUrl}/metrics`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/plain/);
      return response.text();
    };
    const accountId = `metrics-${process.pid}`;
    await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'USD' });
    const before = await metrics();
    for (let i = 0; i < 20; i += 1) {
      await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 5, currency: 'USD', transactionId: `m-${process.pid}-${i}` });
    }
    await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 10_000, currency: 'USD', transactionId: `m-${process.pid}-w` });
    const retried = { amount: 1, currency: 'USD', transactionId: `m-${process.pid}-r` };
    for (let i = 0; i < 2; i += 1) await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, retried, `m-${process.pid}-retry-key`);
    const projected = (text: string) => sample(text, 'acta_projection_lag_seconds_count');
    const after = await eventually('the projection lag histogram moved', metrics, { until: (text) => projected(text) > projected(before), timeoutMs: operationsWaitMs });
    const deposits = 'acta_command_outcomes_total{type="DepositMoney",outcome="accepted",code="none"}';
    expect(sample(after, deposits) - sample(before, deposits)).to.equal(21);
    expect(sample(after, 'acta_command_outcomes_total{type="DepositMoney",outcome="replayed",code="none"}')).to.equal(1);
    expect(sample(after, 'acta_command_outcomes_total{type="WithdrawMoney",outcome="rejected",code="insufficient_funds"}')).to.equal(1);
    expect(sample(after, 'acta_journal_events_per_transaction_count')).to.be.greaterThan(sample(before, 'acta_journal_events_per_transaction_count'));
    const route = 'http_request_duration_seconds_count{method="POST",route="/api/accounts/:accountId/deposits",status="201"}';
    expect(sample(after, route) - sample(before, route)).to.equal(22);
    for (const name of ['acta_live_actors', 'acta_transfer_actors', 'acta_mailbox_depth', 'acta_outbox_pending', 'acta_outbox_oldest_age_seconds', 'acta_projector_dead_letters_total']) {
      expect(withoutNodeLabel(after), name).to.match(new RegExp(`^${name} `, 'm'));
    }
  });

  it('counts finished transfers by status and reason in /metrics', async () => {
    const [source, destination, frozen] = ['ops-src', 'ops-dst', 'ops-frozen'].map((name) => `${name}-${process.pid}`) as [string, string, string];
    for (const accountId of [source, destination, frozen]) {
      expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'o', currency: 'USD' })).status).to.equal(201);
    }
    await post(app.baseUrl, `/api/accounts/${source}/deposits`, { amount: 100, currency: 'USD', transactionId: `ops-t-${process.pid}` });
    await post(app.baseUrl, `/api/accounts/${frozen}/freeze`, { reason: 'test' });
    const transfer = (transferId: string, to: string) => ({ transferId, sourceAccountId: source, destinationAccountId: to, amount: 10, currency: 'USD' });
    const ids = [`ops-ok-${process.pid}`, `ops-frozen-${process.pid}`];
    expect((await post(app.baseUrl, '/api/transfers', transfer(ids[0]!, destination))).status).to.equal(202);
    expect((await post(app.baseUrl, '/api/transfers', transfer(ids[1]!, frozen))).status).to.equal(202);
    await Promise.all(ids.map((id) => app.runtime.transfers.settled(id)));
    const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(sample(text, 'acta_transfers_finished_total{status="COMPLETED",reason=""}')).to.equal(1);
    expect(sample(text, 'acta_transfers_finished_total{status="FAILED",reason="account_frozen"}')).to.equal(1);
    expect(sample(text, 'acta_transfer_actors ')).to.equal(0);
  });
});
