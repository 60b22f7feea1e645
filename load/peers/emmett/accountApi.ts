// The peer's HTTP API on Express, in the shape of Emmett's expressjs samples (api.ts): each route
// builds a command, runs it through Emmett's CommandHandler (read the stream, decide, append with the
// stream's version as the expected version) and answers; reads come from the Pongo document. Routes
// and bodies follow Acta's for what the bench sends: open account, deposit, withdraw, balance, health.
// Errors are mapped as @event-driven-io/emmett-expressjs maps them (ValidationError 400,
// IllegalStateError 403, NotFoundError 404, ConcurrencyError 412) to problem+json, with the rule's
// name as `code`. An Idempotency-Key header is accepted and ignored: the peer records no idempotency.
import { CommandHandler, EmmettError, ValidationError, assertNotEmptyString, isExpectedVersionConflictError, type EventStore } from '@event-driven-io/emmett';
import type { PongoDb } from '@event-driven-io/pongo';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { loadLimits } from '../../shared/limits';
import { accountStreamName, decide, evolve, initialState, type DepositMoney, type OpenAccount, type WithdrawMoney } from './account';
import { getAccountBalance } from './accountBalance';

/**
 * Emmett's CommandHandler retrying on a version conflict (its `retry.onVersionConflict` option):
 * a conflict re-reads the stream and decides again, with a randomised backoff, bounded.
 */
export const handle = CommandHandler({
  evolve,
  initialState,
  retry: {
    onVersionConflict: {
      retries: loadLimits.peerConflictRetries,
      minTimeout: loadLimits.peerConflictRetryMinMs,
      maxTimeout: loadLimits.peerConflictRetryMaxMs,
      factor: loadLimits.peerConflictRetryFactor,
      randomize: true,
      shouldRetryError: isExpectedVersionConflictError,
    },
  },
});

/** Money is an integer count of minor units; Emmett's assertPositiveNumber alone would let 1.5 through. */
const assertAmount = (value: unknown): number => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw new ValidationError('amount must be a positive integer of minor units');
  return value;
};

const bodyOf = (request: Request): Record<string, unknown> => {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('the body must be a JSON object');
  return body as Record<string, unknown>;
};

const movementOf = (request: Request) => {
  const body = bodyOf(request);
  return {
    accountId: assertNotEmptyString(request.params.accountId),
    amount: assertAmount(body.amount),
    currency: assertNotEmptyString(body.currency),
    transactionId: assertNotEmptyString(body.transactionId),
  };
};

export function accountApi(eventStore: EventStore, readStore: PongoDb, now: () => Date): express.Router {
  const router = express.Router();

  router.post('/accounts', async (request, response) => {
    const body = bodyOf(request);
    const command: OpenAccount = {
      type: 'OpenAccount',
      data: { accountId: assertNotEmptyString(body.accountId), ownerId: assertNotEmptyString(body.ownerId), currency: assertNotEmptyString(body.currency) },
      metadata: { now: now() },
    };
    const { nextExpectedStreamVersion } = await handle(eventStore, accountStreamName(command.data.accountId), (state) => decide(command, state));
    response.status(201).json({ ...command.data, status: 'ACTIVE', balance: 0, version: Number(nextExpectedStreamVersion) });
  });

  router.post('/accounts/:accountId/deposits', async (request, response) => {
    const command: DepositMoney = { type: 'DepositMoney', data: movementOf(request), metadata: { now: now() } };
    const { newState, nextExpectedStreamVersion } = await handle(eventStore, accountStreamName(command.data.accountId), (state) => decide(command, state));
    const balance = newState.status === 'Open' ? newState.balance : 0;
    response.status(201).json({ ...command.data, balance, version: Number(nextExpectedStreamVersion) });
  });

  router.post('/accounts/:accountId/withdrawals', async (request, response) => {
    const command: WithdrawMoney = { type: 'WithdrawMoney', data: movementOf(request), metadata: { now: now() } };
    const { newState, nextExpectedStreamVersion } = await handle(eventStore, accountStreamName(command.data.accountId), (state) => decide(command, state));
    const balance = newState.status === 'Open' ? newState.balance : 0;
    response.status(201).json({ ...command.data, balance, version: Number(nextExpectedStreamVersion) });
  });

  router.get('/accounts/:accountId/balance', async (request, response) => {
    const accountId = assertNotEmptyString(request.params.accountId);
    const document = await getAccountBalance(readStore, accountStreamName(accountId));
    if (document === null) {
      sendProblem(response, 404, 'account_not_found', `account ${accountId} does not exist`);
      return;
    }
    response.json({ accountId, balance: document.balance, currency: document.currency, version: document.version });
  });

  return router;
}

function sendProblem(response: Response, status: number, code: string, detail: string): void {
  response.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', status, code, detail }));
}

// emmett-postgresql 0.42 bundles its own copy of emmett's classes, so its ExpectedVersionConflictError
// is no `instanceof` ours: errors are told apart by their errorCode, as EmmettError.isInstanceOf does.

/** The problem's `code`: a broken rule's name (the IllegalStateError's message), else the error's kind. */
function codeOf(error: unknown, status: number): string {
  if (EmmettError.isInstanceOf(error, EmmettError.Codes.IllegalStateError)) return error.message;
  if (EmmettError.isInstanceOf(error, EmmettError.Codes.ConcurrencyError)) return 'concurrency_conflict';
  if (EmmettError.isInstanceOf(error, EmmettError.Codes.ValidationError)) return 'validation_error';
  return status >= 500 ? 'internal_error' : 'malformed_request';
}

/** express.json's own 4xx (a malformed body) carries `status`; anything else unknown is a 500. */
function statusOf(error: unknown): number {
  if (EmmettError.isInstanceOf(error)) return error.errorCode;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

export function createEmmettApp(eventStore: EventStore, readStore: PongoDb, now: () => Date): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.json());
  app.get('/api/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.use('/api', accountApi(eventStore, readStore, now));
  // Express 5 hands a rejected async handler's error here.
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status >= 500) console.error('emmett peer: unexpected error', error);
    sendProblem(response, status, codeOf(error, status), message);
  });
  return app;
}
