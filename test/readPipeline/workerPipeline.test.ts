// The read pipeline on its own worker thread: the real one against Postgres (through the HTTP
// runtime, since read-your-writes and the lag histogram are what it feeds), and its supervision
// (failed start, a worker that dies and is started again) with a stand-in worker.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/infra/logger';
import { WorkerPipeline } from '../../src/runtime/readPipeline/workerPipeline';
import { PipelineWorkerData } from '../../src/runtime/readPipeline/workerProtocol';
import { TestApp, get, post, request, startTestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { withoutNodeLabel } from '../support/metricsText';

const fixture = path.join(__dirname, '..', 'fixtures', 'pipelineWorker.fixture.cjs');
const noEvents = { applied: () => {}, lag: () => {} };
const fixtureData = (extra: Record<string, string>) => extra as unknown as PipelineWorkerData;

async function depositAndRead(app: TestApp, accountId: string) {
  const opened = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-wp', currency: 'USD' });
  expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
  const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 1234, currency: 'USD', transactionId: `tx-${accountId}` });
  expect(deposit.status, JSON.stringify(deposit.body)).to.equal(201);
  return get(app.baseUrl, `/api/accounts/${accountId}/balance?minVersion=${deposit.body.version}`);
}

describe('read pipeline on a worker thread (Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('projects from its own thread and pool: read-your-writes sees the deposit, the lag histogram counts it, the console reports the worker', async () => {
    app = await startTestApp({ env: { ADMIN_TOKEN: 'worker-pipeline-test-token' } });
    const read = await depositAndRead(app, `wp-${process.pid}`);
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(read.body).to.include({ balance: 1234 });

    const stats = app.runtime.pipeline.stats();
    expect(stats).to.include({ thread: 'worker', running: true });
    expect(stats.projectors.map((projector) => projector.name)).to.deep.equal(['accounts', 'transfers']);
    const sessions = await app.pool!.query<{ count: string }>(
      `select count(*) from pg_stat_activity where datname = current_database() and application_name = 'acta-read-pipeline'`,
    );
    expect(Number(sessions.rows[0]!.count), 'the worker has its own pool').to.be.greaterThan(0);

    const metrics = await fetch(`${app.baseUrl}/metrics`).then((response) => response.text());
    const count = Number(/^acta_projection_lag_seconds_count (\d+)/m.exec(withoutNodeLabel(metrics))?.[1]);
    // One observation per stream per projector batch: the open and the deposit may share a batch.
    expect(count, 'lag observed on the worker reaches the HTTP thread').to.be.at.least(1);
    const consoleJson = await request(app.baseUrl, '/api/admin/actors', { method: 'GET', headers: { authorization: 'Bearer worker-pipeline-test-token' } });
    expect((consoleJson.body.system as Record<string, unknown>).readPipeline).to.deep.equal({ thread: 'worker', running: true });

    await app.runtime.shutdown(5_000);
    expect(app.runtime.pipeline.stats().running).to.equal(false);
  });

  it('READ_PIPELINE_THREAD=main runs the same pipeline on the HTTP thread', async () => {
    app = await startTestApp({ env: { READ_PIPELINE_THREAD: 'main' } });
    const read = await depositAndRead(app, `mp-${process.pid}`);
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(app.runtime.pipeline.stats()).to.include({ thread: 'main', running: true });
  });
});

describe('read pipeline worker supervision', function () {
  this.timeout(20_000);
  const logger = createLogger('silent');
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'acta-pipeline-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('rejects the start with the worker\'s own reason when it cannot start', async () => {
    const started = WorkerPipeline.start({ data: fixtureData({ mode: 'startFailed' }), events: noEvents, logger, filename: fixture });
    await expectRejection(started, /read pipeline worker failed to start: no database here/);
  });

  it('rejects the start when the worker exits before it is ready', async () => {
    const started = WorkerPipeline.start({ data: fixtureData({ mode: 'unknown' }), events: noEvents, logger, filename: fixture });
    await expectRejection(started, /exited with code 2 before it started/);
  });

  it('a worker that dies fails its pending request, reports not running, and is started again', async () => {
    const pipeline = await WorkerPipeline.start({ data: fixtureData({ mode: 'crashOnce', marker: path.join(folder, 'marker') }), events: noEvents, logger, filename: fixture });
    try {
      expect(pipeline.stats().running).to.equal(true);
      await expectRejection(pipeline.restartProjector('accounts'), /worker exited \(code 3\)/);
      expect(pipeline.stats().running).to.equal(false);
      expect(await pipeline.busHealthy(), 'no worker, no healthy bus').to.equal(false);
      await eventually('the restarted worker pipeline running', async () => pipeline.stats().running, { until: (running) => running, timeoutMs: 10_000, intervalMs: 20 });
      expect(pipeline.restartCount()).to.equal(1);
      expect(await pipeline.restartProjector('accounts')).to.equal(true);
    } finally {
      await pipeline.stop();
    }
    expect(pipeline.stats().running).to.equal(false);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}
