// Identifiers a run sends. Account and transfer ids carry a per-run prefix so runs against a
// persistent database never collide; Idempotency-Keys and transactionIds are UUIDs, fresh per
// request, because the workload never retries (retries are exercised by the server's own tests).
import { randomBytes, randomUUID } from 'node:crypto';

export class RunIds {
  readonly runId: string;
  private accounts = 0;
  private transfers = 0;

  /** `prefix` must satisfy the server's identifier rule: letters, digits and . _ : - only. */
  constructor(prefix = 'load') {
    this.runId = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  }

  nextAccount(): { accountId: string; ownerId: string } {
    this.accounts += 1;
    return { accountId: `${this.runId}-acc-${this.accounts}`, ownerId: `${this.runId}-owner-${this.accounts}` };
  }

  nextTransferId(): string {
    this.transfers += 1;
    return `${this.runId}-trf-${this.transfers}`;
  }

  idempotencyKey(): string {
    return randomUUID();
  }

  transactionId(): string {
    return randomUUID();
  }
}
