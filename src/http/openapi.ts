// The OpenAPI 3.1 document of Acta's HTTP API, generated from the same zod schemas the gateway
// validates with (request bodies, path, header and query parameters), served at /api/openapi.json,
// and the /docs page that renders it (its files are in docs/; no CDN: it must work offline).
import path from 'node:path';
import { statusTitles } from './problem';
import { Router } from 'express';
import { z } from 'zod';
import {
  accountParams,
  freezeBody,
  historyQuery,
  idempotencyKey,
  moneyBody,
  openAccountBody,
  transferBody,
  unfreezeBody,
} from './schemas';
import { loadStaticPage } from './staticPage';
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

// The query parameters from the gateway's own history query schema (readQuery's minVersion is the
// same schema). Its output side: the gateway parses digit strings into integers in bounds, and its
// input side would show strings with a pattern and hide the defaults, while an integer schema is
// what client generators expect for a query value.
const historyQueryParameters = z.toJSONSchema(historyQuery, { io: 'output' }).properties as Record<keyof typeof historyQuery.shape, Json>;

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
  503: ['mailbox_full', 'command_timeout', 'account_unavailable', 'actors_exhausted', 'node_overloaded', 'shutting_down'],
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
    description:
      `${description} An account the event store has but the read model does not yet is waited for (bounded by READ_WAIT_MS), never a 404. ` +
      'Query integers are plain decimal digits; anything else, and unknown query parameters, answer 400 validation_failed.',
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
          schema: historyQueryParameters.minVersion,
        },
        HistoryLimit: { name: 'limit', in: 'query', required: false, description: 'Page size', schema: historyQueryParameters.limit },
        HistoryOffset: { name: 'offset', in: 'query', required: false, description: 'Entries to skip', schema: historyQueryParameters.offset },
      },
      securitySchemes: {
        adminBearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
      },
    },
  };
}

/** GET /api/openapi.json (the document) and GET /docs (the HTML page, read from docs/ once, here). Mount at the root. */
export function openApiRouter(): Router {
  const router = Router();
  const body = JSON.stringify(buildOpenApiDocument());
  const docs = loadStaticPage(path.join(__dirname, 'docs'), 'docs');
  router.get('/api/openapi.json', (_req, res) => {
    res.status(200).type('application/json').send(body);
  });
  router.get('/docs', (_req, res) => {
    res
      .status(200)
      .set({ 'content-security-policy': docs.contentSecurityPolicy, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' })
      .type('text/html')
      .send(docs.html);
  });
  return router;
}
