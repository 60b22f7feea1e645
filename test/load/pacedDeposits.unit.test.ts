// The paced (open-loop) client of the projection-lag measurement: its schedule, and a real run
// against a local HTTP server that counts what arrives.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { runPacedDeposits } from '../../load/bench/pacedDeposits';
import { dueAtMs, requestsDue } from '../../load/bench/pacedSchedule';
import { ActaCannonRequest } from '../../load/cannon/cannonScenarios';

const template: ActaCannonRequest = {
  method: 'POST',
  path: '/api/health',
  acta: { kind: 'deposit', pathPrefix: '/api', accountIds: ['a-1', 'a-2'], amount: 7, currency: 'USD', runId: 'paced-test' },
};

describe('load/pacedSchedule', () => {
  it('spaces requests evenly from the start, not in bursts per second', () => {
    expect(requestsDue(0, 400, 4_000)).to.equal(1);
    expect(requestsDue(2.4, 400, 4_000)).to.equal(1);
    expect(requestsDue(2.5, 400, 4_000)).to.equal(2);
    expect(requestsDue(500, 400, 4_000)).to.equal(201);
    expect(dueAtMs(200, 400)).to.equal(500);
  });

  it('never makes more than the run holds due, nor any before the start', () => {
    expect(requestsDue(60_000, 400, 4_000)).to.equal(4_000);
    expect(requestsDue(-1, 400, 4_000)).to.equal(0);
  });
});

describe('load/pacedDeposits', () => {
  let server: http.Server;
  let baseUrl: string;
  const received: { path: string; key: string; body: { amount: number; transactionId: string } }[] = [];
  /** Answers 201, except the requests arriving at these places (1-based): 500. */
  let failArrivals = new Set<number>();

  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const key = String(request.headers['idempotency-key']);
        received.push({ path: request.url ?? '', key, body: JSON.parse(body) });
        response.statusCode = failArrivals.has(received.length) ? 500 : 201;
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  beforeEach(() => {
    received.length = 0;
    failArrivals = new Set();
  });

  after(() => new Promise((resolve) => server.close(resolve)));

  it('sends rate × duration deposits, each with its own Idempotency-Key and transactionId, over the accounts', async () => {
    const stats = await runPacedDeposits({ baseUrl, request: template, ratePerSec: 200, durationS: 0.5, inFlightMax: 8 });
    expect(stats.sent).to.equal(100);
    expect(stats.statusCodes).to.deep.equal({ '201': 100 });
    expect(stats.errorCodes).to.deep.equal({});
    expect(received).to.have.length(100);
    expect(new Set(received.map((request) => request.key)).size).to.equal(100);
    expect(new Set(received.map((request) => request.body.transactionId)).size).to.equal(100);
    expect(new Set(received.map((request) => request.path))).to.deep.equal(new Set(['/api/accounts/a-1/deposits', '/api/accounts/a-2/deposits']));
    expect(received.every((request) => request.body.amount === 7)).to.equal(true);
  });

  it('counts answers by status and requests that got none as errors', async () => {
    failArrivals = new Set([3, 4]);
    const stats = await runPacedDeposits({ baseUrl, request: template, ratePerSec: 100, durationS: 0.1, inFlightMax: 4 });
    expect(stats).to.deep.include({ sent: 10, statusCodes: { '201': 8, '500': 2 }, errorCodes: {} });

    const closed = await runPacedDeposits({ baseUrl: 'http://127.0.0.1:1/api', request: template, ratePerSec: 100, durationS: 0.05, inFlightMax: 4 });
    expect(closed).to.deep.include({ sent: 5, statusCodes: {}, errorCodes: { ECONNREFUSED: 5 } });
  });
});
