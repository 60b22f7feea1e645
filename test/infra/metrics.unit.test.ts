import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { Router } from 'express';
import { expect } from 'chai';
import {
  createMetrics,
  httpMetricsMiddleware,
  Metrics,
  MetricsSources,
  metricsRouter,
  recordCommandOutcome,
  recordJournalBatch,
  recordProjectionApplied,
} from '../../src/infra/metrics';

const sampleLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eEInfNa]+$/;

interface State {
  live: number;
  mailbox: number;
  conflicts: number;
  outbox: { pending: number; oldestAgeMs: number | null };
  outboxCalls: number;
  outboxFails: boolean;
  projector: ReturnType<MetricsSources['projectorStats']>;
}

function newState(): State {
  return {
    live: 3,
    mailbox: 7,
    conflicts: 0,
    outbox: { pending: 12, oldestAgeMs: 2500 },
    outboxCalls: 0,
    outboxFails: false,
    projector: {
      deadLettered: 2,
      partitions: [
        { topic: 'acta.accounts', partition: 0, lag: 5 },
        { topic: 'acta.accounts', partition: 1, lag: null },
      ],
    },
  };
}

function buildApp(metrics: Metrics): express.Express {
  const app = express();
  app.use(httpMetricsMiddleware(metrics));
  app.use(express.json());
  const api = Router();
  api.post('/x/:id', (req, res) => {
    if (req.params.id === 'boom') throw new Error('invalid');
    res.status(201).json({ id: req.params.id });
  });
  api.get('/', (_req, res) => {
    res.json({ root: true });
  });
  app.post('/x/:id', (req, res) => {
    res.status(201).json({ id: req.params.id });
  });
  app.use('/api', api);
  app.use(metricsRouter(metrics));
  app.use((_req, res) => {
    res.status(404).json({ code: 'not_found' });
  });
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(400).json({ code: 'validation_failed' });
  });
  return app;
}

describe('infra/metrics', () => {
  let state: State;
  let metrics: Metrics;
  let server: Server;
  let base: string;

  beforeEach(async () => {
    state = newState();
    metrics = createMetrics({
      liveActors: () => state.live,
      mailboxDepth: () => state.mailbox,
      outboxStats: async () => {
        state.outboxCalls += 1;
        if (state.outboxFails) throw new Error('database down');
        return { ...state.outbox };
      },
      projectorStats: () => state.projector,
      versionConflicts: () => state.conflicts,
    });
    server = await new Promise<Server>((resolve) => {
      const listening = buildApp(metrics).listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const scrape = async (): Promise<{ text: string; contentType: string | null; status: number }> => {
    const response = await fetch(`${base}/metrics`);
    return { text: await response.text(), contentType: response.headers.get('content-type'), status: response.status };
  };
  /** The value of one exact sample line (name{labels}), or undefined. */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('records request durations by route pattern, never the raw URL, and the counts move', async () => {
    for (const id of ['a', 'b', 'c']) expect((await post(`/x/${id}`)).status).to.equal(201);
    let { text } = await scrape();
    expect(text).to.contain('http_request_duration_seconds_count{method="POST",route="/x/:id",status="201"} 3');
    expect(text).not.to.match(/route="\/x\/[abc]"/);

    await post('/x/d');
    ({ text } = await scrape());
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/x/:id",status="201"}')).to.equal(4);
    // The first scrape itself is now counted under its own route.
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/metrics",status="200"}')).to.equal(1);
  });

  it('keeps the mount prefix for routers, including when a handler fails, and labels unknown routes unmatched', async () => {
    expect((await post('/api/x/1')).status).to.equal(201);
    expect((await post('/api/x/boom')).status).to.equal(400);
    expect((await post('/api/x/boom')).status).to.equal(400);
    expect((await fetch(`${base}/api`)).status).to.equal(200);
    expect((await fetch(`${base}/nowhere/123`)).status).to.equal(404);
    const { text } = await scrape();
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/x/:id",status="201"}')).to.equal(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/x/:id",status="400"}')).to.equal(2);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api",status="200"}')).to.equal(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).to.equal(1);
    expect(text).not.to.contain('nowhere');
  });

  it('serves valid exposition text with the registry content type', async () => {
    await post('/x/1');
    recordCommandOutcome(metrics, 'DepositMoney', 201, { accountId: 'a' });
    recordJournalBatch(metrics, 2, 3, 4.5);
    recordProjectionApplied(metrics, new Date(Date.now() - 1500).toISOString());
    const { text, contentType, status } = await scrape();
    expect(status).to.equal(200);
    expect(contentType).to.equal(metrics.registry.contentType);
    const lines = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines.length).to.be.greaterThan(20);
    for (const line of lines) expect(line, line).to.match(sampleLine);
  });

  it('reads gauges from the injected functions at scrape time', async () => {
    let { text } = await scrape();
    expect(sample(text, 'acta_live_actors')).to.equal(3);
    expect(sample(text, 'acta_mailbox_depth')).to.equal(7);
    expect(sample(text, 'acta_outbox_pending')).to.equal(12);
    expect(sample(text, 'acta_outbox_oldest_age_seconds')).to.equal(2.5);
    expect(sample(text, 'acta_consumer_lag{topic="acta.accounts",partition="0"}')).to.equal(5);
    expect(text).not.to.contain('partition="1"');
    expect(sample(text, 'acta_projector_dead_letters_total')).to.equal(2);
    expect(sample(text, 'acta_account_version_conflicts_total')).to.equal(0);
    // Both outbox gauges share one stats() call per scrape.
    expect(state.outboxCalls).to.equal(1);

    state.live = 9;
    state.conflicts = 14;
    state.mailbox = 0;
    state.outbox = { pending: 0, oldestAgeMs: null };
    state.projector = { deadLettered: 4, partitions: [{ topic: 'acta.accounts', partition: 1, lag: 0 }] };
    ({ text } = await scrape());
    expect(sample(text, 'acta_live_actors')).to.equal(9);
    expect(sample(text, 'acta_mailbox_depth')).to.equal(0);
    expect(sample(text, 'acta_outbox_pending')).to.equal(0);
    expect(sample(text, 'acta_outbox_oldest_age_seconds')).to.equal(0);
    expect(sample(text, 'acta_consumer_lag{topic="acta.accounts",partition="1"}')).to.equal(0);
    expect(text).not.to.contain('partition="0"');
    expect(sample(text, 'acta_projector_dead_letters_total')).to.equal(4);
    expect(sample(text, 'acta_account_version_conflicts_total')).to.equal(14);
  });

  it('still scrapes when a source fails, counting the failure', async () => {
    state.outboxFails = true;
    const { text, status } = await scrape();
    expect(status).to.equal(200);
    expect(sample(text, 'acta_live_actors')).to.equal(3);
    expect(sample(text, 'acta_metrics_collect_errors_total{source="outbox"}')).to.equal(1);
  });

  it('maps command responses to outcome labels', async () => {
    expect(recordCommandOutcome(metrics, 'DepositMoney', 201, { balance: 10 })).to.equal('accepted');
    expect(recordCommandOutcome(metrics, 'DepositMoney', 201, { balance: 10 })).to.equal('accepted');
    expect(recordCommandOutcome(metrics, 'WithdrawMoney', 422, { code: 'insufficient_funds', status: 422 })).to.equal('rejected');
    expect(recordCommandOutcome(metrics, 'WithdrawMoney', 503, { code: 'command_timeout' })).to.equal('rejected');
    expect(recordCommandOutcome(metrics, 'WithdrawMoney', 409, { code: 'Not A Code "x"' })).to.equal('rejected');
    expect(recordCommandOutcome(metrics, 'DepositMoney', 201, { balance: 10 }, { replayed: true })).to.equal('replayed');
    const { text } = await scrape();
    expect(sample(text, 'acta_command_outcomes_total{type="DepositMoney",outcome="accepted",code="none"}')).to.equal(2);
    expect(sample(text, 'acta_command_outcomes_total{type="WithdrawMoney",outcome="rejected",code="insufficient_funds"}')).to.equal(1);
    expect(sample(text, 'acta_command_outcomes_total{type="WithdrawMoney",outcome="rejected",code="command_timeout"}')).to.equal(1);
    expect(sample(text, 'acta_command_outcomes_total{type="WithdrawMoney",outcome="rejected",code="other"}')).to.equal(1);
    expect(sample(text, 'acta_command_outcomes_total{type="DepositMoney",outcome="replayed",code="none"}')).to.equal(1);
  });

  it('records journal batches and projection lag', async () => {
    recordJournalBatch(metrics, 4, 6, 12);
    recordJournalBatch(metrics, 1, 1, 2);
    const now = Date.parse('2026-01-01T00:00:02.000Z');
    recordProjectionApplied(metrics, '2026-01-01T00:00:00.000Z', now);
    recordProjectionApplied(metrics, '', now); // unknown occurredAt: ignored
    const { text } = await scrape();
    expect(sample(text, 'acta_journal_append_transaction_duration_seconds_count')).to.equal(2);
    expect(sample(text, 'acta_journal_append_transaction_duration_seconds_sum')).to.be.closeTo(0.014, 1e-9);
    expect(sample(text, 'acta_journal_events_per_transaction_sum')).to.equal(7);
    expect(sample(text, 'acta_projection_lag_seconds_count')).to.equal(1);
    expect(sample(text, 'acta_projection_lag_seconds_sum')).to.equal(2);
  });

  it('uses a registry of its own per createMetrics()', async () => {
    const other = createMetrics({
      liveActors: () => 1,
      mailboxDepth: () => 0,
      outboxStats: async () => ({ pending: 0, oldestAgeMs: null }),
      projectorStats: () => ({ deadLettered: 0, partitions: [] }),
    });
    expect(other.registry).not.to.equal(metrics.registry);
    expect(await other.registry.metrics()).to.contain('acta_live_actors 1');
  });
});
