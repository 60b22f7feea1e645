// Read-your-writes: a read that carries ?minVersion waits, bounded, until the read model has
// applied that stream version. Projectors on this node announce what they applied (no polling
// delay); a slow fallback poll covers projectors running on other nodes. One instance per
// projection: keys are that projection's row keys (account ids, transfer ids).
import { readWaitLimits } from '../config/limits';

interface Waiter {
  minVersion: number;
  wake: () => void;
}

export class ProjectionVersions {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** Called by the projector after a batch commits. */
  applied(key: string, version: number): void {
    const set = this.waiters.get(key);
    if (!set) return;
    for (const waiter of set) if (waiter.minVersion <= version) waiter.wake();
  }

  /**
   * Resolves true as soon as `probe()` reports a version ≥ minVersion, false after timeoutMs.
   * `probe` reads the read model's current version for the key (null when absent).
   */
  async waitFor(key: string, minVersion: number, timeoutMs: number, probe: () => Promise<number | null>): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const version = await probe();
      if (version !== null && version >= minVersion) return true;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await this.sleepUntilApplied(key, minVersion, Math.min(remaining, readWaitLimits.pollIntervalMs));
    }
  }

  private sleepUntilApplied(key: string, minVersion: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) {
        set = new Set();
        this.waiters.set(key, set);
      }
      if (set.size >= readWaitLimits.waitersPerKeyMax) {
        setTimeout(resolve, ms);
        return;
      }
      const waiter: Waiter = {
        minVersion,
        wake: () => {
          clearTimeout(timer);
          set.delete(waiter);
          if (set.size === 0) this.waiters.delete(key);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      set.add(waiter);
    });
  }
}
