// The one bounded wait of the tests, for conditions that become true asynchronously (another
// transaction commits, a lease expires, a relay round runs): polls a probe until it passes and fails
// with what was asked and what was last seen once the bound is spent. Never waits forever, never
// sleeps blindly: every pause sits between two probes, under a deadline.
import { setTimeout as delay } from 'node:timers/promises';

/** How long a wait may take when the caller names no bound; a few seconds covers in-process work. */
export const eventuallyTimeoutMsDefault = 5_000;
/** The pause between two probes when the caller names none. */
export const eventuallyIntervalMsDefault = 10;

export interface EventuallyOptions<T> {
  timeoutMs?: number;
  intervalMs?: number;
  /**
   * When the probe's value is the answer: without it the probe passes once it returns anything but
   * `false` without throwing (an assertion inside it, `expect(...)`, shows its values on failure).
   */
  until?: (value: T) => boolean;
}

/**
 * Probes until `probe` passes and returns its last value; after `timeoutMs` throws an error that
 * names `what` and the last value or error the probe gave.
 */
export async function eventually<T>(what: string, probe: () => T | Promise<T>, options: EventuallyOptions<T> = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? eventuallyTimeoutMsDefault;
  const intervalMs = options.intervalMs ?? eventuallyIntervalMsDefault;
  const passes = options.until ?? ((value: T) => value !== false);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let last: string;
    try {
      const value = await probe();
      if (passes(value)) return value;
      last = `last value ${describe(value)}`;
    } catch (error) {
      last = `last error ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not so within ${timeoutMs} ms (${attempt} probes); ${last}`);
    await delay(intervalMs);
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (error) {
    return `${String(value)} (not JSON: ${(error as Error).message})`;
  }
}
