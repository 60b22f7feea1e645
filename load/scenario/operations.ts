// The workload's operations, one function each, picked by weight in every worker iteration.
// Each sends its requests through recordedCall and keeps the local balances a lower bound
// (see accountPool.ts). None throws for a failed request; a failure is a recorded result.
import { PoolAccount } from './accountPool';
import { OperationWeights } from './flags';
import { Random, randomIntInclusive } from '../shared/prng';
import { isDefiniteRejection, isSuccess, recordedCall, versionOf } from './recordedCall';
import { SeedingContext, openAccount } from './seeding';
import { TransferBook, TransferStatus } from './transferBook';
import { isRecord } from '../shared/httpClient';

export interface WorkerContext extends SeedingContext {
  transfers: TransferBook;
  random: Random;
  /** This worker's last write version per account: what --read-your-writes passes as minVersion. */
  lastWriteVersion: Map<string, number>;
}

export type OperationKind = keyof OperationWeights;
type Operation = (ctx: WorkerContext) => Promise<void>;

const accountPath = (account: PoolAccount, suffix: string) => `/accounts/${encodeURIComponent(account.id)}${suffix}`;

function noteWrite(ctx: WorkerContext, accountId: string, body: unknown): void {
  const version = versionOf(body);
  if (version === undefined) return;
  const previous = ctx.lastWriteVersion.get(accountId) ?? 0;
  if (version > previous) ctx.lastWriteVersion.set(accountId, version);
}

/**
 * minVersion for a read of `account`: this worker's last write there, else the version the account
 * joined the pool with (any client that learned of the account knows that much); none without the flag.
 */
function minVersionFor(ctx: WorkerContext, account: PoolAccount): number | undefined {
  if (!ctx.config.readYourWrites) return undefined;
  return ctx.lastWriteVersion.get(account.id) ?? account.knownVersion;
}

function withMinVersion(path: string, minVersion: number | undefined): string {
  if (minVersion === undefined) return path;
  return `${path}${path.includes('?') ? '&' : '?'}minVersion=${minVersion}`;
}

const deposit: Operation = async (ctx) => {
  const account = ctx.pool.pick(ctx.random);
  const amount = randomIntInclusive(ctx.random, ctx.config.minAmount, ctx.config.maxAmount);
  const result = await recordedCall(ctx, 'deposit', {
    method: 'POST',
    path: accountPath(account, '/deposits'),
    body: { amount, currency: ctx.config.currency, transactionId: ctx.ids.transactionId() },
    idempotencyKey: ctx.ids.idempotencyKey(),
  });
  if (!isSuccess(result)) return;
  account.localBalance += amount;
  noteWrite(ctx, account.id, result.body);
};

const withdraw: Operation = async (ctx) => {
  const { minAmount, maxAmount } = ctx.config;
  // Seed behaviour when nothing is affordable: send the minimum anyway, an expected insufficient_funds.
  const account = ctx.pool.findAffordable(ctx.random, minAmount) ?? ctx.pool.pick(ctx.random);
  const amount = randomIntInclusive(ctx.random, minAmount, Math.max(minAmount, Math.min(maxAmount, account.localBalance)));
  const reserved = amount <= account.localBalance ? amount : 0;
  account.localBalance -= reserved;
  const result = await recordedCall(ctx, 'withdraw', {
    method: 'POST',
    path: accountPath(account, '/withdrawals'),
    body: { amount, currency: ctx.config.currency, transactionId: ctx.ids.transactionId() },
    idempotencyKey: ctx.ids.idempotencyKey(),
  });
  if (isSuccess(result)) noteWrite(ctx, account.id, result.body);
  else if (isDefiniteRejection(result)) account.localBalance += reserved;
};

const balance: Operation = async (ctx) => {
  const account = ctx.pool.pick(ctx.random);
  const minVersion = minVersionFor(ctx, account);
  const path = withMinVersion(accountPath(account, '/balance'), minVersion);
  await recordedCall(ctx, 'getBalance', { method: 'GET', path }, minVersion !== undefined);
};

const history: Operation = async (ctx) => {
  const account = ctx.pool.pick(ctx.random);
  const minVersion = minVersionFor(ctx, account);
  const path = withMinVersion(accountPath(account, `/history?limit=${ctx.config.historyLimit}&offset=0`), minVersion);
  await recordedCall(ctx, 'getHistory', { method: 'GET', path }, minVersion !== undefined);
};

const create: Operation = async (ctx) => {
  await openAccount(ctx, 'createAccount', 'deposit', (accountId, version) => {
    const previous = ctx.lastWriteVersion.get(accountId) ?? 0;
    if (version > previous) ctx.lastWriteVersion.set(accountId, version);
  });
};

const transfer: Operation = async (ctx) => {
  const { minAmount, maxTransferAmount } = ctx.config;
  const source = ctx.pool.findAffordable(ctx.random, minAmount) ?? ctx.pool.pick(ctx.random);
  const destination = ctx.pool.pickOther(ctx.random, source.id);
  // A pool of one (every other seed create failed) cannot transfer; keep the worker busy with a deposit.
  if (destination === undefined) return deposit(ctx);
  const amount = randomIntInclusive(ctx.random, minAmount, Math.max(minAmount, Math.min(maxTransferAmount, source.localBalance)));
  const reserved = amount <= source.localBalance ? amount : 0;
  source.localBalance -= reserved;
  const transferId = ctx.ids.nextTransferId();
  const result = await recordedCall(ctx, 'initiateTransfer', {
    method: 'POST',
    path: '/transfers',
    body: { transferId, sourceAccountId: source.id, destinationAccountId: destination.id, amount, currency: ctx.config.currency },
    idempotencyKey: ctx.ids.idempotencyKey(),
  });
  if (isSuccess(result)) {
    // Unreserved (unaffordable) transfers are tracked with amount 0 so a FAILED status returns nothing.
    ctx.transfers.add({ transferId, source, destination, amount: reserved, version: versionOf(result.body), settled: false });
  } else if (isDefiniteRejection(result)) {
    source.localBalance += reserved;
  }
};

const transferStatus: Operation = async (ctx) => {
  const tracked = ctx.transfers.pick(ctx.random);
  // The seed's fallback: with nothing to poll yet, start a transfer instead.
  if (tracked === undefined) return transfer(ctx);
  const minVersion = ctx.config.readYourWrites ? tracked.version : undefined;
  const path = withMinVersion(`/transfers/${encodeURIComponent(tracked.transferId)}`, minVersion);
  const result = await recordedCall(ctx, 'getTransferStatus', { method: 'GET', path }, minVersion !== undefined);
  if (!isSuccess(result)) return;
  const status = transferStatusOf(result.body);
  if (status === undefined) return;
  const terminal = ctx.transfers.settle(tracked, status);
  if (terminal && ctx.config.removeCompletedTransfersFromPool) ctx.transfers.remove(tracked);
};

function transferStatusOf(body: unknown): TransferStatus | undefined {
  const status = isRecord(body) ? body.status : undefined;
  return status === 'PENDING' || status === 'COMPLETED' || status === 'FAILED' ? status : undefined;
}

export const operations: Readonly<Record<OperationKind, Operation>> = {
  deposit,
  withdraw,
  balance,
  history,
  create,
  transfer,
  transferStatus,
};
