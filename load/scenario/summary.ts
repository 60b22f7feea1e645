// Turns a run's metrics into a summary (plain data, also the --json output) and prints it in the
// seed's layout, plus what the seed lacked: expected vs unexpected failures, failure reasons,
// throughput over the workload phase only, write p99, and the pass/fail verdict behind the exit code.
import { LatencyPercentiles, latencyPercentiles } from '../shared/percentiles';
import { loadLimits } from '../shared/limits';
import { Metrics } from './metrics';
import { isWorkloadOperation, OperationName, writeLatencyOperations } from './operationNames';
import { exitCodes } from '../shared/exitCodes';

export interface OperationSummary {
  /** Every request sent, failed ones included (the seed's meaning of "completed"). */
  completed: number;
  ok: number;
  failed: number;
  expectedFailures: number;
  unexpectedFailures: number;
  latencyMs: LatencyPercentiles | null;
  /** Most frequent first. A list, not an object: objects order integer-like keys ("201") numerically. */
  statuses: Array<{ status: string; count: number }>;
  topErrors: Array<{ error: string; count: number }>;
}

export interface Totals {
  completed: number;
  ok: number;
  failed: number;
  expectedFailures: number;
  unexpectedFailures: number;
  /** failed / completed, 0 when nothing completed. */
  failureRate: number;
  unexpectedFailureRate: number;
  /** `expected:insufficient_funds`, `unexpected:conflict`, … → count, over every operation. */
  byReason: Record<string, number>;
}

export interface ScenarioSummary {
  seed: number;
  configuredDurationS: number;
  /** From the health probe to the end of the workload. */
  elapsedS: number;
  /** The workload phase alone: what throughput is measured over. */
  workloadElapsedS: number;
  workloadRequests: number;
  throughputRps: number;
  /** Deposit and withdraw latencies of the workload, pooled. */
  writeLatencyMs: LatencyPercentiles | null;
  totals: Totals;
  operations: Partial<Record<OperationName, OperationSummary>>;
  verdict: { maxUnexpectedFailures: number; unexpectedFailures: number; passed: boolean; exitCode: 0 | 1 };
}

export interface RunTiming {
  configuredDurationS: number;
  startedAtMs: number;
  workloadStartedAtMs: number;
  workloadEndedAtMs: number;
}

export function buildSummary(metrics: Metrics, timing: RunTiming, seed: number, maxUnexpectedFailures: number): ScenarioSummary {
  const operations: Partial<Record<OperationName, OperationSummary>> = {};
  const totals: Totals = { completed: 0, ok: 0, failed: 0, expectedFailures: 0, unexpectedFailures: 0, failureRate: 0, unexpectedFailureRate: 0, byReason: {} };
  let workloadRequests = 0;
  const writeSamples: number[] = [];
  const names = [...metrics.operations().keys()].sort();
  for (const name of names) {
    const op = metrics.operations().get(name)!;
    operations[name] = {
      completed: op.completed,
      ok: op.ok,
      failed: op.failed,
      expectedFailures: op.expectedFailures,
      unexpectedFailures: op.unexpectedFailures,
      latencyMs: latencyPercentiles(op.latencies.values()),
      statuses: byCountDescending(op.statuses).map(([status, count]) => ({ status, count })),
      topErrors: byCountDescending(op.errors)
        .slice(0, loadLimits.topErrorsShown)
        .map(([error, count]) => ({ error, count })),
    };
    totals.completed += op.completed;
    totals.ok += op.ok;
    totals.failed += op.failed;
    totals.expectedFailures += op.expectedFailures;
    totals.unexpectedFailures += op.unexpectedFailures;
    for (const [reason, count] of op.reasons) totals.byReason[reason] = (totals.byReason[reason] ?? 0) + count;
    if (isWorkloadOperation(name)) workloadRequests += op.completed;
    // A loop, not push(...values): spreading up to a million samples would overflow the call stack.
    if (writeLatencyOperations.includes(name)) for (const sample of op.latencies.values()) writeSamples.push(sample);
  }
  totals.failureRate = ratio(totals.failed, totals.completed);
  totals.unexpectedFailureRate = ratio(totals.unexpectedFailures, totals.completed);
  const workloadElapsedS = (timing.workloadEndedAtMs - timing.workloadStartedAtMs) / 1000;
  const passed = totals.unexpectedFailures <= maxUnexpectedFailures;
  return {
    seed,
    configuredDurationS: timing.configuredDurationS,
    elapsedS: (timing.workloadEndedAtMs - timing.startedAtMs) / 1000,
    workloadElapsedS,
    workloadRequests,
    throughputRps: workloadElapsedS > 0 ? workloadRequests / workloadElapsedS : 0,
    writeLatencyMs: latencyPercentiles(writeSamples),
    totals,
    operations,
    verdict: { maxUnexpectedFailures, unexpectedFailures: totals.unexpectedFailures, passed, exitCode: passed ? exitCodes.passed : exitCodes.failed },
  };
}

export function formatSummary(summary: ScenarioSummary): string {
  const { totals } = summary;
  const lines = [
    '',
    '=== Load Test Summary ===',
    `PRNG seed: ${summary.seed}`,
    `Configured duration: ${summary.configuredDurationS}s`,
    `Actual elapsed: ${summary.elapsedS.toFixed(2)}s (workload phase ${summary.workloadElapsedS.toFixed(2)}s)`,
    `Total completed requests: ${totals.completed}`,
    `Total failed requests: ${totals.failed} (expected ${totals.expectedFailures}, unexpected ${totals.unexpectedFailures})`,
    `Overall failure rate: ${percent(totals.failureRate)} (unexpected ${percent(totals.unexpectedFailureRate)})`,
    `Average throughput: ${summary.throughputRps.toFixed(2)} req/s (${summary.workloadRequests} workload requests; seeding excluded)`,
    `Write latency (deposit/withdraw): ${formatLatency(summary.writeLatencyMs)}`,
  ];
  for (const [name, op] of Object.entries(summary.operations)) {
    const errors = op.topErrors.map(({ error, count }) => `${count}x ${error}`).join(' | ');
    lines.push(
      '',
      `[${name}]`,
      `  completed=${op.completed} ok=${op.ok} failed=${op.failed} (expected=${op.expectedFailures} unexpected=${op.unexpectedFailures})`,
      `  latency_ms ${formatLatency(op.latencyMs)}`,
      `  statuses ${formatCounts(op.statuses.map(({ status, count }) => [status, count]))}`,
    );
    if (errors !== '') lines.push(`  top_errors ${errors}`);
  }
  const { verdict } = summary;
  const comparison = verdict.passed ? '<=' : '>';
  lines.push(
    '',
    `Failures by reason: ${formatCounts(Object.entries(totals.byReason))}`,
    `Verdict: ${verdict.passed ? 'PASS' : 'FAIL'}: unexpected failures ${verdict.unexpectedFailures} ${comparison} ` +
      `--max-unexpected-failures=${verdict.maxUnexpectedFailures} (exit ${verdict.exitCode})`,
    '',
    'Notes:',
    '- Expected failures: 400 insufficient_funds on withdraw/transfer, and 404 on reads sent without minVersion (projection lag).',
    '- Unexpected failures: any 409, any 5xx, network errors and timeouts, 404 on reads that passed minVersion, any other 4xx.',
    '- Pass --read-your-writes so reads carry minVersion; then a read 404 means read-your-writes is broken.',
    '- Percentiles are nearest-rank over recorded latencies (failures included); throughput excludes health probe and seeding.',
  );
  return lines.join('\n');
}

function byCountDescending(map: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

function formatLatency(latency: LatencyPercentiles | null): string {
  if (latency === null) return 'none';
  return `p50=${latency.p50.toFixed(2)} p95=${latency.p95.toFixed(2)} p99=${latency.p99.toFixed(2)} max=${latency.max.toFixed(2)}`;
}

function formatCounts(entries: ReadonlyArray<readonly [string, number]>): string {
  return entries.length === 0 ? 'none' : entries.map(([key, count]) => `${key}:${count}`).join(', ');
}
