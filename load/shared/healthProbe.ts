// Waits for the service before any load, with a bounded number of attempts (the seed's flow and
// messages). Failed probes are not recorded as request failures: a server still starting up is not
// a finding, but one that never answers makes the run exit 2.
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from './httpClient';

export interface HealthProbeOptions {
  attempts: number;
  delayMs: number;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** GET {base}/health until a 200; true when the service answered healthy within the attempts. */
export async function probeHealth(client: HttpClient, options: HealthProbeOptions): Promise<boolean> {
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    if (options.signal?.aborted === true) return false;
    const result = await client.send({ method: 'GET', path: '/health' });
    if (result.status === 200) return true;
    options.log(`Health check attempt ${attempt}/${options.attempts} failed: ${result.status} ${result.message ?? ''}`.trimEnd());
    if (attempt < options.attempts) await sleepUnlessAborted(options.delayMs, options.signal);
  }
  return false;
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    // An abort only cuts the pause short; the loop then sees the aborted signal and stops.
    if ((error as Error).name !== 'AbortError') throw error;
  }
}
