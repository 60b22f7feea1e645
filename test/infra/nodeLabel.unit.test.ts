// NODE_ID on the operating surfaces: label `node` on every Prometheus sample, nodeId in the console.
import { expect } from 'chai';
import { createMetrics, MetricsSources } from '../../src/infra/metrics';
import { startTestApp, TestApp } from '../support/app';

const sources: MetricsSources = {
  liveActors: () => 2,
  mailboxDepth: () => 1,
  outboxStats: async () => ({ pending: 3, oldestAgeMs: 1000 }),
  projectorStats: () => ({ deadLettered: 0, partitions: [{ topic: 'acta.account', partition: 1, lag: 4 }] }),
  transferActors: () => 0,
};

/** Every sample line of a Prometheus text exposition (comments and blank lines dropped). */
const samples = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('infra: NODE_ID as the metrics label node and in the console', () => {
  it('labels every sample node="<NODE_ID>", next to its own labels, default process metrics included', async () => {
    const metrics = createMetrics(sources, { defaultMetrics: true, nodeId: 'node-7' });
    metrics.commandOutcomes.inc({ type: 'deposit', outcome: 'accepted', code: '' });
    metrics.httpRequestDuration.observe({ method: 'GET', route: '/x', status: '200' }, 0.01);
    const lines = samples(await metrics.registry.metrics());
    expect(lines.length).to.be.greaterThan(50);
    for (const line of lines) expect(line, line).to.match(/\{(.*,)?node="node-7"(,.*)?\} /);
    expect(lines).to.include('acta_consumer_lag{topic="acta.account",partition="1",node="node-7"} 4');
    expect(lines).to.include('acta_live_actors{node="node-7"} 2');
    expect(lines.some((line) => line.startsWith('process_cpu_user_seconds_total{node="node-7"} '))).to.equal(true);
  });

  it('has no node label without a node id (single registry uses, tests)', async () => {
    const metrics = createMetrics(sources);
    const text = await metrics.registry.metrics();
    expect(text).to.contain('acta_live_actors 2');
    expect(text).not.to.contain('node=');
  });

  describe('the runtime', () => {
    const adminToken = 'node-label-test-token-0123456789';
    let app: TestApp;
    before(async () => {
      app = await startTestApp({ memory: true, env: { NODE_ID: 'node-42', ADMIN_TOKEN: adminToken } });
    });
    after(async () => {
      await app.close();
    });

    it('serves /metrics with node="<NODE_ID>" on every line', async () => {
      const response = await fetch(`${app.baseUrl}/metrics`);
      expect(response.status).to.equal(200);
      const lines = samples(await response.text());
      expect(lines.length).to.be.greaterThan(50);
      for (const line of lines) expect(line, line).to.contain('node="node-42"');
    });

    it('shows nodeId in the console system stats', async () => {
      const response = await fetch(`${app.baseUrl}/api/admin/actors`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(response.status).to.equal(200);
      const body = (await response.json()) as { system: { nodeId: string } };
      expect(body.system.nodeId).to.equal('node-42');
      expect(app.runtime.config.nodeId).to.equal('node-42');
    });
  });
});
