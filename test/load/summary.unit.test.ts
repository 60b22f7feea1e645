// Summary arithmetic: completed = ok + failed and failed = expected + unexpected, per operation and
// overall; throughput counts only the workload; the verdict follows the threshold exactly.
import { expect } from 'chai';
import { classify } from '../../load/scenario/classify';
import type { ResponseStatus } from '../../load/shared/httpClient';
import { Metrics, otherErrorsKey } from '../../load/scenario/metrics';
import { OperationName } from '../../load/scenario/operationNames';
import { seededRandom } from '../../load/shared/prng';
import { buildSummary, formatSummary, ScenarioSummary } from '../../load/scenario/summary';

function record(metrics: Metrics, operation: OperationName, status: ResponseStatus, latencyMs: number, code?: string, passedMinVersion = false): void {
  const classification = classify({ operation, status, code, passedMinVersion });
  metrics.record({ operation, status, latencyMs, classification, errorKey: classification.kind === 'ok' ? undefined : `${status} ${code ?? 'no code'}` });
}

function sampleMetrics(): Metrics {
  const metrics = new Metrics(seededRandom(1));
  for (let i = 0; i < 10; i += 1) record(metrics, 'seedCreateAccount', 201, 50);
  for (let i = 0; i < 10; i += 1) record(metrics, 'seedDeposit', 201, 50);
  for (let i = 1; i <= 90; i += 1) record(metrics, 'deposit', 201, i);
  for (let i = 0; i < 5; i += 1) record(metrics, 'deposit', 500, 1000, 'internal_error');
  for (let i = 0; i < 2; i += 1) record(metrics, 'deposit', 409, 900, 'transaction_id_reused');
  for (let i = 0; i < 40; i += 1) record(metrics, 'withdraw', 201, 2);
  for (let i = 0; i < 7; i += 1) record(metrics, 'withdraw', 400, 3, 'insufficient_funds');
  for (let i = 0; i < 30; i += 1) record(metrics, 'getBalance', 200, 1);
  for (let i = 0; i < 4; i += 1) record(metrics, 'getBalance', 404, 1, 'account_not_found');
  record(metrics, 'getBalance', 404, 1, 'account_not_found', true);
  record(metrics, 'getHistory', 'NETWORK_ERROR', 5);
  record(metrics, 'initiateTransfer', 404, 2, 'route_not_found');
  return metrics;
}

const timing = { configuredDurationS: 2, startedAtMs: 0, workloadStartedAtMs: 1_000, workloadEndedAtMs: 3_000 };

function checkArithmetic(summary: ScenarioSummary): void {
  let completed = 0;
  let ok = 0;
  let failed = 0;
  for (const [name, op] of Object.entries(summary.operations)) {
    expect(op.completed, name).to.equal(op.ok + op.failed);
    expect(op.failed, name).to.equal(op.expectedFailures + op.unexpectedFailures);
    expect(op.statuses.reduce((sum, { count }) => sum + count, 0), name).to.equal(op.completed);
    completed += op.completed;
    ok += op.ok;
    failed += op.failed;
  }
  expect(summary.totals.completed).to.equal(completed);
  expect(summary.totals.ok).to.equal(ok);
  expect(summary.totals.failed).to.equal(failed);
  expect(summary.totals.completed).to.equal(summary.totals.ok + summary.totals.failed);
  expect(summary.totals.failed).to.equal(summary.totals.expectedFailures + summary.totals.unexpectedFailures);
  expect(Object.values(summary.totals.byReason).reduce((a, b) => a + b, 0)).to.equal(summary.totals.failed);
}

describe('load/summary', () => {
  it('adds up per operation and overall', () => {
    const summary = buildSummary(sampleMetrics(), timing, 7, 0);
    checkArithmetic(summary);
    expect(summary.totals).to.deep.include({ completed: 201, ok: 180, failed: 21, expectedFailures: 11, unexpectedFailures: 10 });
    expect(summary.operations.deposit).to.deep.include({ completed: 97, ok: 90, failed: 7, expectedFailures: 0, unexpectedFailures: 7 });
    expect(summary.operations.withdraw).to.deep.include({ completed: 47, ok: 40, expectedFailures: 7 });
    expect(summary.operations.getBalance).to.deep.include({ completed: 35, expectedFailures: 4, unexpectedFailures: 1 });
    expect(summary.totals.byReason).to.deep.equal({
      'unexpected:server_error': 5,
      'unexpected:conflict': 2,
      'expected:insufficient_funds': 7,
      'expected:projection_lag': 4,
      'unexpected:read_your_writes_violated': 1,
      'unexpected:network_error': 1,
      'unexpected:route_missing': 1,
    });
  });

  it('measures throughput over the workload phase only, excluding seeding requests', () => {
    const summary = buildSummary(sampleMetrics(), timing, 7, 0);
    expect(summary.workloadRequests).to.equal(181);
    expect(summary.workloadElapsedS).to.equal(2);
    expect(summary.elapsedS).to.equal(3);
    expect(summary.throughputRps).to.equal(90.5);
  });

  it('pools deposit and withdraw latencies as the write latency', () => {
    const metrics = new Metrics(seededRandom(1));
    for (let i = 1; i <= 50; i += 1) record(metrics, 'deposit', 201, i);
    for (let i = 51; i <= 100; i += 1) record(metrics, 'withdraw', 201, i);
    record(metrics, 'getBalance', 200, 10_000);
    record(metrics, 'seedDeposit', 201, 10_000);
    expect(buildSummary(metrics, timing, 1, 0).writeLatencyMs).to.deep.equal({ p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('passes at exactly the threshold and fails one above it', () => {
    const unexpected = buildSummary(sampleMetrics(), timing, 7, 0).totals.unexpectedFailures;
    expect(buildSummary(sampleMetrics(), timing, 7, unexpected).verdict).to.deep.include({ passed: true, exitCode: 0 });
    expect(buildSummary(sampleMetrics(), timing, 7, unexpected - 1).verdict).to.deep.include({ passed: false, exitCode: 1 });
  });

  it('lists the top three errors, most frequent first, and sorts statuses by count', () => {
    const summary = buildSummary(sampleMetrics(), timing, 7, 0);
    expect(summary.operations.deposit?.topErrors).to.deep.equal([
      { error: '500 internal_error', count: 5 },
      { error: '409 transaction_id_reused', count: 2 },
    ]);
    expect(summary.operations.deposit?.statuses).to.deep.equal([
      { status: '201', count: 90 },
      { status: '500', count: 5 },
      { status: '409', count: 2 },
    ]);
  });

  it('folds error keys past the bound into one key, keeping counts exact', () => {
    const metrics = new Metrics(seededRandom(1), { errorKeysMax: 2, latencySamplesMax: 10 });
    for (const code of ['a', 'b', 'c', 'd', 'a']) record(metrics, 'deposit', 500, 1, code);
    const errors = metrics.operations().get('deposit')?.errors;
    expect(Object.fromEntries(errors ?? [])).to.deep.equal({ '500 a': 2, '500 b': 1, [otherErrorsKey]: 2 });
  });

  it('handles a run with no requests', () => {
    const summary = buildSummary(new Metrics(seededRandom(1)), timing, 1, 0);
    expect(summary.totals).to.deep.include({ completed: 0, failureRate: 0 });
    expect(summary.writeLatencyMs).to.equal(null);
    expect(summary.verdict.passed).to.equal(true);
    expect(formatSummary(summary)).to.include('Write latency (deposit/withdraw): none');
  });

  it('prints the seed-style blocks and the verdict', () => {
    const text = formatSummary(buildSummary(sampleMetrics(), timing, 7, 0));
    expect(text).to.include('=== Load Test Summary ===');
    expect(text).to.include('Total completed requests: 201');
    expect(text).to.include('Total failed requests: 21 (expected 11, unexpected 10)');
    expect(text).to.include('[deposit]\n  completed=97 ok=90 failed=7 (expected=0 unexpected=7)');
    expect(text).to.include('  statuses 201:90, 500:5, 409:2');
    expect(text).to.include('  top_errors 5x 500 internal_error | 2x 409 transaction_id_reused');
    expect(text).to.include('Verdict: FAIL');
  });
});
