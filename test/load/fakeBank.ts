// A small in-memory bank speaking Acta's HTTP contract, so the load instruments can be tested before
// (and independently of) the real server. It models what the runner must cope with: insufficient
// funds, a read model that lags the write side, minVersion waits, asynchronous transfers, a missing
// transfers route, and injected 500s.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';

export interface FakeBankOptions {
  /** Delay before a write is visible to reads (the projection lag). */
  projectionLagMs?: number;
  /** Longest a read with minVersion waits for the projection before answering 503. */
  minVersionWaitMs?: number;
  /** Delay before a transfer settles. */
  transferDelayMs?: number;
  /** When false, /transfers is not routed at all (404 route_not_found), like a server without transfers yet. */
  transfers?: boolean;
  /** Every nth deposit answers 500, to exercise the runner's exit decision. */
  failEveryNthDeposit?: number;
}

interface Movement {
  type: 'AccountCreated' | 'MoneyDeposited' | 'MoneyWithdrawn' | 'TransferDebited' | 'TransferCredited';
  amount: number;
  transactionId?: string;
}

interface FakeAccount {
  accountId: string;
  ownerId: string;
  currency: string;
  balance: number;
  events: Movement[];
  projectedVersion: number;
  projectedBalance: number;
  waiters: Array<() => void>;
}

interface FakeTransfer {
  transferId: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED';
  sourceAccountId: string;
  destinationAccountId: string;
  amount: number;
  currency: string;
}

export interface FakeBank {
  baseUrl: string;
  accounts: ReadonlyMap<string, FakeAccount>;
  transfers: ReadonlyMap<string, FakeTransfer>;
  /** Requests by route, to check what the runner sent. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const defaults = { projectionLagMs: 5, minVersionWaitMs: 1_000, transferDelayMs: 5, transfers: true, failEveryNthDeposit: 0 };

export async function startFakeBank(options: FakeBankOptions = {}): Promise<FakeBank> {
  const o = { ...defaults, ...options };
  const accounts = new Map<string, FakeAccount>();
  const transfers = new Map<string, FakeTransfer>();
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let deposits = 0;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const problem = (res: Response, status: number, code: string, detail: string) =>
    res.status(status).type('application/problem+json').send(JSON.stringify({ type: `urn:acta:problem:${code}`, title: code, status, detail, code }));
  const count = (route: string) => hits.set(route, (hits.get(route) ?? 0) + 1);

  /** Appends to the write side now and to the read model after the projection lag, in order. */
  const append = (account: FakeAccount, movement: Movement, delta: number): number => {
    account.events.push(movement);
    account.balance += delta;
    const version = account.events.length;
    later(o.projectionLagMs, () => {
      account.projectedVersion = version;
      account.projectedBalance += delta;
      for (const wake of account.waiters.splice(0)) wake();
    });
    return version;
  };

  /** Resolves the account as the read model sees it, waiting (bounded) for minVersion. */
  const readAccount = async (req: Request, res: Response): Promise<FakeAccount | undefined> => {
    const account = accounts.get(String(req.params.id));
    const raw = req.query.minVersion;
    const minVersion = raw === undefined ? undefined : Number(raw);
    if (minVersion !== undefined && !Number.isSafeInteger(minVersion)) {
      problem(res, 400, 'validation_failed', 'minVersion must be an integer');
      return undefined;
    }
    if (account !== undefined && minVersion !== undefined) {
      const waitUntil = Date.now() + o.minVersionWaitMs;
      while (account.projectedVersion < minVersion && Date.now() < waitUntil) {
        await new Promise<void>((resolve) => {
          account.waiters.push(resolve);
          later(Math.max(1, waitUntil - Date.now()), resolve);
        });
      }
      if (account.projectedVersion < minVersion) {
        problem(res, 503, 'min_version_timeout', 'read model did not reach minVersion in time');
        return undefined;
      }
    }
    if (account === undefined || account.projectedVersion === 0) {
      problem(res, 404, 'account_not_found', `Account ${String(req.params.id)} not found`);
      return undefined;
    }
    return account;
  };

  const app = express();
  app.use(express.json());
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const api = express.Router();
  api.use((req, res, next) => {
    if (req.method === 'POST' && req.get('idempotency-key') === undefined) {
      problem(res, 400, 'idempotency_key_missing', 'The Idempotency-Key header is required');
      return;
    }
    next();
  });

  api.post('/accounts', (req, res) => {
    count('createAccount');
    const { accountId, ownerId, currency } = req.body as Record<string, string>;
    if (accounts.has(accountId)) return problem(res, 409, 'account_already_exists', `Account ${accountId} already exists`);
    const account: FakeAccount = { accountId, ownerId, currency, balance: 0, events: [], projectedVersion: 0, projectedBalance: 0, waiters: [] };
    accounts.set(accountId, account);
    const version = append(account, { type: 'AccountCreated', amount: 0 }, 0);
    res.status(201).json({ accountId, ownerId, currency, status: 'ACTIVE', balance: 0, availableBalance: 0, version });
  });

  const movement = (kind: 'deposit' | 'withdraw') => (req: Request, res: Response) => {
    count(kind);
    const account = accounts.get(String(req.params.id));
    if (account === undefined) return problem(res, 404, 'account_not_found', `Account ${String(req.params.id)} not found`);
    const { amount, currency, transactionId } = req.body as { amount: number; currency: string; transactionId: string };
    if (!Number.isSafeInteger(amount) || amount < 1) return problem(res, 400, 'validation_failed', 'amount must be a positive integer');
    if (currency !== account.currency) return problem(res, 400, 'currency_mismatch', 'currency does not match the account');
    if (kind === 'deposit') {
      deposits += 1;
      if (o.failEveryNthDeposit > 0 && deposits % o.failEveryNthDeposit === 0) return problem(res, 500, 'internal_error', 'injected fault');
    }
    if (kind === 'withdraw' && amount > account.balance) return problem(res, 400, 'insufficient_funds', 'Insufficient funds');
    const delta = kind === 'deposit' ? amount : -amount;
    const version = append(account, { type: kind === 'deposit' ? 'MoneyDeposited' : 'MoneyWithdrawn', amount, transactionId }, delta);
    res.status(201).json({ accountId: account.accountId, transactionId, amount, currency, balance: account.balance, version });
  };
  api.post('/accounts/:id/deposits', movement('deposit'));
  api.post('/accounts/:id/withdrawals', movement('withdraw'));

  api.get('/accounts/:id/balance', async (req, res) => {
    count('getBalance');
    const account = await readAccount(req, res);
    if (account === undefined) return;
    res.json({ accountId: account.accountId, balance: account.projectedBalance, currency: account.currency, status: 'ACTIVE', version: account.projectedVersion });
  });
  api.get('/accounts/:id/history', async (req, res) => {
    count('getHistory');
    const account = await readAccount(req, res);
    if (account === undefined) return;
    const limit = Number(req.query.limit ?? 50);
    const offset = Number(req.query.offset ?? 0);
    const visible = account.events.slice(0, account.projectedVersion);
    const entries = visible.slice(offset, offset + limit).map((event, index) => ({ streamVersion: offset + index + 1, eventType: event.type, amount: event.amount }));
    res.json({ accountId: account.accountId, entries });
  });

  if (o.transfers) {
    api.post('/transfers', (req, res) => {
      count('initiateTransfer');
      const body = req.body as Omit<FakeTransfer, 'status'>;
      const source = accounts.get(body.sourceAccountId);
      const destination = accounts.get(body.destinationAccountId);
      if (source === undefined || destination === undefined) return problem(res, 404, 'account_not_found', 'source or destination not found');
      const transfer: FakeTransfer = { ...body, status: 'PENDING' };
      transfers.set(transfer.transferId, transfer);
      later(o.transferDelayMs, () => {
        if (source.balance < transfer.amount) {
          transfer.status = 'FAILED';
          return;
        }
        append(source, { type: 'TransferDebited', amount: transfer.amount }, -transfer.amount);
        append(destination, { type: 'TransferCredited', amount: transfer.amount }, transfer.amount);
        transfer.status = 'COMPLETED';
      });
      res.status(202).json({ transferId: transfer.transferId, status: 'PENDING', version: 1 });
    });
    api.get('/transfers/:id', (req, res) => {
      count('getTransferStatus');
      const transfer = transfers.get(String(req.params.id));
      if (transfer === undefined) return problem(res, 404, 'transfer_not_found', 'Transfer not found');
      res.json(transfer);
    });
  }

  app.use('/api', api);
  app.use((req, res) => problem(res, 404, 'route_not_found', `No route for ${req.method} ${req.path}`));

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    accounts,
    transfers,
    hits,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
