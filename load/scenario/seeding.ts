// Creates the starting pool: --accounts accounts, each opened and given --initial-deposit, with at
// most --seed-concurrency chains in flight. Unlike the seed's batches (which wait for the slowest
// request of each batch), a fixed number of loops pull the next account as soon as they are free.
import { AccountPool, PoolAccount } from './accountPool';
import { ScenarioConfig } from './flags';
import { RunIds } from '../shared/ids';
import { CallTarget, isSuccess, recordedCall, versionOf } from './recordedCall';
import { OperationName } from './operationNames';

export interface SeedingContext extends CallTarget {
  config: ScenarioConfig;
  pool: AccountPool;
  ids: RunIds;
  signal?: AbortSignal;
}

export async function seedAccounts(ctx: SeedingContext): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < ctx.config.accounts && ctx.signal?.aborted !== true) {
      next += 1;
      await openAccount(ctx, 'seedCreateAccount', 'seedDeposit');
    }
  };
  const loops = Math.min(ctx.config.seedConcurrency, ctx.config.accounts);
  await Promise.all(Array.from({ length: loops }, loop));
}

/**
 * Opens one account and makes its opening deposit; used by seeding and by the workload's `create`.
 * Returns the pooled account (undefined when the create failed or the pool is full).
 */
export async function openAccount(
  ctx: SeedingContext,
  createOperation: OperationName,
  depositOperation: OperationName,
  onVersion?: (accountId: string, version: number) => void,
): Promise<PoolAccount | undefined> {
  const { accountId, ownerId } = ctx.ids.nextAccount();
  const created = await recordedCall(ctx, createOperation, {
    method: 'POST',
    path: '/accounts',
    body: { accountId, ownerId, currency: ctx.config.currency },
    idempotencyKey: ctx.ids.idempotencyKey(),
  });
  if (!isSuccess(created)) return undefined;
  const account: PoolAccount = { id: accountId, localBalance: 0, knownVersion: versionOf(created.body) };
  if (account.knownVersion !== undefined) onVersion?.(accountId, account.knownVersion);
  if (ctx.config.initialDeposit > 0) {
    const deposited = await recordedCall(ctx, depositOperation, {
      method: 'POST',
      path: `/accounts/${encodeURIComponent(accountId)}/deposits`,
      body: { amount: ctx.config.initialDeposit, currency: ctx.config.currency, transactionId: ctx.ids.transactionId() },
      idempotencyKey: ctx.ids.idempotencyKey(),
    });
    if (isSuccess(deposited)) {
      account.localBalance += ctx.config.initialDeposit;
      const version = versionOf(deposited.body);
      if (version !== undefined) {
        account.knownVersion = version;
        onVersion?.(accountId, version);
      }
    }
  }
  return ctx.pool.add(account) ? account : undefined;
}
