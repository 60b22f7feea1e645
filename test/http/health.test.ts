// Liveness, readiness and request ids: readiness turns 503 as soon as shutdown begins, while
// liveness (the process) stays 200; X-Request-Id is honoured and echoed.
import { expect } from 'chai';
import { TestApp, request, startTestApp } from '../support/app';

describe('health and request ids', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await startTestApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('is live and ready, with the database checked', async () => {
    const ready = await request(app.baseUrl, '/readyz', { method: 'GET' });
    expect(ready.status).to.equal(200);
    expect(ready.body).to.deep.include({ ready: true, checks: { database: 'up', accepting: 'up', readPipeline: 'up' } });
    expect((await request(app.baseUrl, '/livez', { method: 'GET' })).status).to.equal(200);
  });

  it('flips readiness to 503 when shutdown begins, and refuses new commands with 503 shutting_down', async () => {
    const draining = app.runtime.shutdown(5_000);
    const ready = await request(app.baseUrl, '/readyz', { method: 'GET' });
    expect(ready.status).to.equal(503);
    expect((ready.body.checks as Record<string, string>).accepting).to.equal('down');
    expect((await request(app.baseUrl, '/livez', { method: 'GET' })).status).to.equal(200);
    const refused = await request(app.baseUrl, '/api/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-shutdown' },
      body: JSON.stringify({ accountId: 'late', ownerId: 'o', currency: 'USD' }),
    });
    expect([refused.status, refused.body.code]).to.deep.equal([503, 'shutting_down']);
    await draining;
  });

  it('echoes a valid X-Request-Id and makes one when absent or invalid', async () => {
    const echoed = await fetch(`${app.baseUrl}/livez`, { headers: { 'x-request-id': 'req-123' } });
    expect(echoed.headers.get('x-request-id')).to.equal('req-123');
    const made = await fetch(`${app.baseUrl}/livez`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});
