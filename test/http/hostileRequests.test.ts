// Hostile input through the real app on real Postgres: several hundred requests generated from
// tables (malformed JSON, wrong types, unsafe and fractional amounts, exponent forms, huge strings,
// control characters, traversal and SQL-ish ids, unicode, wrong content types and encodings,
// missing and repeated headers, 2 MB bodies, history paging abuse, bad admin tokens, wrong methods,
// unknown routes, non-object and deeply nested bodies). Every one must be refused with a 4xx
// application/problem+json carrying a string code, never a 5xx, and write nothing: the rows of
// events, idempotency_records, transaction_records and outbox_events, and the outbox id sequence,
// are the same before and after. Then seed-compatible requests with `actor` (and nasty but valid
// strings) must still succeed on the same app, and the row counts must show their writes.
import { gzipSync } from 'node:zlib';
import type { OutgoingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import { limits } from '../../src/config/limits';
import { eventually } from '../support/eventually';
import { TestApp, get, post, startTestApp } from '../support/app';
import { RawResponse, rawRequest } from '../support/rawHttp';

const adminToken = 'test-admin-token-0123456789';

interface Hostile {
  name: string;
  method: string;
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** When the exact answer is part of the contract (else any 4xx problem). */
  status?: number;
  code?: string;
}

/** A JSON value the body is built from, or a raw token spliced in as it is (invalid JSON on purpose, or a number JSON.stringify cannot write). */
type Value = unknown | { raw: string };
const raw = (token: string) => ({ raw: token });
const isRaw = (value: Value): value is { raw: string } =>
  value !== null && typeof value === 'object' && Object.keys(value as object).length === 1 && typeof (value as { raw?: unknown }).raw === 'string';

/** JSON of `body`, with every raw value written out unquoted. */
function bodyText(body: Record<string, Value>): string {
  const tokens: string[] = [];
  const withPlaceholders = Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      if (!isRaw(value)) return [key, value];
      tokens.push(value.raw);
      return [key, `__raw_${tokens.length - 1}__`];
    }),
  );
  return JSON.stringify(withPlaceholders).replace(/"__raw_(\d+)__"/g, (_match, index: string) => tokens[Number(index)]!);
}

const repeat = (text: string, count: number) => text.repeat(count);
const twoMegabytes = 2 * 1024 * 1024;

// ---- the tables ----

/** Refused for any identifier field (accountId, transactionId, transferId, the transfer's account ids). */
const badIdentifiers: Value[] = [
  '', ' ', 'a b', repeat('a', limits.idLengthMax + 1), '../../etc/passwd', '..', '.hidden', '%2e%2e%2f', '..%2f..%2f',
  "1' OR '1'='1", "x'; DROP TABLE events; --", 'x;select pg_sleep(1)', 'acc\u0000', 'acc\n', 'acc\r\nX-Injected: 1',
  '\u202eacc', 'ácc', 'аcc', '🏦', '~transfer:t-1:credit', '~x', '<script>alert(1)</script>', '${jndi:ldap://x/a}', 'a/b', 'a\\b',
  raw('"a\\ud800"'), 42, 0, null, true, false, [], {}, ['acc-1'], { id: 'acc-1' },
];
/** Refused for free-text fields (reason) on top of their own length rules. */
const badFreeText: Value[] = [
  'nul\u0000inside', 'bell\u0007', 'esc\u001b[31mred', 'line\nbreak', 'del\u007f', 'c1\u0085', 'bidi\u202eevil', 'iso\u2066late',
  raw('"lone \\udc00 low"'), raw('"lone \\ud800 high"'), 42, true, [], {}, ['x'],
];
const badOwnerIds: Value[] = ['', '   ', repeat('o', limits.idLengthMax + 1), ...badFreeText];
const badReasons: Value[] = ['', '   ', repeat('r', limits.reasonLengthMax + 1), null, ...badFreeText];
const badActors: Value[] = [repeat('a', limits.actorLengthMax + 1), ...badFreeText];
const badCurrencies: Value[] = ['usd', 'Usd', 'US', 'USDD', 'US1', 'ÜSD', 'U$D', '', ' USD', 'USD ', 'U\u0000D', null, 840, true, ['USD'], { code: 'USD' }];
const badAmounts: Value[] = [
  0, -1, -0.5, 0.5, 1.5, 0.1, 99.99, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e300, -1e2, Number.MIN_VALUE,
  '10', '', '1e2', null, true, false, [], {}, [10], { value: 10 },
  raw('9007199254740993'), raw('12345678901234567890'), raw('1e16'), raw('1E400'), raw('-1E400'), raw('1e-7'), raw('2.5e0'),
  raw('-0'), raw('-0.0'), raw('NaN'), raw('Infinity'), raw('-Infinity'), raw('0x10'), raw('+1'), raw('01'), raw('.5'), raw('1.'), raw('1_000'),
  raw(`[${repeat('[', 2000)}${repeat(']', 2000)}]`),
];

interface CommandRoute {
  name: string;
  path: () => string;
  /** A valid body: every case below breaks exactly one thing in it. */
  valid: () => Record<string, Value>;
  fields: Record<string, Value[]>;
  required: string[];
}

describe('hostile requests (real Postgres, in-process app)', function () {
  this.timeout(180_000);
  let app: TestApp;
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;
  let source: string;
  let destination: string;

  async function counts(): Promise<Record<string, string | number>> {
    const result = await app.pool!.query(
      `select (select count(*) from events)::int as events,
              (select count(*) from idempotency_records)::int as idempotency_records,
              (select count(*) from transaction_records)::int as transaction_records,
              (select count(*) from outbox_events)::int as outbox_events,
              (select last_value::text || ':' || is_called::text from outbox_events_id_seq) as outbox_sequence`,
    );
    return result.rows[0] as Record<string, string | number>;
  }

  before(async () => {
    app = await startTestApp({ env: { ADMIN_TOKEN: adminToken, READ_WAIT_MS: '10000' } });
    source = fresh('hostile-src');
    destination = fresh('hostile-dst');
    for (const accountId of [source, destination]) {
      const opened = await post(app.baseUrl, '/api/accounts', { accountId, ownerId: 'owner-h', currency: 'USD', actor: 'load-test' });
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    }
    const deposit = await post(app.baseUrl, `/api/accounts/${source}/deposits`, { amount: 1_000, currency: 'USD', transactionId: fresh('seed-t') });
    expect(deposit.status).to.equal(201);
    // The relay deletes outbox rows as it publishes them: wait until it is idle so the counts below
    // change only by what the hostile requests write (the id sequence catches rows written and gone).
    await eventually('the outbox drained', async () => (await counts()).outbox_events, { until: (rows) => rows === 0, timeoutMs: 20_000 });
  });
  after(async () => {
    await app?.close();
  });

  function commandRoutes(): CommandRoute[] {
    const money = (kind: 'deposits' | 'withdrawals'): CommandRoute => ({
      name: kind,
      path: () => `/api/accounts/${source}/${kind}`,
      valid: () => ({ amount: 10, currency: 'USD', transactionId: fresh('h-t'), actor: 'load-test' }),
      fields: { amount: badAmounts, currency: badCurrencies, transactionId: badIdentifiers, actor: badActors },
      required: ['amount', 'currency', 'transactionId'],
    });
    return [
      {
        name: 'open',
        path: () => '/api/accounts',
        valid: () => ({ accountId: fresh('h-open'), ownerId: 'owner-h', currency: 'USD', actor: 'load-test' }),
        fields: { accountId: badIdentifiers, ownerId: badOwnerIds, currency: badCurrencies, actor: badActors },
        required: ['accountId', 'ownerId', 'currency'],
      },
      money('deposits'),
      money('withdrawals'),
      {
        name: 'freeze',
        path: () => `/api/accounts/${source}/freeze`,
        valid: () => ({ reason: 'compliance review', actor: 'load-test' }),
        fields: { reason: badReasons, actor: badActors },
        required: ['reason'],
      },
      {
        name: 'unfreeze',
        path: () => `/api/accounts/${source}/unfreeze`,
        valid: () => ({ actor: 'load-test' }),
        fields: { actor: badActors },
        required: [],
      },
      {
        name: 'transfer',
        path: () => '/api/transfers',
        valid: () => ({ transferId: fresh('h-trf'), sourceAccountId: source, destinationAccountId: destination, amount: 10, currency: 'USD' }),
        fields: { transferId: badIdentifiers, sourceAccountId: badIdentifiers, destinationAccountId: badIdentifiers, amount: badAmounts, currency: badCurrencies },
        required: ['transferId', 'sourceAccountId', 'destinationAccountId', 'amount', 'currency'],
      },
    ];
  }

  const jsonHeaders = (extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders => ({ 'content-type': 'application/json', 'idempotency-key': fresh('h-key'), ...extra });
  const postCase = (name: string, path: string, body: string | Buffer, extra: Partial<Hostile> = {}): Hostile => ({ name, method: 'POST', path, headers: jsonHeaders(), body, ...extra });

  function bodyCases(): Hostile[] {
    const cases: Hostile[] = [];
    for (const route of commandRoutes()) {
      for (const [field, values] of Object.entries(route.fields)) {
        values.forEach((value, index) => {
          cases.push(postCase(`${route.name}: ${field} #${index} ${JSON.stringify(value).slice(0, 40)}`, route.path(), bodyText({ ...route.valid(), [field]: value }), { status: 400 }));
        });
      }
      for (const field of route.required) {
        const body = route.valid();
        delete body[field];
        cases.push(postCase(`${route.name}: without ${field}`, route.path(), bodyText(body), { status: 400, code: 'validation_failed' }));
      }
      const extras: Array<[string, string]> = [
        ['unknown field', bodyText({ ...route.valid(), note: 'x' })],
        ['__proto__ field', bodyText({ ...route.valid(), ['__proto__']: raw('{"admin":true}') })],
        ['constructor field', bodyText({ ...route.valid(), constructor: raw('{"prototype":{}}') })],
        ['duplicate key, the last one invalid', bodyText(route.valid()).replace(/}$/, ',"currency":"usd"}')],
        ['array of a valid body', `[${bodyText(route.valid())}]`],
        ['empty array', '[]'],
        ['deeply nested arrays', `${repeat('[', 6_000)}${repeat(']', 6_000)}`],
        ['deeply nested objects', `${repeat('{"a":', 2_500)}1${repeat('}', 2_500)}`],
        ['a valid body nested in a field', bodyText({ ...route.valid(), nested: raw(bodyText(route.valid())) })],
      ];
      if (route.name === 'transfer') extras.push(['actor on a transfer (the seed has none)', bodyText({ ...route.valid(), actor: 'load-test' })]);
      if (route.name === 'transfer') extras.push(['the same account on both sides', bodyText({ ...route.valid(), destinationAccountId: source })]);
      for (const [name, body] of extras) cases.push(postCase(`${route.name}: ${name}`, route.path(), body, { status: 400, code: 'validation_failed' }));
      const malformed = ['{', '{"amount":', "{'amount':1}", '{"a":1,}', '{"amount":10}garbage', 'NaN', '\u0000', 'null', 'true', '1', '"a string"', '{"a":"\\x41"}', '{"a":"\\u12"}', '\ufeff\ufeff{}'];
      for (const body of malformed) cases.push(postCase(`${route.name}: malformed JSON ${JSON.stringify(body)}`, route.path(), body, { status: 400, code: 'malformed_json' }));
      // Invalid UTF-8 decodes to U+FFFD, which no identifier or amount accepts.
      if (route.name !== 'freeze' && route.name !== 'unfreeze') {
        const firstField = Object.keys(route.fields)[0]!;
        const text = bodyText({ ...route.valid(), [firstField]: '__bytes__' });
        const [before, after] = text.split('"__bytes__"') as [string, string];
        const invalidUtf8 = Buffer.concat([Buffer.from(`${before}"`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from(`"${after}`)]);
        cases.push(postCase(`${route.name}: invalid UTF-8 in ${firstField}`, route.path(), invalidUtf8, { status: 400 }));
      }
      if (route.name !== 'unfreeze') cases.push(postCase(`${route.name}: empty body`, route.path(), '', { status: 400, code: 'validation_failed' }));
    }
    return cases;
  }

  function headerCases(): Hostile[] {
    const deposit = () => `/api/accounts/${source}/deposits`;
    const body = () => bodyText({ amount: 10, currency: 'USD', transactionId: fresh('h-t') });
    const cases: Hostile[] = [];
    const contentTypes: Array<[string | undefined, number, string]> = [
      ['text/plain', 415, 'unsupported_media_type'],
      ['application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
      ['multipart/form-data; boundary=x', 415, 'unsupported_media_type'],
      ['application/xml', 415, 'unsupported_media_type'],
      ['application/problem+json', 415, 'unsupported_media_type'],
      ['application/jsonx', 415, 'unsupported_media_type'],
      ['json', 415, 'unsupported_media_type'],
      ['*/*', 415, 'unsupported_media_type'],
      ['', 415, 'unsupported_media_type'],
      [undefined, 415, 'unsupported_media_type'],
      // utf-16 is a charset the JSON parser takes: the UTF-8 bytes then decode to garbage.
      ['application/json; charset=utf-16', 400, 'malformed_json'],
      ['application/json; charset=latin1', 415, 'unsupported_media_type'],
      ['application/json; charset=klingon', 415, 'unsupported_media_type'],
    ];
    for (const [type, status, code] of contentTypes) {
      const headers: OutgoingHttpHeaders = { 'idempotency-key': fresh('h-key') };
      if (type !== undefined) headers['content-type'] = type;
      cases.push({ name: `content-type ${JSON.stringify(type)}`, method: 'POST', path: deposit(), headers, body: body(), status, code });
    }
    const encodings: Array<[string, Buffer, number]> = [
      ['gzip', Buffer.from('not gzip at all'), 400],
      ['deflate', Buffer.from('not deflate'), 400],
      ['compress', Buffer.from(body()), 415],
      ['x-unknown', Buffer.from(body()), 415],
      ['gzip', gzipSync(Buffer.from(`{"amount":10,"currency":"USD","transactionId":"${repeat('a', twoMegabytes)}"}`)), 413],
      ['gzip', gzipSync(Buffer.from(bodyText({ amount: raw('1.5'), currency: 'USD', transactionId: 'h-gz' }))), 400],
    ];
    for (const [encoding, payload, status] of encodings) {
      cases.push({ name: `content-encoding ${encoding} (${payload.length} bytes)`, method: 'POST', path: deposit(), headers: jsonHeaders({ 'content-encoding': encoding }), body: payload, status });
    }
    const keys: Array<[string, OutgoingHttpHeaders, number, string]> = [
      ['no Idempotency-Key', { 'content-type': 'application/json' }, 400, 'idempotency_key_missing'],
      ['two different Idempotency-Key headers', { 'content-type': 'application/json', 'idempotency-key': ['k-one', 'k-two'] }, 400, 'validation_failed'],
      ['two equal Idempotency-Key headers', { 'content-type': 'application/json', 'idempotency-key': ['k-same', 'k-same'] }, 400, 'validation_failed'],
      ['empty Idempotency-Key', { 'content-type': 'application/json', 'idempotency-key': '' }, 400, 'validation_failed'],
      ['Idempotency-Key with a space', { 'content-type': 'application/json', 'idempotency-key': 'a b' }, 400, 'validation_failed'],
      ['Idempotency-Key too long', { 'content-type': 'application/json', 'idempotency-key': repeat('k', limits.idempotencyKeyLengthMax + 1) }, 400, 'validation_failed'],
      ['Idempotency-Key in Latin-1', { 'content-type': 'application/json', 'idempotency-key': 'cl\u00e9' }, 400, 'validation_failed'],
      ['Idempotency-Key of 8 KB', { 'content-type': 'application/json', 'idempotency-key': repeat('k', 8_000) }, 400, 'validation_failed'],
      ['hostile X-Request-Id and no key', { 'content-type': 'application/json', 'x-request-id': '../../x<script>' }, 400, 'idempotency_key_missing'],
      ['two content types, the first not JSON', { 'content-type': ['text/plain', 'application/json'], 'idempotency-key': 'k-ct' }, 415, 'unsupported_media_type'],
    ];
    for (const [name, headers, status, code] of keys) cases.push({ name, method: 'POST', path: deposit(), headers, body: body(), status, code });
    for (const path of ['/api/accounts', '/api/transfers', `/api/accounts/${source}/freeze`, `/api/accounts/${source}/unfreeze`, `/api/accounts/${source}/withdrawals`]) {
      cases.push({ name: `no Idempotency-Key on ${path}`, method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{}', status: 400, code: 'idempotency_key_missing' });
    }
    const chunkedHeaders = { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', 'idempotency-key': fresh('h-key') };
    cases.push({ name: 'chunked text/plain', method: 'POST', path: deposit(), headers: chunkedHeaders, body: body(), status: 415 });
    return cases;
  }

  function hugeBodyCases(): Hostile[] {
    const big = (fill: string) => `{"amount":10,"currency":"USD","transactionId":"${repeat(fill, twoMegabytes)}"}`;
    return [
      postCase('2 MB transactionId', `/api/accounts/${source}/deposits`, big('a'), { status: 413, code: 'payload_too_large' }),
      postCase('2 MB reason', `/api/accounts/${source}/freeze`, `{"reason":"${repeat('r', twoMegabytes)}"}`, { status: 413, code: 'payload_too_large' }),
      postCase('2 MB actor', '/api/accounts', `{"accountId":"h-big","ownerId":"o","currency":"USD","actor":"${repeat('a', twoMegabytes)}"}`, { status: 413, code: 'payload_too_large' }),
      postCase('2 MB of [', `/api/accounts/${source}/deposits`, repeat('[', twoMegabytes), { status: 413, code: 'payload_too_large' }),
      postCase('2 MB transfer', '/api/transfers', `{"transferId":"${repeat('t', twoMegabytes)}"}`, { status: 413, code: 'payload_too_large' }),
      postCase(
        'just over the body limit',
        `/api/accounts/${source}/deposits`,
        `{"amount":10,"currency":"USD","transactionId":"${repeat('a', limits.requestBodyBytesMax)}"}`,
        { status: 413, code: 'payload_too_large' },
      ),
      {
        name: '2 MB text/plain',
        method: 'POST',
        path: `/api/accounts/${source}/deposits`,
        headers: { 'content-type': 'text/plain', 'idempotency-key': fresh('h-key') },
        body: repeat('x', twoMegabytes),
        status: 415,
      },
      { name: '2 MB JSON on a GET', method: 'GET', path: `/api/accounts/${source}`, headers: { 'content-type': 'application/json' }, body: big('g'), status: 413 },
    ];
  }

  function pathCases(): Hostile[] {
    const ids = [
      '%2e%2e%2f', '..%2f..%2fetc%2fpasswd', '..', '.', '%00', '%0A', '%0D%0AX-Injected:%201', 'a%20b', '1%27%20OR%20%271%27%3D%271',
      'x%27%3B%20DROP%20TABLE%20events%3B--', '%3Cscript%3E', '%F0%9F%8F%A6', '%C3%A1cc', '~derived', '%7Ederived', repeat('a', limits.idLengthMax + 1), repeat('a', 4_000),
      '%ZZ', '%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%25', '%2F',
    ];
    const cases: Hostile[] = [];
    for (const id of ids) {
      for (const suffix of ['', '/balance', '/history']) cases.push({ name: `GET account ${id.slice(0, 30)}${suffix}`, method: 'GET', path: `/api/accounts/${id}${suffix}`, status: 400 });
      cases.push({ name: `GET transfer ${id.slice(0, 30)}`, method: 'GET', path: `/api/transfers/${id}`, status: 400 });
      cases.push(postCase(`deposit into ${id.slice(0, 30)}`, `/api/accounts/${id}/deposits`, bodyText({ amount: 10, currency: 'USD', transactionId: fresh('h-t') }), { status: 400 }));
      cases.push(postCase(`freeze ${id.slice(0, 30)}`, `/api/accounts/${id}/freeze`, bodyText({ reason: 'x', actor: 'load-test' }), { status: 400 }));
    }
    // Traversal never reaches another route: the router matches the path as sent.
    cases.push({ name: 'traversal to admin', method: 'GET', path: `/api/accounts/${source}/../../admin/actors`, status: 404, code: 'route_not_found' });
    cases.push(postCase('traversal from a deposit to rebuild-all', `/api/accounts/${source}/deposits/../../../admin/projections/accounts/rebuild-all`, '{}', { status: 404, code: 'route_not_found' }));
    cases.push({ name: 'encoded slash in a segment', method: 'GET', path: `/api/accounts%2F${source}/balance`, status: 404, code: 'route_not_found' });
    return cases;
  }

  function historyCases(): Hostile[] {
    const history = `/api/accounts/${source}/history`;
    const values = [
      '', '0', '-1', '501', '1e2', '0x10', '%205', '5%20', '5.0', '+5', '-0', '99999999999999999999', '9007199254740992', 'NaN', 'null',
      '%5B%5D', '1%3BDROP%20TABLE%20events', '%EF%BC%95', '5,6',
    ];
    const cases: Hostile[] = [];
    for (const name of ['limit', 'offset', 'minVersion']) {
      for (const value of values) {
        // 0 is a valid offset and minVersion, and 501 a valid offset and minVersion.
        if ((value === '0' || value === '501') && name !== 'limit') continue;
        cases.push({ name: `history ${name}=${value}`, method: 'GET', path: `${history}?${name}=${value}`, status: 400, code: 'validation_failed' });
      }
      cases.push({ name: `history ${name} twice`, method: 'GET', path: `${history}?${name}=1&${name}=2`, status: 400, code: 'validation_failed' });
      cases.push({ name: `history ${name}[]`, method: 'GET', path: `${history}?${name}[]=1`, status: 400, code: 'validation_failed' });
      cases.push({ name: `history ${name}[x]`, method: 'GET', path: `${history}?${name}[x]=1`, status: 400, code: 'validation_failed' });
    }
    for (const query of ['page=2', '__proto__=1', 'constructor=1', 'limit=5&sort=desc', `${repeat('x', 4_000)}=1`]) {
      cases.push({ name: `history ${query.slice(0, 30)}`, method: 'GET', path: `${history}?${query}`, status: 400, code: 'validation_failed' });
    }
    for (const path of [`/api/accounts/${source}?limit=5`, `/api/accounts/${source}/balance?offset=0`, `/api/transfers/t-1?limit=1`]) {
      cases.push({ name: `unknown query on ${path}`, method: 'GET', path, status: 400, code: 'validation_failed' });
    }
    return cases;
  }

  function adminCases(): Hostile[] {
    const targets: Array<[string, string]> = [
      ['GET', '/api/admin/actors'],
      ['GET', '/api/admin/audit'],
      ['POST', '/api/admin/projections/accounts/rebuild-all'],
      ['POST', `/api/admin/projections/accounts/${source}/rebuild`],
      ['POST', `/api/admin/actors/${source}/passivate`],
      ['POST', '/api/admin/projectors/accounts/restart'],
      ['GET', '/api/admin/nope'],
    ];
    const authorizations: Array<string | string[] | undefined> = [
      undefined, '', 'Bearer', 'Bearer ', 'Bearer wrong-token-wrong-token', `Bearer ${adminToken}x`, `Bearer ${adminToken.slice(0, -1)}`,
      `Basic ${Buffer.from(`admin:${adminToken}`).toString('base64')}`, `Token ${adminToken}`, adminToken, `Bearer ${repeat('t', 8_000)}`,
      ['Bearer wrong-token-wrong-token', `Bearer ${adminToken}`],
    ];
    const cases: Hostile[] = [];
    for (const [method, path] of targets) {
      for (const authorization of authorizations) {
        // Node's types allow one Authorization value; at run time an array sends one line per value.
        const headers: Record<string, string | string[]> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        cases.push({ name: `${method} ${path} with ${JSON.stringify(authorization)?.slice(0, 40)}`, method, path, headers, status: 401, code: 'unauthorized' });
      }
    }
    return cases;
  }

  function routeCases(): Hostile[] {
    const cases: Hostile[] = [];
    const paths = [
      '/api/accounts', `/api/accounts/${source}`, `/api/accounts/${source}/deposits`, `/api/accounts/${source}/balance`,
      `/api/accounts/${source}/history`, '/api/transfers', '/api/transfers/t-1',
    ];
    for (const path of paths) {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        cases.push({ name: `${method} ${path}`, method, path, headers: jsonHeaders(), body: '{}', status: 404, code: 'route_not_found' });
      }
    }
    for (const path of [`/api/accounts/${source}/deposits`, `/api/accounts/${source}/freeze`, '/api/accounts', '/api/transfers']) {
      if (path === '/api/accounts' || path === '/api/transfers') continue;
      cases.push({ name: `GET ${path}`, method: 'GET', path, status: 404, code: 'route_not_found' });
      cases.push({ name: `HEAD ${path}`, method: 'HEAD', path, status: 404 });
    }
    cases.push({ name: 'GET /api/accounts (no list route)', method: 'GET', path: '/api/accounts', status: 404, code: 'route_not_found' });
    for (const path of [`/api/accounts/${source}/balance`, `/api/accounts/${source}/history`]) {
      cases.push(postCase(`POST ${path}`, path, bodyText({ amount: 10, currency: 'USD', transactionId: fresh('h-t') }), { status: 404, code: 'route_not_found' }));
    }
    const unknownPaths = [
      '/api', '/api/', '/api/nope', `/api/accounts/${source}/nope`, `/api/accounts/${source}/deposits/x`, '/nope', '/api//accounts', '/.env',
      '/api/../../etc/passwd', '/metrics/../api/admin/actors', `/${repeat('x', 4_000)}`,
    ];
    for (const path of unknownPaths) {
      cases.push({ name: `unknown route ${path.slice(0, 40)}`, method: 'GET', path, status: 404, code: 'route_not_found' });
      cases.push(postCase(`unknown route POST ${path.slice(0, 40)}`, path, '{}', { status: 404, code: 'route_not_found' }));
    }
    return cases;
  }

  /** What is wrong with one answer, or null when it is a proper refusal. */
  function verdict(hostile: Hostile, result: RawResponse): string | null {
    if (result.status >= 500) return `answered ${result.status}: ${result.text.slice(0, 300)}`;
    if (result.status < 400) return `was accepted (${result.status}): ${result.text.slice(0, 300)}`;
    if (!/^application\/problem\+json/.test(result.contentType)) return `content-type ${result.contentType}`;
    if (hostile.status !== undefined && result.status !== hostile.status) return `answered ${result.status}, expected ${hostile.status}: ${result.text.slice(0, 300)}`;
    if (hostile.method === 'HEAD') return null;
    if (typeof result.json?.code !== 'string') return `no string code: ${result.text.slice(0, 300)}`;
    if (result.json.status !== result.status) return `problem status ${String(result.json.status)} on a ${result.status}`;
    if (hostile.code !== undefined && result.json.code !== hostile.code) return `code ${result.json.code}, expected ${hostile.code}`;
    return null;
  }

  it('refuses every hostile request with a 4xx problem+json carrying a code, never a 5xx, and writes nothing', async () => {
    const cases = [...bodyCases(), ...headerCases(), ...hugeBodyCases(), ...pathCases(), ...historyCases(), ...adminCases(), ...routeCases()];
    expect(cases.length).to.be.at.least(300);
    const before = await counts();
    const crashesBefore = app.runtime.system.stats().crashes;
    const failures: string[] = [];
    let sent = 0;
    for (const hostile of cases) {
      const result = await rawRequest(app.baseUrl, { method: hostile.method, path: hostile.path, headers: hostile.headers, body: hostile.body });
      sent++;
      const wrong = verdict(hostile, result);
      if (wrong) failures.push(`${hostile.name} (${hostile.method} ${hostile.path.slice(0, 80)}): ${wrong}`);
    }
    console.log(`      hostile requests sent: ${sent}`);
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(await counts(), 'rows of events, idempotency_records, transaction_records, outbox_events and the outbox id sequence').to.deep.equal(before);
    expect(app.runtime.system.stats().crashes, 'no account actor crashed').to.equal(crashesBefore);
    const health = await get(app.baseUrl, '/api/health');
    expect(health.status).to.equal(200);
  });

  it('still serves seed-compatible requests with actor, and stores nasty but valid strings verbatim', async () => {
    const before = await counts();
    const accountId = fresh('load-acc');
    const ownerId = "o'; DROP TABLE events; --";
    const created = await post(app.baseUrl, '/api/accounts', { accountId, ownerId, currency: 'NGN', actor: 'load-test' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const details = await get(app.baseUrl, `/api/accounts/${accountId}`);
    expect(details.status, JSON.stringify(details.body)).to.equal(200);
    expect(details.body).to.include({ accountId, ownerId });
    expect((await get(app.baseUrl, `/api/accounts/${accountId}/balance`)).status).to.equal(200);
    const deposit = await post(app.baseUrl, `/api/accounts/${accountId}/deposits`, { amount: 25_000, currency: 'NGN', transactionId: crypto.randomUUID(), actor: 'load-test' });
    expect(deposit.status, JSON.stringify(deposit.body)).to.equal(201);
    const withdrawal = await post(app.baseUrl, `/api/accounts/${accountId}/withdrawals`, { amount: 1_500, currency: 'NGN', transactionId: crypto.randomUUID(), actor: 'Zoë 🏦 <teller> \'1\'=\'1\'' });
    expect(withdrawal.status, JSON.stringify(withdrawal.body)).to.equal(201);
    const history = await get(app.baseUrl, `/api/accounts/${accountId}/history?limit=20&offset=0&minVersion=3`);
    expect(history.status).to.equal(200);
    expect((history.body.entries as Array<{ actor?: string }>).map((entry) => entry.actor)).to.deep.equal(['load-test', 'load-test', "Zoë 🏦 <teller> '1'='1'"]);
    const after = await counts();
    // The same counts see these writes: three events, three keys, two movements.
    expect(Number(after.events) - Number(before.events)).to.equal(3);
    expect(Number(after.idempotency_records) - Number(before.idempotency_records)).to.equal(3);
    expect(Number(after.transaction_records) - Number(before.transaction_records)).to.equal(2);
    expect(after.outbox_sequence).to.not.equal(before.outbox_sequence);
  });
});
