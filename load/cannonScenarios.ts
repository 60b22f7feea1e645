// The autocannon scenarios: what each prepares and the request template autocannon repeats.
//   deposits-spread  deposits round-robin over many accounts (one command per actor at a time)
//   deposits-hot     every deposit on one account (group commit's case)
//   balance-reads    balance reads round-robin over many accounts
import path from 'node:path';
import { createCannonAccounts } from './cannonAccounts';
import { ActaCannonData, ActaCannonRequest } from './cannonRequestData';
import { HttpClient } from './httpClient';
import { RunIds } from './ids';

export const cannonScenarioNames = ['deposits-spread', 'deposits-hot', 'balance-reads'] as const;
export type CannonScenarioName = (typeof cannonScenarioNames)[number];

export interface CannonScenarioOptions {
  baseUrl: string;
  accounts: number;
  amount: number;
  currency: string;
  seedConcurrency: number;
}

/** File autocannon's worker threads load as the per-request hook. */
export const setupRequestModule = path.join(__dirname, 'cannonSetupRequest.ts');

/** Opening balance of balance-read accounts: any positive amount shows the read returns real data. */
const balanceReadsInitialDeposit = 1_000;

export function isCannonScenario(name: string): name is CannonScenarioName {
  return (cannonScenarioNames as readonly string[]).includes(name);
}

/** Creates the scenario's accounts and returns the request template, with its data, for autocannon. */
export async function prepareCannonScenario(name: CannonScenarioName, client: HttpClient, options: CannonScenarioOptions): Promise<ActaCannonRequest> {
  const ids = new RunIds('bench');
  const count = name === 'deposits-hot' ? 1 : options.accounts;
  const initialDeposit = name === 'balance-reads' ? balanceReadsInitialDeposit : 0;
  const accountIds = await createCannonAccounts(client, ids, { count, concurrency: options.seedConcurrency, currency: options.currency, initialDeposit });
  const acta: ActaCannonData = {
    kind: name === 'balance-reads' ? 'balance' : 'deposit',
    pathPrefix: new URL(options.baseUrl).pathname.replace(/\/+$/, ''),
    accountIds,
    amount: options.amount,
    currency: options.currency,
    runId: ids.runId,
  };
  return { method: acta.kind === 'balance' ? 'GET' : 'POST', path: `${acta.pathPrefix}/health`, acta };
}
