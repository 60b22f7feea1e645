// The OpenAPI document and its router: a 3.1 document covering every real route (checked against a
// hard-coded list AND against the routers' own route tables), every $ref resolving, request bodies
// equal to z.toJSONSchema of the gateway's schemas (single source), query bounds matching what the
// gateway really accepts, real answers of the in-memory runtime valid against the documented
// response schemas (every response schema sampled), and /api/openapi.json + a self-contained /docs
// page served from the files in src/http/docs/.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
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
import { buildOpenApiDocument, openApiRouter } from '../../src/http/openapi';
import { freezeBody, historyQuery, moneyBody, openAccountBody, transferBody, unfreezeBody } from '../../src/http/schemas';
import { HttpResult, TestApp, get, post, request, startTestApp } from '../support/app';


const logger = createLogger('silent');
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The JSON Schema keywords these tests read; any other keyword passes through as unknown. */
interface Schema {
  [keyword: string]: unknown;
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  default?: unknown;
}
interface MediaType {
  schema: Schema;
}
interface ResponseSpec {
  $ref?: string;
  description?: string;
  content?: Record<string, MediaType>;
}
interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  operationId: string;
  summary: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseSpec>;
  security?: unknown;
}
/** The parts of the OpenAPI document these tests read (the document is plain JSON: read, then asserted). */
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Partial<Record<(typeof methods)[number], Operation>>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, unknown>> };
}
/** A JSON answer's body. */
type Body = Record<string, unknown>;

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

/** Routers built only to read their route tables (or mounted beside routes that never reach them): never run. */
const notRun = async (): Promise<never> => {
  throw new Error('a stub port of openapi.test.ts was called');
};
const stubCommands: CommandPort = { execute: notRun };
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
    { prefix: '/api', router: transferCommandRoutes({ request: notRun }) },
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

function operationsOf(doc: Document): Array<{ key: string; path: string; method: string; op: Operation }> {
  const operations: Array<{ key: string; path: string; method: string; op: Operation }> = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of methods) {
      const op = item[method];
      if (op) operations.push({ key: `${method.toUpperCase()} ${path}`, path, method, op });
    }
  }
  return operations;
}

function pointer(doc: Document, ref: string): unknown {
  expect(ref, `${ref} must be a local reference`).to.match(/^#\//);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), doc);
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

/** The target of a local $ref (asserted to be the kind of node that sits there), or the value itself. */
function deref<T extends { $ref?: string }>(doc: Document, value: T): T {
  return typeof value.$ref === 'string' ? (pointer(doc, value.$ref) as T) : value;
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
  const doc = buildOpenApiDocument() as unknown as Document;

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
      for (const response of Object.values(op.responses)) expect(deref(doc, response).description, key).to.be.a('string');
      const parameters = (op.parameters ?? []).map((parameter) => deref(doc, parameter));
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
    const properties = problem.properties!;
    for (const field of ['type', 'title', 'detail', 'code']) expect(properties[field].type).to.equal('string');
    expect(properties.status.type).to.equal('integer');
    let problemResponses = 0;
    for (const { key, op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const content = deref(doc, response).content ?? {};
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
      return op.responses[String(status)].content!['application/problem+json'].schema.properties!.code.enum!;
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
      expect(op.requestBody?.required, key).to.equal(required);
      const body = deref(doc, op.requestBody!.content['application/json'].schema);
      expect(body, key).to.deep.equal(z.toJSONSchema(schema));
    }
    for (const { key, op } of operationsOf(doc)) {
      if (!(key in expected)) expect(op.requestBody, `${key} takes no body`).to.equal(undefined);
    }
  });

  it('requires the Idempotency-Key header on every account command and bearer auth on every admin route', () => {
    expect(doc.components.securitySchemes.adminBearer).to.deep.include({ type: 'http', scheme: 'bearer' });
    for (const { key, op } of operationsOf(doc)) {
      const parameters = (op.parameters ?? []).map((parameter) => deref(doc, parameter));
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
      (operationsOf(doc).find((operation) => operation.key === key)!.op.parameters ?? []).map((p) => deref(doc, p));
    for (const key of ['GET /api/accounts/{accountId}', 'GET /api/accounts/{accountId}/balance', 'GET /api/accounts/{accountId}/history', 'GET /api/transfers/{transferId}']) {
      const query = parametersOf(key).filter((p) => p.in === 'query');
      expect(query.map((p) => p.name).sort(), key).to.deep.equal(key.endsWith('/history') ? ['limit', 'minVersion', 'offset'] : ['minVersion']);
      for (const p of query) expect(p.schema.type, `${key} ${p.name}`).to.equal('integer');
    }
    const history = parametersOf('GET /api/accounts/{accountId}/history').filter((p) => p.in === 'query');
    expect(history.map((p) => p.name).sort(), 'the gateway history query names them').to.deep.equal(Object.keys(historyQuery.shape).sort());
    const limit = parametersOf('GET /api/accounts/{accountId}/history').find((p) => p.name === 'limit')!;
    expect(limit.schema).to.include({ minimum: 1, maximum: limits.historyLimitMax, default: limits.historyLimitDefault });
  });

  it('documents the query bounds the gateway actually enforces', async () => {
    const parameters = operationsOf(doc)
      .find((operation) => operation.key === 'GET /api/accounts/{accountId}/history')!
      .op.parameters!.map((p) => deref(doc, p));
    const schema = (name: string) => parameters.find((p) => p.name === name)!.schema;
    const app = express();
    app.use('/api', accountQueryRoutes({ readModel: stubReadModel, versions: {} as ProjectionVersions, readWaitMs: 0, store: noStreams }));
    app.use(errorHandler(logger));
    const server = await listen(app);
    try {
      const status = async (query: string) => (await fetch(`${server.baseUrl}/api/accounts/a-1/history?${query}`)).status;
      for (const name of ['limit', 'offset']) {
        expect(await status(`${name}=${schema(name).minimum}`), `${name} at its minimum`).to.equal(200);
        expect(await status(`${name}=${Number(schema(name).minimum) - 1}`), `${name} below its minimum`).to.equal(400);
        expect(await status(`${name}=${schema(name).maximum}`), `${name} at its maximum`).to.equal(200);
      }
      expect(await status(`limit=${Number(schema('limit').maximum) + 1}`), 'limit above its maximum').to.equal(400);
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
    expect(csp).not.to.include('unsafe-inline');
    expect(html, 'no inline style attributes (the CSP would block them)').to.not.match(/\sstyle=/i);
  });

  it('serves the files in src/http/docs/ byte for byte: the shell with docs.css and docs.js inlined', async () => {
    const onDisk = (file: string) => readFileSync(path.resolve(__dirname, '../../src/http/docs', file), 'utf8');
    const html = await (await fetch(`${server.baseUrl}/docs`)).text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(script, 'the served script is docs.js').to.equal(onDisk('docs.js'));
    expect(style, 'the served style is docs.css').to.equal(onDisk('docs.css'));
    expect(script.startsWith('// @ts-check\n'), 'docs.js is type-checked (tsconfig.browser.json)').to.equal(true);
    const shell = html
      .replace(`<style>${style}</style>`, () => '<link rel="stylesheet" href="docs.css">')
      .replace(`<script>${script}</script>`, () => '<script src="docs.js"></script>');
    expect(shell, 'the rest of the page is docs.html').to.equal(onDisk('docs.html'));
  });

  it('leaves unknown routes to the app 404 problem', async () => {
    const response = await fetch(`${server.baseUrl}/docs/nope`);
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });
});

/** The schema with every local $ref replaced by its target (siblings of a $ref are kept). */
function inlineRefs(doc: Document, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineRefs(doc, item));
  if (value === null || typeof value !== 'object') return value;
  const { $ref, ...rest } = value as Record<string, unknown>;
  const own = Object.fromEntries(Object.entries(rest).map(([key, child]) => [key, inlineRefs(doc, child)]));
  return typeof $ref === 'string' ? { ...(inlineRefs(doc, pointer(doc, $ref)) as object), ...own } : own;
}

/**
 * A zod validator for a documented schema. z.fromJSONSchema (zod 4.6) skips `properties` that sit
 * beside `allOf` without `type: object`, as the problem responses' `code` enum does; JSON Schema
 * applies them, so they become one more allOf branch.
 */
function validatorOf(schema: Schema): z.ZodType {
  const { allOf, ...rest } = schema;
  const spelled = Array.isArray(allOf) && Object.keys(rest).length ? { allOf: [...allOf, { type: 'object', ...rest }] } : schema;
  return z.fromJSONSchema(spelled as Parameters<typeof z.fromJSONSchema>[0]);
}

/**
 * Fields an answer has that its schema does not name, as paths. JSON Schema allows them unless
 * additionalProperties says otherwise; the documented objects that are open say so
 * (`additionalProperties: {}`, or no `properties` at all), so any other object must carry only
 * what it documents.
 */
function undocumentedFields(schema: Schema, value: unknown, at = '$'): string[] {
  if (Array.isArray(schema.allOf)) return schema.allOf.flatMap((branch) => undocumentedFields(branch, value, at));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(schema[key])) {
      const each = schema[key]!.map((branch) => undocumentedFields(branch, value, at));
      return each.find((found) => found.length === 0) ?? each[0] ?? [];
    }
  }
  if (Array.isArray(value)) return schema.items ? value.flatMap((item, index) => undocumentedFields(schema.items!, item, `${at}[${index}]`)) : [];
  if (value === null || typeof value !== 'object' || schema.type !== 'object' || !schema.properties) return [];
  const properties = schema.properties;
  return Object.entries(value).flatMap(([key, child]) => {
    if (key in properties) return undocumentedFields(properties[key], child, `${at}.${key}`);
    return schema.additionalProperties === undefined ? [`${at}.${key}`] : [];
  });
}

describe('documented response schemas against real answers (in-memory runtime)', () => {
  const doc = buildOpenApiDocument() as unknown as Document;
  const adminToken = 'openapi-test-admin-token-0123456789';
  const admin = { authorization: `Bearer ${adminToken}` };
  /** Component names of the response schemas the sampled answers were checked against. */
  const sampled = new Set<string>();
  let app: TestApp;

  before(async () => {
    app = await startTestApp({ memory: true, env: { ADMIN_TOKEN: adminToken } });
  });
  after(async () => {
    await app?.close();
  });

  /** The documented media type of this answer: the operation must document its status and content type. */
  function documented(key: string, result: HttpResult): { component: string; schema: Schema } {
    const op = operationsOf(doc).find((operation) => operation.key === key)?.op;
    expect(op, `${key} is documented`).to.not.equal(undefined);
    const response = op!.responses[String(result.status)] as ResponseSpec | undefined;
    expect(response, `${key} documents status ${result.status} (${JSON.stringify(result.body)})`).to.not.equal(undefined);
    const type = result.contentType.split(';')[0].trim();
    const media = deref(doc, response!).content?.[type];
    expect(media, `${key} ${result.status} documents ${type}`).to.not.equal(undefined);
    const ref = collectRefs(media!.schema)[0] ?? '';
    return { component: ref.replace('#/components/schemas/', ''), schema: inlineRefs(doc, media!.schema) as Schema };
  }

  /** Checks one real answer against its documented schema; returns the body for the next step. */
  function expectDocumented(key: string, result: HttpResult, status: number): Body {
    expect(result.status, `${key}: ${JSON.stringify(result.body)}`).to.equal(status);
    const { component, schema } = documented(key, result);
    const parsed = validatorOf(schema).safeParse(result.body);
    expect(parsed.success ? [] : parsed.error.issues, `${key} ${status} matches ${component}`).to.deep.equal([]);
    expect(undocumentedFields(schema, result.body), `${key} ${status}: fields ${component} does not name`).to.deep.equal([]);
    if (component) sampled.add(component);
    return result.body;
  }

  it('has a checker that fails on an undocumented problem code, a wrong type and an undocumented field', () => {
    const problem = documented('GET /api/accounts/{accountId}', { status: 404, contentType: 'application/problem+json', body: {}, headers: new Headers() });
    const answer = { type: 'urn:acta:problem:account_not_found', title: 'Not Found', status: 404, detail: 'x', code: 'account_not_found' };
    expect(validatorOf(problem.schema).safeParse(answer).success).to.equal(true);
    expect(validatorOf(problem.schema).safeParse({ ...answer, code: 'transfer_not_found' }).success, 'code outside the enum').to.equal(false);
    const balance = documented('GET /api/accounts/{accountId}/balance', { status: 200, contentType: 'application/json', body: {}, headers: new Headers() });
    const row = { accountId: 'a', balance: 1, availableBalance: 1, currency: 'USD', status: 'ACTIVE', version: 1, updatedAt: '2026-01-01T00:00:00.000Z' };
    expect(validatorOf(balance.schema).safeParse(row).success).to.equal(true);
    expect(validatorOf(balance.schema).safeParse({ ...row, balance: '1' }).success, 'a string balance').to.equal(false);
    expect(validatorOf(balance.schema).safeParse({ ...row, updatedAt: 'yesterday' }).success, 'not a date-time').to.equal(false);
    expect(undocumentedFields(balance.schema, { ...row, ownerId: 'o' })).to.deep.equal(['$.ownerId']);
  });

  it('answers account commands, reads and their problems as documented', async () => {
    const { baseUrl } = app;
    const accountId = `openapi-acc-${process.pid}`;
    const open = { accountId, ownerId: 'owner-openapi', currency: 'USD' };
    expectDocumented('POST /api/accounts', await post(baseUrl, '/api/accounts', open), 201);
    expectDocumented('POST /api/accounts', await post(baseUrl, '/api/accounts', open), 409);
    expectDocumented('POST /api/accounts', await post(baseUrl, '/api/accounts', open, null), 400);
    const textBody = await request(baseUrl, '/api/accounts', { method: 'POST', headers: { 'content-type': 'text/plain', 'idempotency-key': 'k-text' }, body: 'x' });
    expectDocumented('POST /api/accounts', textBody, 415);
    const deposits = `/api/accounts/${accountId}/deposits`;
    expectDocumented('POST /api/accounts/{accountId}/deposits', await post(baseUrl, deposits, { amount: 1_000, currency: 'USD', transactionId: 't-1' }), 201);
    expectDocumented('POST /api/accounts/{accountId}/deposits', await post(baseUrl, deposits, { amount: 1, currency: 'EUR', transactionId: 't-2' }), 422);
    expectDocumented('POST /api/accounts/{accountId}/deposits', await post(baseUrl, `/api/accounts/${accountId}-none/deposits`, { amount: 1, currency: 'USD', transactionId: 't-3' }), 404);
    const withdrawals = `/api/accounts/${accountId}/withdrawals`;
    expectDocumented('POST /api/accounts/{accountId}/withdrawals', await post(baseUrl, withdrawals, { amount: 5_000, currency: 'USD', transactionId: 't-4' }), 400);
    expectDocumented('POST /api/accounts/{accountId}/withdrawals', await post(baseUrl, withdrawals, { amount: 300, currency: 'USD', transactionId: 't-5' }), 201);
    expectDocumented('POST /api/accounts/{accountId}/freeze', await post(baseUrl, `/api/accounts/${accountId}/freeze`, { reason: 'review' }), 200);
    expectDocumented('POST /api/accounts/{accountId}/deposits', await post(baseUrl, deposits, { amount: 1, currency: 'USD', transactionId: 't-6' }), 409);
    const unfrozen = expectDocumented('POST /api/accounts/{accountId}/unfreeze', await post(baseUrl, `/api/accounts/${accountId}/unfreeze`, {}), 200);

    const minVersion = `?minVersion=${unfrozen.version}`;
    expectDocumented('GET /api/accounts/{accountId}', await get(baseUrl, `/api/accounts/${accountId}${minVersion}`), 200);
    expectDocumented('GET /api/accounts/{accountId}/balance', await get(baseUrl, `/api/accounts/${accountId}/balance${minVersion}`), 200);
    const history = expectDocumented('GET /api/accounts/{accountId}/history', await get(baseUrl, `/api/accounts/${accountId}/history${minVersion}`), 200);
    // Valid against HistoryPage, so entries is an array of statement entries: one per event written.
    expect((history.entries as Body[]).map((entry) => entry.streamVersion)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(unfrozen.version).to.equal(5);
    expectDocumented('GET /api/accounts/{accountId}/history', await get(baseUrl, `/api/accounts/${accountId}/history?limit=0`), 400);
    expectDocumented('GET /api/accounts/{accountId}', await get(baseUrl, `/api/accounts/${accountId}-none`), 404);
  });

  it('answers transfers and the transfer legs of a statement as documented', async () => {
    const { baseUrl } = app;
    const [source, destination] = [`openapi-src-${process.pid}`, `openapi-dst-${process.pid}`];
    for (const accountId of [source, destination]) {
      expect((await post(baseUrl, '/api/accounts', { accountId, ownerId: 'owner-openapi', currency: 'USD' })).status).to.equal(201);
    }
    expect((await post(baseUrl, `/api/accounts/${source}/deposits`, { amount: 500, currency: 'USD', transactionId: 't-src' })).status).to.equal(201);
    const transferId = `openapi-transfer-${process.pid}`;
    const body = { transferId, sourceAccountId: source, destinationAccountId: destination, amount: 200, currency: 'USD' };
    expectDocumented('POST /api/transfers', await post(baseUrl, '/api/transfers', body), 202);
    expectDocumented('POST /api/transfers', await post(baseUrl, '/api/transfers', { ...body, amount: 201 }), 409);
    await app.runtime.transfers.settled(transferId);
    const settled = await get(baseUrl, `/api/transfers/${transferId}`);
    const transfer = expectDocumented('GET /api/transfers/{transferId}', await get(baseUrl, `/api/transfers/${transferId}?minVersion=${settled.body.version}`), 200);
    expect(transfer.status).to.equal('COMPLETED');
    expectDocumented('GET /api/transfers/{transferId}', await get(baseUrl, `/api/transfers/${transferId}-none`), 404);
    // The destination's stream: opened (1), then the credit leg (2).
    const history = expectDocumented('GET /api/accounts/{accountId}/history', await get(baseUrl, `/api/accounts/${destination}/history?minVersion=2`), 200);
    expect((history.entries as Body[])[1]).to.include({ direction: 'credit', counterpartyAccountId: source, transferId });
  });

  it('answers operations and admin routes as documented', async () => {
    const { baseUrl } = app;
    expectDocumented('GET /livez', await get(baseUrl, '/livez'), 200);
    for (const route of ['/readyz', '/health', '/api/health']) expectDocumented(`GET ${route}`, await get(baseUrl, route), 200);
    expectDocumented('GET /api/openapi.json', await get(baseUrl, '/api/openapi.json'), 200);
    expectDocumented('GET /api/admin/actors', await get(baseUrl, '/api/admin/actors'), 401);
    expectDocumented('GET /api/admin/actors', await request(baseUrl, '/api/admin/actors', { headers: admin }), 200);
    const accountId = `openapi-admin-${process.pid}`;
    expect((await post(baseUrl, '/api/accounts', { accountId, ownerId: 'owner-openapi', currency: 'USD' })).status).to.equal(201);
    const passivate = (id: string) => request(baseUrl, `/api/admin/actors/${id}/passivate`, { method: 'POST', headers: admin });
    expectDocumented('POST /api/admin/actors/{accountId}/passivate', await passivate(accountId), 200);
    expectDocumented('POST /api/admin/actors/{accountId}/passivate', await passivate(`${accountId}-none`), 404);
    expectDocumented('GET /api/admin/audit', await request(baseUrl, '/api/admin/audit', { headers: admin }), 200);
  });

  it('sampled every documented response schema', () => {
    const responseComponents = Object.keys(doc.components.schemas).filter((name) => !name.endsWith('Request'));
    expect([...sampled].sort()).to.deep.equal(responseComponents.sort());
  });
});
