// The autocannon scenarios: what each prepares and the request template autocannon repeats.
//   deposits-spread  deposits round-robin over many accounts (one command per actor at a time)
//   deposits-hot     every deposit on one account (group commit's case)
//   balance-reads    balance reads round-robin over many accounts
import path from 'node:path';
import type autocannon from 'autocannon';
import { createCannonAccounts } from './cannonAccounts';
import { HttpClient } from '../shared/httpClient';
import { RunIds } from '../shared/ids';

/** What an Acta request template carries for its setupRequest hook (cannonSetupRequest.ts). It travels
 * inside the request object because autocannon hands worker threads only the (cloned) options. */
export interface ActaCannonData {
  kind: 'deposit' | 'balance';
  /** Path prefix of the API, e.g. `/api`. */
  pathPrefix: string;
  accountIds: string[];
  amount: number;
  currency: string;
  /** Unique per run; with the thread id and a counter it makes every key unique. */
  runId: string;
}

export type ActaCannonRequest = autocannon.Request & { acta: ActaCannonData };

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
