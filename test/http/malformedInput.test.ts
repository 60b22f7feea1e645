// Malformed paths and query strings: a path parameter that is not valid percent-encoding answers
// 400 malformed_path (it was a 500: the router's URIError carries status 400 and the error handler
// ignored it), any other 4xx an Express library raises keeps its status, and limit/offset/minVersion
// take plain decimal digits only ('' and '0x10' used to coerce to 0 and 16). Nothing is written.
import { expect } from 'chai';
import { clientProblemOf } from '../../src/http/errorHandler';
import { TestApp, post, startTestApp } from '../support/app';
import { RawResponse, rawRequest } from '../support/rawHttp';

const adminToken = 'test-admin-token-0123456789';

function expectProblem(result: RawResponse, status: number, code: string, what: string) {
  expect(result.status, `${what}: ${result.text}`).to.equal(status);
  expect(result.contentType, what).to.match(/^application\/problem\+json/);
  expect(result.json, what).to.include({ status, code });
}

describe('clientProblemOf: which library errors are the client’s', () => {
  const withFields = (error: Error, fields: Record<string, unknown>) => Object.assign(error, fields);

  it('maps the router’s URIError (status 400) to 400 malformed_path', () => {
    expect(clientProblemOf(withFields(new URIError("Failed to decode param '%ZZ'"), { status: 400 }))).to.include({ status: 400, code: 'malformed_path' });
  });

  it('maps body-parser error types to their problems', () => {
    const cases: Array<[string, number, number, string]> = [
      ['entity.parse.failed', 400, 400, 'malformed_json'],
      ['entity.too.large', 413, 413, 'payload_too_large'],
      ['charset.unsupported', 415, 415, 'unsupported_media_type'],
      ['encoding.unsupported', 415, 415, 'unsupported_media_type'],
      ['request.aborted', 400, 400, 'request_aborted'],
      ['request.size.invalid', 400, 400, 'request_size_invalid'],
    ];
    for (const [type, raised, status, code] of cases) {
      expect(clientProblemOf(withFields(new Error(type), { type, status: raised })), type).to.include({ status, code });
    }
  });

  it('keeps any other 4xx status (status or statusCode) with a code, and leaves 5xx, plain errors and non-errors to the 500 path', () => {
    expect(clientProblemOf(withFields(new Error('zlib'), { status: 400 }))).to.include({ status: 400, code: 'bad_request' });
    expect(clientProblemOf(withFields(new Error('x'), { statusCode: 405 }))).to.include({ status: 405, code: 'method_not_allowed' });
    expect(clientProblemOf(withFields(new Error('x'), { status: 431 }))).to.include({ status: 431, code: 'client_error' });
    expect(clientProblemOf(withFields(new Error('x'), { status: 499 }))).to.include({ status: 499 });
    for (const notClient of [
      withFields(new Error('x'), { status: 500 }),
      withFields(new Error('x'), { status: 399 }),
      withFields(new Error('x'), { status: '400' }),
      withFields(new Error('x'), { status: 400.5 }),
      withFields(new Error('stream'), { type: 'stream.not.readable', status: 500 }),
      new Error('plain'),
      new URIError('no status'),
      'a string',
      null,
      undefined,
    ]) {
      expect(clientProblemOf(notClient), String(notClient)).to.equal(null);
    }
  });
});

describe('malformed paths and query strings over HTTP (real Postgres)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let accountId: string;

  before(async () => {
    app = await startTestApp({ env: { ADMIN_TOKEN: adminToken, READ_WAIT_MS: '5000' } });
    accountId = `malformed-${process.pid}`;
    expect((await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-1', currency: 'USD' })).status).to.equal(201);
    const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 100, currency: 'USD', transactionId: `t-${process.pid}` });
    expect(deposit.status).to.equal(201);
    // Wait until the account is projected, so every read below is refused for its query alone.
    const read = await rawRequest(app.baseUrl, { method: 'GET', path: `/api/accounts/${accountId}?minVersion=2` });
    expect(read.status).to.equal(200);
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

  const escapes = ['%ZZ', '%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', 'ok%'];
  const json = { 'content-type': 'application/json' };

  it('answers 400 malformed_path on every route with a path parameter, and writes nothing', async () => {
    const before = await rows();
    let checked = 0;
    for (const bad of escapes) {
      const posts: Array<[string, unknown]> = [
        [`/api/accounts/${bad}/deposits`, { amount: 5, currency: 'USD', transactionId: 't-bad' }],
        [`/api/accounts/${bad}/withdrawals`, { amount: 5, currency: 'USD', transactionId: 't-bad' }],
        [`/api/accounts/${bad}/freeze`, { reason: 'x' }],
        [`/api/accounts/${bad}/unfreeze`, {}],
      ];
      for (const [path, body] of posts) {
        const result = await rawRequest(app.baseUrl, { method: 'POST', path, headers: { ...json, 'idempotency-key': `k-${checked}` }, body: JSON.stringify(body) });
        expectProblem(result, 400, 'malformed_path', `POST ${path}`);
        checked++;
      }
      for (const path of [`/api/accounts/${bad}`, `/api/accounts/${bad}/balance`, `/api/accounts/${bad}/history`, `/api/transfers/${bad}`]) {
        expectProblem(await rawRequest(app.baseUrl, { method: 'GET', path }), 400, 'malformed_path', `GET ${path}`);
        checked++;
      }
      for (const path of [`/api/admin/projections/accounts/${bad}/rebuild`, `/api/admin/actors/${bad}/passivate`, `/api/admin/projections/transfers/${bad}/rebuild`]) {
        const result = await rawRequest(app.baseUrl, { method: 'POST', path, headers: { authorization: `Bearer ${adminToken}` } });
        expectProblem(result, 400, 'malformed_path', `POST ${path}`);
        checked++;
      }
    }
    expect(checked).to.equal(escapes.length * 11);
    expect(await rows()).to.deep.equal(before);
  });

  it('accepts only plain decimal integers in range for limit, offset and minVersion (400 validation_failed otherwise)', async () => {
    const notPlain = ['', '0x10', '1e2', '%205', '5%20', '5.0', '+5', '-1', '0b1', '1_000', 'NaN', 'Infinity', '%EF%BC%95', '5,6', 'abc', '%00'];
    const outOfRange: Record<string, string[]> = {
      limit: ['0', '501', '99999999999999999'],
      offset: ['9007199254740992', '99999999999999999'],
      minVersion: ['9007199254740992', '99999999999999999'],
    };
    const refused: string[] = [];
    for (const name of ['limit', 'offset', 'minVersion']) {
      for (const value of [...notPlain, ...outOfRange[name]!]) refused.push(`/api/accounts/${accountId}/history?${name}=${value}`);
      refused.push(`/api/accounts/${accountId}/history?${name}=1&${name}=2`, `/api/accounts/${accountId}/history?${name}[]=1`, `/api/accounts/${accountId}/history?${name}`);
    }
    for (const value of ['', '0x10', '1e2', '-1', '1.5']) {
      refused.push(`/api/accounts/${accountId}?minVersion=${value}`, `/api/accounts/${accountId}/balance?minVersion=${value}`, `/api/transfers/t-1?minVersion=${value}`);
    }
    for (const path of refused) expectProblem(await rawRequest(app.baseUrl, { method: 'GET', path }), 400, 'validation_failed', path);

    // Digits only, leading zeros included, are what is accepted.
    const page = await rawRequest(app.baseUrl, { method: 'GET', path: `/api/accounts/${accountId}/history?limit=007&offset=0001&minVersion=02` });
    expect(page.status, page.text).to.equal(200);
    expect(page.json).to.include({ limit: 7, offset: 1 });
    const last = await rawRequest(app.baseUrl, { method: 'GET', path: `/api/accounts/${accountId}/history?limit=500&offset=9007199254740991&minVersion=0` });
    expect(last.status, last.text).to.equal(200);
  });
});
