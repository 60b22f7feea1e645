// The OpenAPI document and its router: a 3.1 document covering every real route (checked against a
// hard-coded list AND against the routers' own route tables), every $ref resolving, request bodies
// equal to z.toJSONSchema of the gateway's schemas (single source), query bounds matching what the
// gateway really accepts, and /api/openapi.json + a self-contained /docs page served.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { expect } from 'chai';
import express, { type Express, type Router } from 'express';
import { z } from 'zod';
import { limits } from '../../src/config/limits';
import { createLogger } from '../../src/infra/logger';
import { CommandPort } from '../../src/app/commandBus';
import { ProjectionVersions } from '../../src/app/projectionVersions';
import { AdminAudit } from '../../src/ports/adminAudit';
import { AccountReadModel } from '../../src/ports/readModel';
import { accountCommandRoutes } from '../../src/http/accountCommandRoutes';
import { accountQueryRoutes } from '../../src/http/accountQueryRoutes';
import { transferCommandRoutes } from '../../src/http/transferCommandRoutes';
import { transferQueryRoutes } from '../../src/http/transferQueryRoutes';
import { AdminPort, adminRoutes } from '../../src/http/adminRoutes';
import { createApp } from '../../src/http/createApp';
import { errorHandler } from '../../src/http/errorHandler';
import { healthRoutes } from '../../src/http/healthRoutes';
import { buildOpenApiDocument, docsHtml, openApiRouter } from '../../src/http/openapi';
import { freezeBody, moneyBody, openAccountBody, transferBody, unfreezeBody } from '../../src/http/schemas';

type Json = Record<string, any>;

const logger = createLogger('silent');
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Every route Acta serves. Add a route here when you add it to a router — and document it. */
const documentedRoutes = [
  'POST /api/accounts',
  'POST /api/accounts/{accountId}/deposits',
  'POST /api/accounts/{accountId}/withdrawals',
  'POST /api/accounts/{accountId}/freeze',
  'POST /api/accounts/{accountId}/unfreeze',
  'GET /api/accounts/{accountId}',
  'GET /api/accounts/{accountId}/balance',
  'GET /api/accounts/{accountId}/history',
  'POST /api/transfers',
  'GET /api/transfers/{transferId}',
  'POST /api/admin/projections/accounts/rebuild-all',
  'POST /api/admin/projections/accounts/{accountId}/rebuild',
  'POST /api/admin/projections/transfers/{transferId}/rebuild',
  'GET /api/admin/actors',
  'POST /api/admin/actors/{accountId}/passivate',
  'POST /api/admin/projectors/{name}/restart',
  'GET /api/admin/audit',
  'GET /livez',
  'GET /readyz',
  'GET /health',
  'GET /api/health',
  'GET /metrics',
  'GET /console',
  'GET /api/openapi.json',
  'GET /docs',
];

const stubCommands = { execute: async () => ({ status: 500, body: {} }) } as unknown as CommandPort;
const stubHealth = { readiness: async () => ({ ready: true, checks: {} }) };
const stubAudit = { record: async () => undefined, recent: async () => [] } as unknown as AdminAudit;
const stubAdmin = {} as AdminPort;
const summary = {
  accountId: 'a-1',
  ownerId: 'o-1',
  currency: 'USD',
  status: 'ACTIVE' as const,
  balance: 0,
  availableBalance: 0,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};
/** The write side as the query routes see it: no stream exists (only asked on a read-model miss). */
const noStreams = { streamVersion: async () => 0 };
const stubReadModel: AccountReadModel = {
  summary: async () => summary,
  history: async (accountId, limit, offset) => ({ accountId, entries: [], total: 0, limit, offset }),
};

/** The routers as createApp/runtime mount them, with the prefix they are mounted under. */
function mountedRouters(): Array<{ prefix: string; router: Router }> {
  return [
    { prefix: '/api', router: accountCommandRoutes(stubCommands) },
    {
      prefix: '/api',
      router: accountQueryRoutes({ readModel: stubReadModel, versions: {} as ProjectionVersions, readWaitMs: 0, store: noStreams }),
    },
    { prefix: '/api', router: transferCommandRoutes({ request: async () => ({ status: 500, body: {} }) }) },
    { prefix: '/api', router: transferQueryRoutes({ readModel: { transfer: async () => null }, versions: {} as ProjectionVersions, readWaitMs: 0, store: noStreams }) },
    { prefix: '/api', router: adminRoutes(stubAdmin, stubAudit, 'test-admin-token-0123456789', logger) },
    { prefix: '', router: healthRoutes(stubHealth) },
    { prefix: '', router: openApiRouter() },
  ];
}

/** "METHOD /path/{param}" for every route registered on a router (Express 5 route table). */
function routesOf(prefix: string, router: Router): string[] {
  const routes: string[] = [];
  for (const layer of (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }).stack) {
    if (!layer.route) continue;
    const path = prefix + layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

function operationsOf(doc: Json): Array<{ key: string; path: string; method: string; op: Json }> {
  const operations: Array<{ key: string; path: string; method: string; op: Json }> = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of methods) {
      if (item[method]) operations.push({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] });
    }
  }
  return operations;
}

function pointer(doc: Json, ref: string): unknown {
  expect(ref, `${ref} must be a local reference`).to.match(/^#\//);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key] : undefined), doc);
}

function collectRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => collectRefs(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else collectRefs(child, found);
    }
  }
  return found;
}

function deref(doc: Json, value: Json): Json {
  return typeof value.$ref === 'string' ? (pointer(doc, value.$ref) as Json) : value;
}

async function listen(app: Express): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument() as Json;

  it('is OpenAPI 3.1.0 with info and paths', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info.title).to.be.a('string');
    expect(doc.info.version).to.be.a('string');
    expect(doc.paths).to.be.an('object');
  });

  it('documents exactly the hard-coded list of routes', () => {
    const documented = operationsOf(doc).map((operation) => operation.key);
    expect([...documented].sort()).to.deep.equal([...documentedRoutes].sort());
  });

  it('documents every route the gateway routers register', () => {
    const documented = new Set(operationsOf(doc).map((operation) => operation.key));
    const registered = mountedRouters().flatMap(({ prefix, router }) => routesOf(prefix, router));
    expect(registered.length).to.be.greaterThan(15);
    const undocumented = registered.filter((route) => !documented.has(route));
    expect(undocumented, 'routes served but not in the OpenAPI document').to.deep.equal([]);
    const unlisted = registered.filter((route) => !documentedRoutes.includes(route));
    expect(unlisted, 'routes served but missing from documentedRoutes').to.deep.equal([]);
  });

  it('gives every operation a unique operationId, a summary, a 2xx response and declared path parameters', () => {
    const ids = new Set<string>();
    for (const { key, path, op } of operationsOf(doc)) {
      expect(op.operationId, key).to.be.a('string');
      expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).to.equal(false);
      ids.add(op.operationId);
      expect(op.summary, key).to.be.a('string').and.not.empty;
      expect(Object.keys(op.responses ?? {}), key).to.not.be.empty;
      expect(Object.keys(op.responses).some((status) => /^2\d\d$/.test(status)), `${key} has a success response`).to.equal(true);
      for (const response of Object.values(op.responses as Json)) expect(deref(doc, response).description, key).to.be.a('string');
      const parameters = ((op.parameters ?? []) as Json[]).map((parameter) => deref(doc, parameter));
      const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      for (const name of pathNames) {
        const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
        expect(parameter, `${key} declares path parameter ${name}`).to.not.equal(undefined);
        expect(parameter!.required, `${key} path parameter ${name} is required`).to.equal(true);
      }
      expect(parameters.filter((p) => p.in === 'path').map((p) => p.name).sort(), key).to.deep.equal([...pathNames].sort());
    }
  });

  it('answers every 4xx of an operation as application/problem+json with the shared Problem schema', () => {
    const problem = doc.components.schemas.Problem;
    expect(problem.type).to.equal('object');
    expect(problem.required).to.include.members(['type', 'title', 'status', 'detail', 'code']);
    for (const field of ['type', 'title', 'detail', 'code']) expect(problem.properties[field].type).to.equal('string');
    expect(problem.properties.status.type).to.equal('integer');
    let problemResponses = 0;
    for (const { key, op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const content = deref(doc, response).content as Json;
        if (key.endsWith('/readyz') || key.endsWith('/health')) continue; // readiness answers 503 with its report
        expect(Object.keys(content), `${key} ${status}`).to.deep.equal(['application/problem+json']);
        expect(collectRefs(content), `${key} ${status}`).to.include('#/components/schemas/Problem');
        problemResponses++;
      }
    }
    expect(problemResponses).to.be.greaterThan(40);
  });

  it('lists the README problem codes on the operations that answer them', () => {
    const codes = (key: string, status: number): string[] => {
      const op = operationsOf(doc).find((operation) => operation.key === key)!.op;
      return op.responses[String(status)].content['application/problem+json'].schema.properties.code.enum;
    };
    expect(codes('POST /api/accounts', 400)).to.include.members(['validation_failed', 'malformed_json', 'idempotency_key_missing']);
    expect(codes('POST /api/accounts', 409)).to.include('account_already_exists');
    expect(codes('POST /api/accounts', 413)).to.deep.equal(['payload_too_large']);
    expect(codes('POST /api/accounts', 415)).to.deep.equal(['unsupported_media_type']);
    expect(codes('POST /api/accounts', 422)).to.include('idempotency_key_reused');
    expect(codes('POST /api/accounts', 503)).to.include.members(['mailbox_full', 'command_timeout', 'account_unavailable', 'shutting_down']);
    expect(codes('POST /api/accounts/{accountId}/withdrawals', 400)).to.include('insufficient_funds');
    expect(codes('POST /api/accounts/{accountId}/deposits', 404)).to.deep.equal(['account_not_found']);
    expect(codes('POST /api/accounts/{accountId}/deposits', 409)).to.include.members(['account_frozen', 'transaction_id_reused']);
    expect(codes('POST /api/accounts/{accountId}/deposits', 422)).to.include.members(['currency_mismatch', 'balance_limit_exceeded']);
    expect(codes('POST /api/accounts/{accountId}/freeze', 409)).to.include('account_already_frozen');
    expect(codes('POST /api/accounts/{accountId}/unfreeze', 409)).to.include('account_not_frozen');
    expect(codes('GET /api/accounts/{accountId}/history', 503)).to.deep.equal(['read_model_behind']);
    expect(codes('GET /api/admin/actors', 401)).to.deep.equal(['unauthorized']);
  });

  it('resolves every $ref inside the document', () => {
    const refs = collectRefs(doc);
    expect(refs.length).to.be.greaterThan(20);
    for (const ref of new Set(refs)) expect(pointer(doc, ref), `${ref} resolves`).to.not.equal(undefined);
  });

  it('takes the request bodies from the gateway zod schemas (z.toJSONSchema, single source)', () => {
    const expected: Record<string, { schema: z.ZodType; required: boolean }> = {
      'POST /api/accounts': { schema: openAccountBody, required: true },
      'POST /api/accounts/{accountId}/deposits': { schema: moneyBody, required: true },
      'POST /api/accounts/{accountId}/withdrawals': { schema: moneyBody, required: true },
      'POST /api/accounts/{accountId}/freeze': { schema: freezeBody, required: true },
      'POST /api/accounts/{accountId}/unfreeze': { schema: unfreezeBody, required: false },
      'POST /api/transfers': { schema: transferBody, required: true },
    };
    for (const [key, { schema, required }] of Object.entries(expected)) {
      const op = operationsOf(doc).find((operation) => operation.key === key)!.op;
      expect(op.requestBody.required, key).to.equal(required);
      const body = deref(doc, op.requestBody.content['application/json'].schema);
      expect(body, key).to.deep.equal(z.toJSONSchema(schema));
    }
    for (const { key, op } of operationsOf(doc)) {
      if (!(key in expected)) expect(op.requestBody, `${key} takes no body`).to.equal(undefined);
    }
  });

  it('requires the Idempotency-Key header on every account command and bearer auth on every admin route', () => {
    expect(doc.components.securitySchemes.adminBearer).to.deep.include({ type: 'http', scheme: 'bearer' });
    for (const { key, op } of operationsOf(doc)) {
      const parameters = ((op.parameters ?? []) as Json[]).map((parameter) => deref(doc, parameter));
      const header = parameters.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
      if (key.startsWith('POST /api/accounts') || key === 'POST /api/transfers') {
        expect(header?.required, `${key} requires Idempotency-Key`).to.equal(true);
        expect(header!.schema.maxLength).to.equal(limits.idempotencyKeyLengthMax);
      }
      if (key.includes('/api/admin/')) expect(op.security, key).to.deep.equal([{ adminBearer: [] }]);
      else expect(op.security, key).to.equal(undefined);
    }
  });

  it('documents minVersion on reads and limit/offset on history', () => {
    const parametersOf = (key: string) =>
      ((operationsOf(doc).find((operation) => operation.key === key)!.op.parameters ?? []) as Json[]).map((p) => deref(doc, p));
    for (const key of ['GET /api/accounts/{accountId}', 'GET /api/accounts/{accountId}/balance', 'GET /api/accounts/{accountId}/history', 'GET /api/transfers/{transferId}']) {
      const query = parametersOf(key).filter((p) => p.in === 'query');
      expect(query.map((p) => p.name).sort(), key).to.deep.equal(key.endsWith('/history') ? ['limit', 'minVersion', 'offset'] : ['minVersion']);
      for (const p of query) expect(p.schema.type, `${key} ${p.name}`).to.equal('integer');
    }
    const limit = parametersOf('GET /api/accounts/{accountId}/history').find((p) => p.name === 'limit')!;
    expect(limit.schema).to.include({ minimum: 1, maximum: limits.historyLimitMax, default: limits.historyLimitDefault });
  });

  it('documents the query bounds the gateway actually enforces', async () => {
    const parameters = operationsOf(doc)
      .find((operation) => operation.key === 'GET /api/accounts/{accountId}/history')!
      .op.parameters.map((p: Json) => deref(doc, p)) as Json[];
    const schema = (name: string) => parameters.find((p) => p.name === name)!.schema as Json;
    const app = express();
    app.use('/api', accountQueryRoutes({ readModel: stubReadModel, versions: {} as ProjectionVersions, readWaitMs: 0, store: noStreams }));
    app.use(errorHandler(logger));
    const server = await listen(app);
    try {
      const status = async (query: string) => (await fetch(`${server.baseUrl}/api/accounts/a-1/history?${query}`)).status;
      for (const name of ['limit', 'offset']) {
        expect(await status(`${name}=${schema(name).minimum}`), `${name} at its minimum`).to.equal(200);
        expect(await status(`${name}=${schema(name).minimum - 1}`), `${name} below its minimum`).to.equal(400);
        expect(await status(`${name}=${schema(name).maximum}`), `${name} at its maximum`).to.equal(200);
      }
      expect(await status(`limit=${schema('limit').maximum + 1}`), 'limit above its maximum').to.equal(400);
      expect(await status('limit=1.5'), 'limit is an integer').to.equal(400);
      expect(await status('unknown=1'), 'unknown query parameters').to.equal(400);
      const page = await (await fetch(`${server.baseUrl}/api/accounts/a-1/history`)).json();
      expect(page).to.include({ limit: schema('limit').default, offset: schema('offset').default });
    } finally {
      await server.close();
    }
  });
});

describe('openApiRouter', () => {
  let server: { baseUrl: string; close: () => Promise<void> };

  before(async () => {
    // Mounted the way the composition root will: createApp's rootRouters.
    const app = createApp({ commands: stubCommands, health: stubHealth, logger, rootRouters: [openApiRouter()] });
    server = await listen(app);
  });
  after(async () => {
    await server.close();
  });

  it('serves GET /api/openapi.json as the document', async () => {
    const response = await fetch(`${server.baseUrl}/api/openapi.json`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^application\/json/);
    expect(await response.json()).to.deep.equal(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('serves GET /docs as a self-contained HTML page that renders /api/openapi.json', async () => {
    const response = await fetch(`${server.baseUrl}/docs`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const html = await response.text();
    expect(html).to.equal(docsHtml);
    expect(html).to.match(/^<!doctype html>/i);
    expect(html).to.include("fetch('/api/openapi.json'");
    expect(html, 'no absolute URLs (no CDN, no external assets)').to.not.match(/https?:\/\//i);
    expect(html, 'no protocol-relative URLs').to.not.match(/["'(]\/\/[a-z0-9]/i);
    expect(html, 'no external scripts').to.not.match(/<script[^>]*\ssrc=/i);
    expect(html, 'no external stylesheets').to.not.match(/<link\b/i);
    expect(html).to.not.match(/@import/i);

    // The CSP allows exactly the page's own inline script and style, and nothing from elsewhere.
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).to.include("default-src 'none'");
    expect(csp).to.include("connect-src 'self'");
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).to.include(`script-src ${hash(script)}`);
    expect(csp).to.include(`style-src ${hash(style)}`);
    expect(html, 'no inline style attributes (the CSP would block them)').to.not.match(/\sstyle=/i);
  });

  it('leaves unknown routes to the app 404 problem', async () => {
    const response = await fetch(`${server.baseUrl}/docs/nope`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });
});
