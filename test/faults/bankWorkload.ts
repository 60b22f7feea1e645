// A bank workload for fault runs: careful clients that open accounts, then send deposits,
// withdrawals and transfers at random while the test kills and restarts things underneath them.
// A careful client keeps the Idempotency-Key (and the body) of a command until it has a final
// answer: after a network error, a timeout or a 503 it sends the very same request again, so
// every command ends acknowledged (2xx), rejected (another 4xx) or, if the run's retry budget
// ends first, unknown. The ledger of those answers is what the invariants are checked against.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

export type CommandKind = 'open' | 'deposit' | 'withdrawal' | 'transfer';

export interface SentCommand {
  kind: CommandKind;
  path: string;
  body: Record<string, unknown>;
  key: string;
  /** Final status (2xx acknowledged, other 4xx rejected); null while unknown. */
  status: number | null;
  response: Record<string, unknown> | null;
  attempts: number;
  /** Network errors, timeouts and 503s seen before the final answer. */
  retries: number;
}

export interface WorkloadOptions {
  accounts: number;
  clients: number;
  currency: string;
  /** Per-request timeout; a timed-out request is retried with the same key. */
  requestTimeoutMs: number;
  /** How long one command may keep being retried before it counts as unknown. */
  commandRetryBudgetMs: number;
  /** Pause between retries of one command. */
  retryPauseMs: number;
  /** Random source (seeded by the caller so a failing run can be replayed). */
  random: () => number;
}

/**
 * The answers that end a command's retries: anything but a network error, a timeout, a 502-504 (a
 * node or the load balancer in front of it going away) or 409 concurrency_conflict, which asks for
 * a retry with the same key.
 */
function isFinal(status: number, body: Record<string, unknown>): boolean {
  if (status === 409 && body.code === 'concurrency_conflict') return false;
  return status !== 503 && status !== 502 && status !== 504;
}

export class BankWorkload {
  readonly ledger: SentCommand[] = [];
  readonly accountIds: string[] = [];
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: () => string,
    private readonly options: WorkloadOptions,
  ) {}

  /** Opens the accounts (each with an opening deposit), retrying like any other command. */
  async open(): Promise<void> {
    const prefix = `f${randomUUID().slice(0, 8)}`;
    for (let n = 0; n < this.options.accounts; n += 1) {
      const accountId = `${prefix}-acc-${n}`;
      const opened = await this.send('open', '/api/accounts', { accountId, ownerId: `${prefix}-owner-${n}`, currency: this.options.currency });
      if (opened.status !== 201) throw new Error(`opening ${accountId} answered ${opened.status} ${JSON.stringify(opened.response)}`);
      this.accountIds.push(accountId);
      await this.send('deposit', `/api/accounts/${accountId}/deposits`, { amount: 100_000, currency: this.options.currency, transactionId: randomUUID() });
    }
  }

  /** Starts the client loops; they run until stop(). */
  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.clients }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  counts(): { sent: number; acked: number; rejected: number; unknown: number; retries: number } {
    const acked = this.ledger.filter((c) => c.status !== null && c.status < 300).length;
    const unknown = this.ledger.filter((c) => c.status === null).length;
    return {
      sent: this.ledger.length,
      acked,
      rejected: this.ledger.length - acked - unknown,
      unknown,
      retries: this.ledger.reduce((sum, c) => sum + c.retries, 0),
    };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const pick = this.options.random();
      if (pick < 0.4) await this.deposit();
      else if (pick < 0.75) await this.withdraw();
      else await this.transfer();
    }
  }

  private account(): string {
    const ids = this.accountIds;
    return ids[Math.floor(this.options.random() * ids.length)]!;
  }

  private amount(): number {
    return 1 + Math.floor(this.options.random() * 5_000);
  }

  private async deposit(): Promise<void> {
    const accountId = this.account();
    await this.send('deposit', `/api/accounts/${accountId}/deposits`, { amount: this.amount(), currency: this.options.currency, transactionId: randomUUID() });
  }

  private async withdraw(): Promise<void> {
    const accountId = this.account();
    // Some withdrawals are meant to be refused (more than any account holds), so rejections are exercised.
    const amount = this.options.random() < 0.05 ? 10_000_000 : this.amount();
    await this.send('withdrawal', `/api/accounts/${accountId}/withdrawals`, { amount, currency: this.options.currency, transactionId: randomUUID() });
  }

  private async transfer(): Promise<void> {
    const sourceAccountId = this.account();
    let destinationAccountId = this.account();
    if (destinationAccountId === sourceAccountId) destinationAccountId = this.accountIds[(this.accountIds.indexOf(sourceAccountId) + 1) % this.accountIds.length]!;
    await this.send('transfer', '/api/transfers', {
      transferId: `t-${randomUUID()}`,
      sourceAccountId,
      destinationAccountId,
      amount: this.amount(),
      currency: this.options.currency,
    });
  }

  /** Sends one command until it has a final answer or its retry budget is spent. */
  private async send(kind: CommandKind, path: string, body: Record<string, unknown>): Promise<SentCommand> {
    const command: SentCommand = { kind, path, body, key: randomUUID(), status: null, response: null, attempts: 0, retries: 0 };
    this.ledger.push(command);
    const deadline = Date.now() + this.options.commandRetryBudgetMs;
    for (;;) {
      command.attempts += 1;
      const answer = await this.attempt(path, body, command.key);
      if (answer !== null && isFinal(answer.status, answer.body)) {
        command.status = answer.status;
        command.response = answer.body;
        return command;
      }
      command.retries += 1;
      if (Date.now() >= deadline) return command;
      await delay(this.options.retryPauseMs);
    }
  }

  /** One HTTP attempt; null on a network error or timeout. */
  private async attempt(path: string, body: Record<string, unknown>, key: string): Promise<{ status: number; body: Record<string, unknown> } | null> {
    try {
      const response = await fetch(`${this.baseUrl()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      const text = await response.text();
      // A load balancer's own 502/504 page is HTML; every answer of Acta is JSON.
      const json = (response.headers.get('content-type') ?? '').includes('json');
      if (!json && response.status < 502) throw new Error(`a ${response.status} answer that is not JSON: ${text.slice(0, 200)}`);
      return { status: response.status, body: json && text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch (error) {
      // Connection refused or reset (the server was killed), a timeout: the outcome is unknown, so
      // the careful client sends the same request again.
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError' || error.name === 'TypeError')) {
        return null;
      }
      throw error;
    }
  }
}
