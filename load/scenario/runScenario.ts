// The scenario runner as a function: health probe, seeding, the timed workload, the summary and
// the exit decision. scenario.ts wraps it for the command line; the smoke test calls it directly.
import { performance } from 'node:perf_hooks';
import { AccountPool } from './accountPool';
import { exitCodes, ExitCode } from '../shared/exitCodes';
import { ScenarioConfig } from './flags';
import { probeHealth } from '../shared/healthProbe';
import { createHttpClient } from '../shared/httpClient';
import { RunIds } from '../shared/ids';
import { loadLimits } from '../shared/limits';
import { Metrics } from './metrics';
import { deriveSeed, seededRandom } from '../shared/prng';
import { seedAccounts } from './seeding';
import { buildSummary, ScenarioSummary } from './summary';
import { TransferBook } from './transferBook';
import { runWorker } from './worker';

export interface ScenarioIo {
  /** Progress lines (stdout for people, stderr under --json). */
  log: (line: string) => void;
  /** Aborting stops seeding and the workload early; the summary still covers what ran. */
  signal?: AbortSignal;
}

export interface ScenarioResult {
  exitCode: ExitCode;
  /** Absent when no run happened (service unreachable). */
  summary?: ScenarioSummary;
  /** Why the run ended as it did, when that is more than the summary says. */
  problem?: string;
}

/** PRNG stream numbers: the metrics reservoir and each worker draw from their own streams. */
const metricsStream = 0;
const firstWorkerStream = 1;

export async function runScenario(config: ScenarioConfig, io: ScenarioIo): Promise<ScenarioResult> {
  const { log } = io;
  // A crashed worker (a bug, never a failed request) stops the others instead of leaving them running.
  const crash = new AbortController();
  const signal = io.signal === undefined ? crash.signal : AbortSignal.any([io.signal, crash.signal]);
  const client = createHttpClient({
    baseUrl: config.baseUrl,
    requestTimeoutMs: config.requestTimeoutMs,
    maxSockets: Math.max(config.workers, config.seedConcurrency) + loadLimits.agentExtraSockets,
  });
  try {
    const startedAtMs = performance.now();
    log(`PRNG seed: ${config.seed} (replay the run's choices with --seed=${config.seed})`);
    log(`Checking service health at ${config.baseUrl}/health ...`);
    const healthy = await probeHealth(client, { attempts: config.healthAttempts, delayMs: config.healthRetryDelayMs, log, signal });
    if (!healthy) return { exitCode: exitCodes.usage, problem: `Service at ${config.baseUrl} is not healthy after ${config.healthAttempts} attempts.` };
    log('Service is reachable. Starting load test.');

    const metrics = new Metrics(seededRandom(deriveSeed(config.seed, metricsStream)));
    const pool = new AccountPool({ ratio: config.hotAccountRatio, selectionRate: config.hotSelectionRate });
    const ids = new RunIds();
    const shared = { config, client, metrics, pool, ids, signal };
    log(`Seeding ${config.accounts} accounts with opening balance ${config.initialDeposit} ${config.currency}...`);
    await seedAccounts(shared);
    log(`Seeded accounts available for load: ${pool.size}`);

    const workloadStartedAtMs = performance.now();
    if (pool.size > 0) {
      logWorkloadHeader(config, log);
      const transfers = new TransferBook();
      const deadlineMs = workloadStartedAtMs + config.durationS * 1000;
      const workers = Array.from({ length: config.workers }, (_, index) =>
        runWorker(
          { ...shared, transfers, random: seededRandom(deriveSeed(config.seed, firstWorkerStream + index)), lastWriteVersion: new Map() },
          deadlineMs,
        ).catch((error: unknown) => {
          crash.abort();
          throw error;
        }),
      );
      const outcomes = await Promise.allSettled(workers);
      const crashed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (crashed !== undefined) throw crashed.reason;
    }
    const timing = { configuredDurationS: config.durationS, startedAtMs, workloadStartedAtMs, workloadEndedAtMs: performance.now() };
    const summary = buildSummary(metrics, timing, config.seed, config.maxUnexpectedFailures);
    if (pool.size === 0) return { exitCode: exitCodes.failed, summary, problem: 'No account could be seeded, so no workload ran.' };
    return { exitCode: summary.verdict.exitCode, summary };
  } finally {
    client.close();
  }
}

function logWorkloadHeader(config: ScenarioConfig, log: (line: string) => void): void {
  const w = config.weights;
  log(`Running workload for ${config.durationS}s with ${config.workers} workers...`);
  log(
    `Mix: deposit=${w.deposit}, withdraw=${w.withdraw}, balance=${w.balance}, history=${w.history}, create=${w.create}, ` +
      `transferInitiate=${w.transfer}, transferStatus=${w.transferStatus}`,
  );
  log(
    `Hot account pressure: ${Math.round(config.hotSelectionRate * 100)}% of requests target the top ` +
      `${Math.round(config.hotAccountRatio * 100)}% of active accounts.`,
  );
  log(`Read-your-writes: ${config.readYourWrites ? 'on (reads pass minVersion)' : 'off (reads may lag; their 404s are expected)'}`);
}
