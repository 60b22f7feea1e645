// Runs one autocannon measurement and reduces its result to the numbers the CLIs print.
// With `workers` > 0 the load generator runs in worker threads, which matters when the server under
// test lives in the same process (bench.ts): otherwise client and server share one event loop and
// the measurement mostly reports their contention.
import autocannon from 'autocannon';
import { ActaCannonRequest, setupRequestModule } from './cannonScenarios';
import setupRequest from './cannonSetupRequest';

/** autocannon's own per-request timeout, in seconds (its default, spelled out). */
export const cannonRequestTimeoutS = 10;

export interface CannonRunOptions {
  baseUrl: string;
  request: ActaCannonRequest;
  connections: number;
  durationS: number;
  /** autocannon worker threads; 0 runs the client on this thread. */
  workers: number;
  /** Requests per second across all connections (a fixed rate); unset sends as fast as answers come. */
  overallRate?: number;
}

export interface CannonStats {
  /** Mean of autocannon's per-second request counts (its "Req/Sec Avg"). */
  requestsPerSec: number;
  /** Responses received (autocannon's requests.total). */
  totalRequests: number;
  /** Requests sent (autocannon's requests.sent); those above totalRequests had no answer when the run ended. */
  requestsSent: number;
  durationS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export async function runCannon(options: CannonRunOptions): Promise<CannonStats> {
  const hook = options.workers > 0 ? setupRequestModule : setupRequest;
  const request = { ...options.request, setupRequest: hook } as autocannon.Request;
  const result = await autocannon({
    url: new URL(options.baseUrl).origin,
    connections: options.connections,
    duration: options.durationS,
    timeout: cannonRequestTimeoutS,
    ...(options.workers > 0 ? { workers: options.workers } : {}),
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    requests: [request],
  });
  return statsOf(result);
}

export function statsOf(result: autocannon.Result): CannonStats {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    requestsPerSec: result.requests.average,
    totalRequests: result.requests.total,
    // Present in autocannon 9's result, missing from its type declarations.
    requestsSent: (result.requests as { sent?: number }).sent ?? result.requests.total,
    durationS: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

/** A run is clean when every response was 2xx, nothing errored and something was measured. */
export function isCleanRun(stats: CannonStats): boolean {
  return stats.non2xx === 0 && stats.errors === 0 && stats.totalRequests > 0;
}

export function formatCannonStats(label: string, stats: CannonStats): string {
  const codes = Object.entries(stats.statusCodes).map(([code, count]) => `${code}:${count}`).join(', ') || 'none';
  return [
    `[${label}]`,
    `  req/s ${stats.requestsPerSec.toFixed(1)} (${stats.totalRequests} requests in ${stats.durationS.toFixed(1)}s)`,
    `  latency_ms p50=${stats.latencyP50Ms.toFixed(2)} p99=${stats.latencyP99Ms.toFixed(2)} max=${stats.latencyMaxMs.toFixed(2)}`,
    `  non-2xx ${stats.non2xx}, errors ${stats.errors} (timeouts ${stats.timeouts}), statuses ${codes}`,
  ].join('\n');
}
