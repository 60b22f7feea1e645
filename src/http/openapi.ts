// The OpenAPI 3.1 document of Acta's HTTP API, generated from the same zod schemas the gateway
// validates with (request bodies, path and header parameters, minVersion), plus a self-contained
// /docs page that renders it with inline JS/CSS only (no CDN: it must work offline).
import { statusTitles } from '../app/problem';
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import {
  accountParams,
  freezeBody,
  historyLimitBounds,
  historyOffsetBounds,
  idempotencyKey,
  minVersionBounds,
  moneyBody,
  openAccountBody,
  queryIntegerDoc,
  transferBody,
  unfreezeBody,
} from './schemas';
import { transferParams } from './transferQueryRoutes';

type Json = Record<string, unknown>;

/** The zod schemas of the request bodies, by component name: each component is exactly z.toJSONSchema(schema). */
export const requestBodySchemas = {
  OpenAccountRequest: openAccountBody,
  MoneyRequest: moneyBody,
  FreezeRequest: freezeBody,
  UnfreezeRequest: unfreezeBody,
  TransferRequest: transferBody,
} as const satisfies Record<string, z.ZodType>;

type RequestBodyName = keyof typeof requestBodySchemas;

/** A JSON Schema for a parameter or a response, without the top-level $schema noise. */
function schemaOf(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Json;
  return rest;
}

// The query parameters as clients send them: integers in the same bounds the gateway checks
// (schemas.ts). The gateway's own parsers take digit strings only, which JSON Schema would show as
// strings with a pattern; an integer schema is what client generators expect for a query value.
const minVersionParameter = queryIntegerDoc(minVersionBounds);
const historyLimit = queryIntegerDoc(historyLimitBounds);
const historyOffset = queryIntegerDoc(historyOffsetBounds);

// ---- response shapes (documentation only: the gateway does not validate its own answers) ----

const timestamp = z.string().meta({ format: 'date-time' });
const accountStatus = z.enum(['ACTIVE', 'FROZEN']);

const accountView = z.object({
  accountId: z.string(),
  ownerId: z.string(),
  currency: z.string(),
  status: accountStatus,
  balance: z.number().int().describe('Minor units'),
  availableBalance: z.number().int().describe('Minor units'),
  version: z.number().int().describe('Stream version this command produced; pass it as ?minVersion= to read your write'),
  createdAt: timestamp.nullable(),
  updatedAt: timestamp.nullable(),
  eventId: z.string().nullable(),
});
const moneyResult = accountView.extend({
  transactionId: z.string(),
  amount: z.number().int(),
  type: z.enum(['deposit', 'withdrawal']),
});
const freezeResult = accountView.extend({ reason: z.string() });
const accountSummary = z.object({
  accountId: z.string(),
  ownerId: z.string(),
  currency: z.string(),
  status: accountStatus,
  balance: z.number().int(),
  availableBalance: z.number().int(),
  version: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const accountBalance = accountSummary.pick({
  accountId: true,
  balance: true,
  availableBalance: true,
  currency: true,
  status: true,
  version: true,
  updatedAt: true,
});
const statementEntry = z.object({
  eventId: z.string(),
  accountId: z.string(),
  streamVersion: z.number().int(),
  eventType: z.string(),
  amount: z.number().int().optional(),
  currency: z.string().optional(),
  transactionId: z.string().optional(),
  reason: z.string().optional(),
  direction: z.enum(['credit', 'debit']).optional().describe('Transfer legs only: credit raised the balance, debit lowered it'),
  counterpartyAccountId: z.string().optional().describe('Transfer entries: the account on the other side'),
  transferId: z.string().optional().describe('Transfer entries (holds and legs)'),
  actor: z.string().optional().describe('Who issued the command, when the client sent `actor`'),
  balanceAfter: z.number().int(),
  occurredAt: timestamp,
}).describe('A hold being placed or released moves no money: no direction, balanceAfter unchanged (availableBalance shows it)');
const transferStage = z.enum(['hold', 'credit', 'capture', 'release']);
const transferSummary = z.object({
  transferId: z.string(),
  sourceAccountId: z.string(),
  destinationAccountId: z.string(),
  amount: z.number().int().describe('Minor units'),
  currency: z.string(),
  status: z.enum(['PENDING', 'COMPLETED', 'FAILED']),
  stage: transferStage.nullable().describe('The step in progress while PENDING; null once terminal'),
  failureReason: z.string().nullable(),
  failureStage: transferStage.nullable(),
  failureDetail: z.string().nullable(),
  version: z.number().int().describe('Stream version of the transfer; pass it as ?minVersion= to read your write'),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const historyPage = z.object({
  accountId: z.string(),
  entries: z.array(statementEntry).describe('Oldest first'),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
const readiness = z.object({
  status: z.enum(['ok', 'unavailable']),
  live: z.boolean(),
  ready: z.boolean(),
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});
const liveness = z.object({ status: z.literal('ok') });
const adminResult = z.looseObject({ action: z.string(), target: z.string() });
const adminConsole = z.looseObject({}).describe('Actor system totals, live account actors, projector partitions/offsets/lag, outbox and relay');
const adminAudit = z.object({ entries: z.array(z.looseObject({})) });
const problemSchema = z
  .looseObject({
    type: z.string().describe('urn:acta:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable machine-readable code'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('validation_failed only: each issue'),
    retryAfterSeconds: z.number().int().optional().describe('read_model_behind only'),
  })
  .describe('RFC 9457 problem details');

const responseSchemas = {
  Problem: problemSchema,
  AccountView: accountView,
  MoneyMovementResult: moneyResult,
  FreezeResult: freezeResult,
  AccountSummary: accountSummary,
  AccountBalance: accountBalance,
  HistoryPage: historyPage,
  TransferSummary: transferSummary,
  Readiness: readiness,
  Liveness: liveness,
  AdminActionResult: adminResult,
  AdminConsole: adminConsole,
  AdminAudit: adminAudit,
} as const;

type SchemaName = keyof typeof responseSchemas | RequestBodyName;

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

// ---- problems ----

type ProblemCodes = Partial<Record<number, string[]>>;


function mergeCodes(...sets: ProblemCodes[]): ProblemCodes {
  const merged: ProblemCodes = {};
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set)) {
      const key = Number(status);
      merged[key] = [...new Set([...(merged[key] ?? []), ...(codes ?? [])])];
    }
  }
  return merged;
}

function problemResponses(codes: ProblemCodes): Record<string, Json> {
  const responses: Record<string, Json> = {};
  for (const [status, list] of Object.entries(codes)) {
    if (!list?.length) continue;
    responses[status] = {
      description: `${statusTitles[Number(status)] ?? 'Error'}: ${list.map((code) => `\`${code}\``).join(', ')}`,
      content: {
        'application/problem+json': {
          schema: { allOf: [ref('Problem')], properties: { code: { enum: list } } },
        },
      },
    };
  }
  return responses;
}

const internal: ProblemCodes = { 500: ['internal_error'] };
const commandProblems: ProblemCodes = mergeCodes(internal, {
  400: ['validation_failed', 'malformed_json', 'idempotency_key_missing'],
  409: ['concurrency_conflict'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['idempotency_key_reused'],
  503: ['mailbox_full', 'command_timeout', 'account_unavailable', 'shutting_down'],
});
// A path parameter that is not valid percent-encoding (`%ZZ`) answers 400 malformed_path.
const onExistingAccount: ProblemCodes = { 400: ['malformed_path'], 404: ['account_not_found'] };
const queryProblems: ProblemCodes = mergeCodes(internal, {
  400: ['validation_failed', 'malformed_path'],
  404: ['account_not_found'],
  503: ['read_model_behind'],
});
const adminProblems: ProblemCodes = mergeCodes(internal, {
  401: ['unauthorized'],
  429: ['rate_limited'],
  503: ['admin_disabled'],
});
const adminActionProblems: ProblemCodes = mergeCodes(adminProblems, { 404: ['not_found'] });
const adminAccountProblems: ProblemCodes = mergeCodes(adminActionProblems, { 400: ['validation_failed', 'malformed_path'] });
const transferQueryProblems: ProblemCodes = mergeCodes(internal, {
  400: ['validation_failed', 'malformed_path'],
  404: ['transfer_not_found'],
  503: ['read_model_behind'],
});

// ---- operations ----

const json = (schema: Json) => ({ 'application/json': { schema } });
const ok = (description: string, schema: Json, status = '200') => ({ [status]: { description, content: json(schema) } });

interface CommandSpec {
  operationId: string;
  summary: string;
  description: string;
  body: RequestBodyName;
  bodyRequired: boolean;
  success: Record<string, Json>;
  problems: ProblemCodes;
  accountPath: boolean;
}

function commandOperation(spec: CommandSpec): Json {
  const parameters: Json[] = [{ $ref: '#/components/parameters/IdempotencyKey' }];
  if (spec.accountPath) parameters.unshift({ $ref: '#/components/parameters/AccountId' });
  return {
    tags: ['accounts: commands'],
    operationId: spec.operationId,
    summary: spec.summary,
    description: `${spec.description} The same Idempotency-Key with the same payload returns the original status and body; with a different payload, 422 idempotency_key_reused.`,
    parameters,
    requestBody: { required: spec.bodyRequired, content: json(ref(spec.body)) },
    responses: { ...spec.success, ...problemResponses(mergeCodes(commandProblems, spec.problems)) },
  };
}

function queryOperation(operationId: string, summary: string, description: string, success: Record<string, Json>, history = false): Json {
  const parameters: Json[] = [{ $ref: '#/components/parameters/AccountId' }, { $ref: '#/components/parameters/MinVersion' }];
  if (history) parameters.push({ $ref: '#/components/parameters/HistoryLimit' }, { $ref: '#/components/parameters/HistoryOffset' });
  return {
    tags: ['accounts: queries'],
    operationId,
    summary,
    description: `${description} An account the event store has but the read model does not yet is waited for (bounded by READ_WAIT_MS), never a 404. Query integers are plain decimal digits; anything else, and unknown query parameters, answer 400 validation_failed.`,
    parameters,
    responses: { ...success, ...problemResponses(queryProblems) },
  };
}

function adminOperation(operationId: string, summary: string, success: Record<string, Json>, problems: ProblemCodes, parameters: Json[] = []): Json {
  return {
    tags: ['admin'],
    operationId,
    summary,
    description: 'Requires `Authorization: Bearer $ADMIN_TOKEN`; answers 503 admin_disabled when ADMIN_TOKEN is not set. Actions are audited.',
    security: [{ adminBearer: [] }],
    ...(parameters.length ? { parameters } : {}),
    responses: { ...success, ...problemResponses(problems) },
  };
}

function readinessOperation(operationId: string, summary: string): Json {
  return {
    tags: ['operations'],
    operationId,
    summary,
    description: 'Checks the database (and Kafka when configured); 503 once shutdown begins.',
    responses: {
      ...ok('Ready', ref('Readiness')),
      '503': { description: 'Not ready (a check is down, or shutting down)', content: json(ref('Readiness')) },
    },
  };
}

/** Builds the OpenAPI 3.1 document. Request bodies are z.toJSONSchema of the gateway's own schemas. */
export function buildOpenApiDocument(): Json {
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(requestBodySchemas)) schemas[name] = z.toJSONSchema(schema) as Json;
  for (const [name, schema] of Object.entries(responseSchemas)) schemas[name] = schemaOf(schema);

  const accountIdSchema = (schemaOf(accountParams).properties as Record<string, Json>).accountId;
  const transferIdSchema = (schemaOf(transferParams).properties as Record<string, Json>).transferId;

  return {
    openapi: '3.1.0',
    info: {
      title: 'Acta API',
      version: '0.1.0',
      description:
        'Core-banking backend: one actor per account, event sourced on Postgres. Money is an integer count of minor units; ' +
        'currency is a 3-letter upper-case ISO 4217 code. Every error is RFC 9457 application/problem+json with a stable `code`.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'accounts: commands', description: 'Strongly consistent per account; every POST needs an Idempotency-Key.' },
      { name: 'accounts: queries', description: 'From projections; pass ?minVersion= to read your own write.' },
      { name: 'transfers', description: 'Transfers between accounts; GET reads the transfer_summary projection (pass ?minVersion=).' },
      { name: 'admin', description: 'Bearer ADMIN_TOKEN; audited.' },
      { name: 'operations', description: 'Health, metrics and this documentation.' },
    ],
    paths: {
      '/api/accounts': {
        post: commandOperation({
          operationId: 'openAccount',
          summary: 'Open an account',
          description: 'Creates the account with a zero balance.',
          body: 'OpenAccountRequest',
          bodyRequired: true,
          accountPath: false,
          success: ok('Account opened', ref('AccountView'), '201'),
          problems: { 409: ['account_already_exists'] },
        }),
      },
      '/api/accounts/{accountId}/deposits': {
        post: commandOperation({
          operationId: 'depositMoney',
          summary: 'Deposit money',
          description: 'A transactionId moves money at most once: the same movement returns the original outcome.',
          body: 'MoneyRequest',
          bodyRequired: true,
          accountPath: true,
          success: ok('Deposited', ref('MoneyMovementResult'), '201'),
          problems: mergeCodes(onExistingAccount, {
            409: ['account_frozen', 'transaction_id_reused'],
            422: ['currency_mismatch', 'balance_limit_exceeded'],
          }),
        }),
      },
      '/api/accounts/{accountId}/withdrawals': {
        post: commandOperation({
          operationId: 'withdrawMoney',
          summary: 'Withdraw money',
          description: 'A withdrawal above the balance answers 400 insufficient_funds (seed compatibility). A transactionId moves money at most once.',
          body: 'MoneyRequest',
          bodyRequired: true,
          accountPath: true,
          success: ok('Withdrawn', ref('MoneyMovementResult'), '201'),
          problems: mergeCodes(onExistingAccount, {
            400: ['insufficient_funds'],
            409: ['account_frozen', 'transaction_id_reused'],
            422: ['currency_mismatch'],
          }),
        }),
      },
      '/api/accounts/{accountId}/freeze': {
        post: commandOperation({
          operationId: 'freezeAccount',
          summary: 'Freeze an account',
          description: 'A frozen account refuses deposits and withdrawals.',
          body: 'FreezeRequest',
          bodyRequired: true,
          accountPath: true,
          success: ok('Frozen', ref('FreezeResult')),
          problems: mergeCodes(onExistingAccount, { 409: ['account_already_frozen'] }),
        }),
      },
      '/api/accounts/{accountId}/unfreeze': {
        post: commandOperation({
          operationId: 'unfreezeAccount',
          summary: 'Unfreeze an account',
          description: 'The body may be omitted (it validates as {}).',
          body: 'UnfreezeRequest',
          bodyRequired: false,
          accountPath: true,
          success: ok('Unfrozen', ref('AccountView')),
          problems: mergeCodes(onExistingAccount, { 409: ['account_not_frozen'] }),
        }),
      },
      '/api/accounts/{accountId}': {
        get: queryOperation('getAccount', 'Account details', 'The account summary from the read model.', ok('The account', ref('AccountSummary'))),
      },
      '/api/accounts/{accountId}/balance': {
        get: queryOperation('getBalance', 'Account balance', 'Balance, available balance and status.', ok('The balance', ref('AccountBalance'))),
      },
      '/api/accounts/{accountId}/history': {
        get: queryOperation('getHistory', 'Account statement', 'Statement entries in stream order (oldest first), paged.', ok('A page of the statement', ref('HistoryPage')), true),
      },
      '/api/transfers': {
        post: {
          tags: ['transfers'],
          operationId: 'requestTransfer',
          summary: 'Request a transfer between two accounts',
          description:
            'Checks that both accounts exist, differ and hold the currency, then records the transfer durably and answers 202; ' +
            'the transfer actor then holds the amount on the source, credits the destination and captures the hold ' +
            '(or releases it when the credit is refused). Poll GET /api/transfers/{transferId}?minVersion=. ' +
            'The same transferId with the same payload answers the transfer as it stands; with another payload, 409 transfer_id_reused. ' +
            'The same Idempotency-Key with another payload: 422 idempotency_key_reused.',
          parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
          requestBody: { required: true, content: json(ref('TransferRequest')) },
          responses: {
            ...ok('Recorded; the transfer runs in the background', ref('TransferSummary'), '202'),
            ...problemResponses(
              mergeCodes(commandProblems, {
                404: ['account_not_found'],
                409: ['transfer_id_reused'],
                422: ['currency_mismatch', 'same_account'],
              }),
            ),
          },
        },
      },
      '/api/transfers/{transferId}': {
        get: {
          tags: ['transfers'],
          operationId: 'getTransfer',
          summary: 'Transfer status',
          description:
            'The transfer from the transfer_summary projection, in the same shape as the POST /api/transfers answer. ' +
            'A transfer the event store has but the read model does not yet is waited for (bounded by READ_WAIT_MS), never a 404. ' +
            'minVersion is plain decimal digits; anything else, and unknown query parameters, answer 400 validation_failed.',
          parameters: [{ $ref: '#/components/parameters/TransferId' }, { $ref: '#/components/parameters/MinVersion' }],
          responses: { ...ok('The transfer', ref('TransferSummary')), ...problemResponses(transferQueryProblems) },
        },
      },
      '/api/admin/projections/accounts/rebuild-all': {
        post: adminOperation(
          'rebuildAllAccounts',
          'Rebuild every projection (accounts and transfers), each swapped in whole',
          ok('Rebuilt', ref('AdminActionResult')),
          adminActionProblems,
        ),
      },
      '/api/admin/projections/transfers/{transferId}/rebuild': {
        post: adminOperation('rebuildTransfer', 'Rebuild one transfer projection', ok('Rebuilt', ref('AdminActionResult')), adminAccountProblems, [
          { $ref: '#/components/parameters/TransferId' },
        ]),
      },
      '/api/admin/projections/accounts/{accountId}/rebuild': {
        post: adminOperation('rebuildAccount', 'Rebuild one account projection', ok('Rebuilt', ref('AdminActionResult')), adminAccountProblems, [
          { $ref: '#/components/parameters/AccountId' },
        ]),
      },
      '/api/admin/actors': {
        get: adminOperation('actorConsole', 'Actor supervision console', ok('The console', ref('AdminConsole')), adminProblems),
      },
      '/api/admin/actors/{accountId}/passivate': {
        post: adminOperation('passivateActor', 'Passivate an account actor', ok('Passivated', ref('AdminActionResult')), adminAccountProblems, [
          { $ref: '#/components/parameters/AccountId' },
        ]),
      },
      '/api/admin/projectors/{name}/restart': {
        post: adminOperation('restartProjector', 'Restart a projector', ok('Restarted', ref('AdminActionResult')), adminActionProblems, [
          { name: 'name', in: 'path', required: true, description: 'Projector name, e.g. `accounts`', schema: { type: 'string' } },
        ]),
      },
      '/api/admin/audit': {
        get: adminOperation('adminAudit', 'Recent admin audit entries (100)', ok('Audit entries', ref('AdminAudit')), adminProblems),
      },
      '/livez': {
        get: {
          tags: ['operations'],
          operationId: 'livez',
          summary: 'Liveness (the process only)',
          responses: ok('Alive', ref('Liveness')),
        },
      },
      '/readyz': { get: readinessOperation('readyz', 'Readiness') },
      '/health': { get: readinessOperation('health', 'Health (readiness; seed compatible)') },
      '/api/health': { get: readinessOperation('apiHealth', 'Health under /api (readiness; seed compatible)') },
      '/metrics': {
        get: {
          tags: ['operations'],
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          responses: {
            '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
          },
        },
      },
      '/api/openapi.json': {
        get: {
          tags: ['operations'],
          operationId: 'openApiDocument',
          summary: 'This OpenAPI 3.1 document',
          responses: ok('The document', { type: 'object' }),
        },
      },
      '/console': {
        get: {
          tags: ['operations'],
          operationId: 'console',
          summary: 'Browser actor console (self-contained HTML; calls the admin API with a bearer token)',
          responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
      '/docs': {
        get: {
          tags: ['operations'],
          operationId: 'docs',
          summary: 'Human-readable API documentation (self-contained HTML)',
          responses: { '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
    },
    components: {
      schemas,
      parameters: {
        AccountId: { name: 'accountId', in: 'path', required: true, schema: accountIdSchema },
        TransferId: { name: 'transferId', in: 'path', required: true, schema: transferIdSchema },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description: 'Client-chosen key; retry with the same key to learn the outcome. Missing: 400 idempotency_key_missing.',
          schema: schemaOf(idempotencyKey),
        },
        MinVersion: {
          name: 'minVersion',
          in: 'query',
          required: false,
          description:
            'Wait (bounded by READ_WAIT_MS) until the projection has reached this version of the account or transfer stream; 503 read_model_behind otherwise.',
          schema: schemaOf(minVersionParameter),
        },
        HistoryLimit: { name: 'limit', in: 'query', required: false, description: 'Page size', schema: schemaOf(historyLimit) },
        HistoryOffset: { name: 'offset', in: 'query', required: false, description: 'Entries to skip', schema: schemaOf(historyOffset) },
      },
      securitySchemes: {
        adminBearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      },
    },
  };
}

// ---- /docs: one self-contained page; the CSP allows only its own inline script and style ----

const docsStyle = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1d232b;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c9d1d9}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.tag{margin:24px 0 8px;font-size:16px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
details.op{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:6px 0}
details.op>summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.method{font:600 12px monospace;text-transform:uppercase;padding:2px 8px;border-radius:4px;color:#fff;min-width:48px;text-align:center}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.delete{background:#cf222e}.patch{background:#8250df}
.path{font-family:monospace;font-weight:600}.sum{color:#57606a}.lock{color:#9a6700;font-size:12px}
.body{padding:4px 16px 12px;border-top:1px solid #eaeef2}
h4{margin:12px 0 4px;font-size:13px}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #eaeef2;padding:4px 8px;text-align:left;vertical-align:top}
pre{background:#f6f8fa;border:1px solid #eaeef2;border-radius:4px;padding:8px;overflow:auto;font-size:12px;margin:4px 0}
code{font-family:monospace}.status{font-weight:600;font-family:monospace}.err{color:#cf222e}
`;

const docsScript = `
(function () {
  var main = document.getElementById('ops');
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = String(text); return e; }
  function resolve(doc, value, depth) {
    if (depth > 20 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map(function (v) { return resolve(doc, v, depth + 1); });
    if (typeof value.$ref === 'string' && value.$ref.indexOf('#/') === 0) {
      var target = value.$ref.slice(2).split('/').reduce(function (node, key) { return node == null ? node : node[key.replace(/~1/g, '/').replace(/~0/g, '~')]; }, doc);
      var rest = {}; Object.keys(value).forEach(function (k) { if (k !== '$ref') rest[k] = value[k]; });
      return Object.assign({}, resolve(doc, target, depth + 1), resolve(doc, rest, depth + 1));
    }
    var out = {}; Object.keys(value).forEach(function (k) { out[k] = resolve(doc, value[k], depth + 1); });
    return out;
  }
  function pre(value) { return el('pre', '', JSON.stringify(value, null, 2)); }
  function render(doc) {
    document.getElementById('title').textContent = (doc.info && doc.info.title || 'API') + ' ' + (doc.info && doc.info.version || '');
    document.getElementById('desc').textContent = doc.info && doc.info.description || '';
    var groups = {};
    var order = [];
    Object.keys(doc.paths || {}).forEach(function (path) {
      var item = doc.paths[path];
      ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].forEach(function (method) {
        var op = item[method]; if (!op) return;
        var tag = (op.tags && op.tags[0]) || 'other';
        if (!groups[tag]) { groups[tag] = []; order.push(tag); }
        groups[tag].push({ path: path, method: method, op: resolve(doc, op, 0) });
      });
    });
    order.forEach(function (tag) {
      main.appendChild(el('h2', 'tag', tag));
      groups[tag].forEach(function (entry) {
        var op = entry.op;
        var d = el('details', 'op');
        var s = el('summary');
        s.appendChild(el('span', 'method ' + entry.method, entry.method));
        s.appendChild(el('span', 'path', entry.path));
        s.appendChild(el('span', 'sum', op.summary || ''));
        if (op.security && op.security.length) s.appendChild(el('span', 'lock', 'auth: ' + op.security.map(function (r) { return Object.keys(r).join('+'); }).join(', ')));
        d.appendChild(s);
        var b = el('div', 'body');
        if (op.description) b.appendChild(el('p', '', op.description));
        if (op.parameters && op.parameters.length) {
          b.appendChild(el('h4', '', 'Parameters'));
          var t = el('table'); var h = el('tr');
          ['name', 'in', 'required', 'schema', 'description'].forEach(function (c) { h.appendChild(el('th', '', c)); });
          t.appendChild(h);
          op.parameters.forEach(function (p) {
            var r = el('tr');
            r.appendChild(el('td', '', '')).appendChild(el('code', '', p.name));
            r.appendChild(el('td', '', p.in));
            r.appendChild(el('td', '', p.required ? 'yes' : 'no'));
            r.appendChild(el('td', '', '')).appendChild(el('code', '', JSON.stringify(p.schema || {})));
            r.appendChild(el('td', '', p.description || ''));
            t.appendChild(r);
          });
          b.appendChild(t);
        }
        if (op.requestBody) {
          b.appendChild(el('h4', '', 'Request body' + (op.requestBody.required ? ' (required)' : ' (optional)')));
          Object.keys(op.requestBody.content || {}).forEach(function (type) {
            b.appendChild(el('div', '', type));
            b.appendChild(pre(op.requestBody.content[type].schema));
          });
        }
        b.appendChild(el('h4', '', 'Responses'));
        Object.keys(op.responses || {}).forEach(function (status) {
          var resp = op.responses[status];
          var line = el('div');
          line.appendChild(el('span', 'status' + (status >= '400' ? ' err' : ''), status + ' '));
          line.appendChild(el('span', '', resp.description || ''));
          b.appendChild(line);
          Object.keys(resp.content || {}).forEach(function (type) {
            var det = el('details'); det.appendChild(el('summary', '', type));
            det.appendChild(pre(resp.content[type].schema)); b.appendChild(det);
          });
        });
        d.appendChild(b);
        main.appendChild(d);
      });
    });
  }
  fetch('/api/openapi.json', { headers: { accept: 'application/json' } })
    .then(function (r) { if (!r.ok) throw new Error('GET /api/openapi.json answered ' + r.status); return r.json(); })
    .then(render)
    .catch(function (e) { main.appendChild(el('p', 'err', 'Could not load the API document: ' + e.message)); });
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The /docs page: no external assets; it fetches /api/openapi.json and renders the operations. */
export const docsHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acta API</title>
<style>${docsStyle}</style>
</head>
<body>
<header><h1 id="title">Acta API</h1><p id="desc">Loading /api/openapi.json…</p></header>
<main id="ops"><noscript>This page needs JavaScript; the raw document is at /api/openapi.json.</noscript></main>
<script>${docsScript}</script>
</body>
</html>
`;

const docsCsp = [
  "default-src 'none'",
  `script-src ${sha256(docsScript)}`,
  `style-src ${sha256(docsStyle)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** GET /api/openapi.json (the document) and GET /docs (the HTML page). Mount at the root. */
export function openApiRouter(): Router {
  const router = Router();
  const body = JSON.stringify(buildOpenApiDocument());
  router.get('/api/openapi.json', (_req, res) => {
    res.status(200).type('application/json').send(body);
  });
  router.get('/docs', (_req, res) => {
    res
      .status(200)
      .set({ 'content-security-policy': docsCsp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
      .type('text/html')
      .send(docsHtml);
  });
  return router;
}
