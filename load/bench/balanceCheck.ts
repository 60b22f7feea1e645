// Checks, after a measured run, that the server kept exactly the deposits it acknowledged: every
// account's balance is read back over HTTP and their sum compared with what autocannon saw answered 2xx.
// autocannon destroys its sockets when the duration ends, so up to one request per connection is
// still unanswered then, and the server may commit it anyway; the sum must therefore lie in
// [2xx deposits, 2xx + unanswered deposits] (requests sent − responses, from autocannon's own counts),
// and it is exact whenever nothing was left in flight. Reads are retried until the sum stops moving
// (Acta's read model is asynchronous), bounded; the settled sum is the base of the next check.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CannonStats } from '../cannon/runCannon';
import { HttpClient, isRecord } from '../shared/httpClient';
import { loadLimits } from '../shared/limits';

export interface BalanceVerdict {
  ok: boolean;
  /** Sum of the balances read back, null when they could not be read. */
  observed: number | null;
  /** The range the sum had to lie in, minor units. */
  atLeast: number;
  atMost: number;
  /** Deposits answered 2xx, and those still unanswered when autocannon stopped, since the last check. */
  acknowledged: number;
  unanswered: number;
  problem?: string;
}

/** Responses with a 2xx status in one autocannon run. */
export function acknowledgedRequests(stats: CannonStats): number {
  return Object.entries(stats.statusCodes).reduce((sum, [code, count]) => (Number(code) >= 200 && Number(code) < 300 ? sum + count : sum), 0);
}

/** Requests sent that had no response when the run ended (errors and timeouts among them). */
export function unansweredRequests(stats: CannonStats): number {
  return Math.max(0, stats.requestsSent - stats.totalRequests);
}

/** What the balances of one row's accounts must add up to, run after run. */
export class DepositLedger {
  private base: number;
  private acknowledged = 0;
  private unanswered = 0;

  /** `base`: the accounts' total before the first recorded run (0 for freshly opened accounts). */
  constructor(
    private readonly amount: number,
    base = 0,
  ) {
    this.base = base;
  }

  /** Every run that deposits on the accounts, warm-ups included. */
  record(stats: CannonStats): void {
    this.acknowledged += acknowledgedRequests(stats);
    this.unanswered += unansweredRequests(stats);
  }

  expected(): { atLeast: number; atMost: number } {
    return { atLeast: this.base + this.acknowledged * this.amount, atMost: this.base + (this.acknowledged + this.unanswered) * this.amount };
  }

  /** Judges the settled sum (null: unreadable) and starts the next window from it. */
  settle(observed: number | null, problem?: string): BalanceVerdict {
    const { atLeast, atMost } = this.expected();
    const within = observed !== null && observed >= atLeast && observed <= atMost && (observed - this.base) % this.amount === 0;
    const verdict: BalanceVerdict = { ok: within, observed, atLeast, atMost, acknowledged: this.acknowledged, unanswered: this.unanswered };
    if (problem !== undefined) verdict.problem = problem;
    if (observed !== null) this.base = observed;
    this.acknowledged = 0;
    this.unanswered = 0;
    return verdict;
  }
}

/** Sum of the accounts' `balance` from GET /accounts/:id/balance; a failed read is returned as its reason. */
export async function readBalanceTotal(client: HttpClient, accountIds: readonly string[]): Promise<number | string> {
  let next = 0;
  let total = 0;
  let failure: string | null = null;
  const loop = async () => {
    while (failure === null && next < accountIds.length) {
      const accountId = accountIds[next] as string;
      next += 1;
      const result = await client.send({ method: 'GET', path: `/accounts/${encodeURIComponent(accountId)}/balance` });
      const balance = isRecord(result.body) ? result.body.balance : undefined;
      if (result.status !== 200 || typeof balance !== 'number') failure = `GET balance of ${accountId} answered ${result.status} ${result.code ?? ''}`.trim();
      else total += balance;
    }
  };
  await Promise.all(Array.from({ length: Math.min(loadLimits.balanceReadConcurrency, accountIds.length) }, loop));
  return failure ?? total;
}

export interface SettleOptions {
  settleMs: number;
  pollMs: number;
}

/**
 * Reads the total until it lies in the ledger's window and two reads in a row agree, or the bound
 * runs out; then settles the ledger with the last total.
 */
export async function verifyBalances(
  client: HttpClient,
  accountIds: readonly string[],
  ledger: DepositLedger,
  options: SettleOptions = { settleMs: loadLimits.balanceSettleMs, pollMs: loadLimits.balanceSettlePollMs },
): Promise<BalanceVerdict> {
  const deadline = Date.now() + options.settleMs;
  const { atLeast, atMost } = ledger.expected();
  let previous: number | string | null = null;
  for (;;) {
    const total = await readBalanceTotal(client, accountIds);
    const settled = typeof total === 'number' && total >= atLeast && total <= atMost && total === previous;
    if (settled || Date.now() >= deadline) {
      return typeof total === 'number' ? ledger.settle(total) : ledger.settle(null, total);
    }
    previous = total;
    await sleep(options.pollMs);
  }
}

export function formatBalanceVerdict(label: string, verdict: BalanceVerdict): string {
  const sum = verdict.observed === null ? `unreadable (${verdict.problem ?? 'no reason'})` : String(verdict.observed);
  const range = verdict.atLeast === verdict.atMost ? `${verdict.atLeast}` : `${verdict.atLeast}..${verdict.atMost}`;
  return `${label}: balances ${verdict.ok ? 'OK' : 'MISMATCH'}: sum ${sum}, expected ${range} (${verdict.acknowledged} deposits answered 2xx, ${verdict.unanswered} unanswered at the end of a run)`;
}
