// Bounded polling for conditions that become true asynchronously (another transaction commits, a
// lease expires, the snapshot xmin moves on). Fails with the last value seen; never waits forever.
import { setTimeout as delay } from 'node:timers/promises';

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await delay(options.intervalMs ?? 10);
  }
}
