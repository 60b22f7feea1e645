// One supervision and backoff rule for everything that retries or restarts: after n consecutive
// failures wait base·2^(n−1) ms, never more than max (none before the first failure). The transfer
// actor's step retries and the account registry's restart of crashed actors use it; the relay,
// projector and worker-pipeline restarts can too (`backoffDelayMs` for a machine's delay,
// `RestartBackoff` for a supervisor that restarts many children by key).
import assert from 'node:assert/strict';

export interface BackoffPolicy {
  /** The wait after the first failure. */
  baseMs: number;
  /** The longest wait, however many failures. */
  maxMs: number;
}

export function assertBackoffPolicy(policy: BackoffPolicy): void {
  assert.ok(Number.isInteger(policy.baseMs) && policy.baseMs >= 0, 'backoff base must be a whole number of ms');
  assert.ok(Number.isInteger(policy.maxMs) && policy.maxMs >= policy.baseMs, 'backoff max must be at least its base');
}

/** The wait before the next attempt after `failures` consecutive failures (0 when none). */
export function backoffDelayMs(policy: BackoffPolicy, failures: number): number {
  assert.ok(Number.isInteger(failures) && failures >= 0, 'failures is a count');
  if (failures === 0) return 0;
  // 2 ** 31 ms is weeks: far past any max, and keeps the power finite.
  return Math.min(policy.baseMs * 2 ** Math.min(failures - 1, 31), policy.maxMs);
}

/**
 * Consecutive failures per child (for a supervisor that restarts many: account actors by account
 * id). At most `keysMax` children are remembered; past that the oldest failure is forgotten, so a
 * storm of crashing children costs bounded memory (a forgotten child restarts without a wait).
 */
export class RestartBackoff<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly keysMax: number,
  ) {
    assertBackoffPolicy(policy);
    assert.ok(Number.isInteger(keysMax) && keysMax > 0, 'a restart backoff remembers at least one child');
  }

  /** Records one more failure of the child and returns the wait before its next start. */
  failed(key: K): number {
    const count = (this.failures.get(key) ?? 0) + 1;
    // Re-inserted at the back: the map stays in order of last failure, the front is the oldest.
    this.failures.delete(key);
    this.failures.set(key, count);
    if (this.failures.size > this.keysMax) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
    return backoffDelayMs(this.policy, count);
  }

  /** The child worked again: its next failure waits from the base. */
  succeeded(key: K): void {
    this.failures.delete(key);
  }

  /** The wait before the child's next start (0 when it has not failed since it last worked). */
  delayMs(key: K): number {
    return backoffDelayMs(this.policy, this.failures.get(key) ?? 0);
  }

  /** Children with failures remembered (tests and the console). */
  get size(): number {
    return this.failures.size;
  }
}
