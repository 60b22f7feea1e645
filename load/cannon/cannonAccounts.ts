// Creates the accounts an autocannon scenario targets, before the clock starts. Unlike the scenario
// runner's seeding, any failure aborts: a benchmark over half-created accounts measures 404s.
import { HttpClient } from '../shared/httpClient';
import { RunIds } from '../shared/ids';

export interface CannonAccountsOptions {
  count: number;
  concurrency: number;
  currency: string;
  /** Opening deposit, so balance reads return a real balance; 0 skips it. */
  initialDeposit: number;
}

export async function createCannonAccounts(client: HttpClient, ids: RunIds, options: CannonAccountsOptions): Promise<string[]> {
  const accountIds: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < options.count) {
      next += 1;
      const { accountId, ownerId } = ids.nextAccount();
      await expectSuccess(client, 'POST /accounts', '/accounts', { accountId, ownerId, currency: options.currency }, ids);
      if (options.initialDeposit > 0) {
        const body = { amount: options.initialDeposit, currency: options.currency, transactionId: ids.transactionId() };
        await expectSuccess(client, 'POST deposit', `/accounts/${encodeURIComponent(accountId)}/deposits`, body, ids);
      }
      accountIds.push(accountId);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, loop));
  return accountIds;
}

async function expectSuccess(client: HttpClient, what: string, path: string, body: unknown, ids: RunIds): Promise<void> {
  const result = await client.send({ method: 'POST', path, body, idempotencyKey: ids.idempotencyKey() });
  if (typeof result.status === 'number' && result.status >= 200 && result.status < 300) return;
  throw new Error(`preparing accounts: ${what} answered ${result.status} ${result.code ?? ''} ${result.message ?? ''}`.trim());
}
