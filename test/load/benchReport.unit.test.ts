// The bench's arithmetic: median ratios over rounds, the findings file carried into RESULTS.md, and the
// projection-lag histogram difference.
import { expect } from 'chai';
import { DepositLedger } from '../../load/bench/balanceCheck';
import {
  BenchRow,
  PeerPair,
  formatBalanceLines,
  formatBenchTable,
  formatCeilingLines,
  formatLagLine,
  formatPeerLine,
  LagRow,
  formatResultsMarkdown,
  isCleanRow,
  median,
  medianPerRequest,
  missesTarget,
  roundRatios,
} from '../../load/bench/benchReport';
import { lagRunRate, lagTargetP99S, parseHistogramBuckets, summarizeLag } from '../../load/bench/projectionLag';
import { CannonStats } from '../../load/cannon/runCannon';

function stats(requestsPerSec: number, overrides: Partial<CannonStats> = {}): CannonStats {
  return {
    requestsPerSec,
    totalRequests: requestsPerSec * 5,
    requestsSent: requestsPerSec * 5,
    durationS: 5,
    latencyP50Ms: 10,
    latencyP99Ms: 20,
    latencyMaxMs: 30,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    statusCodes: { 201: requestsPerSec * 5 },
    ...overrides,
  };
}

/** Each round: 1,000 ms on the server's thread, 500 on the client, 100 on other threads, `pgMs` in Postgres. */
function row(label: string, rps: number[], targetRatio?: number, pgMs = 0): BenchRow {
  return {
    label,
    description: label,
    rounds: rps.map((value) => stats(value)),
    serverBusyMs: rps.map(() => 1000),
    boxCpuMs: rps.map(() => ({ clientMs: 500, otherThreadsMs: 100, pgMs })),
    ...(targetRatio === undefined ? {} : { targetRatio }),
  };
}

const machine = { cpuModel: 'test CPU', cores: 2, availableParallelism: 2, totalMemoryGiB: 1, node: 'v20', platform: 'linux', date: '2026-01-01T00:00:00.000Z' };
const settings = { durationS: 5, warmupS: 1, rounds: 3, connections: 50, accounts: 1000, workers: 1 };

describe('bench report', () => {
  it('takes the median, of odd and even lengths', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
    expect(median([7])).to.equal(7);
  });

  it('pairs each round with the baseline of the same round, so one disturbed round does not decide', () => {
    const baseline = row('baseline', [1000, 2000, 1000]);
    const acta = row('acta', [800, 400, 700], 0.75);
    expect(roundRatios(acta, baseline)).to.deep.equal([0.8, 0.2, 0.7]);
    expect(missesTarget(acta, baseline)).to.equal(true);
    expect(missesTarget(row('acta', [800, 1600, 760], 0.75), baseline)).to.equal(false);
  });

  it('copies the findings file below the numbers, and leaves it out when there is none', () => {
    const baseline = row('express-baseline', [1000, 1000, 1000]);
    const rows = [baseline, row('acta deposits-spread', [500, 600, 700], 0.75)];
    const findings = '## Findings\n\n- a hand-written line\n';
    const withFindings = formatResultsMarkdown(rows, baseline, settings, machine, findings);
    expect(withFindings).to.contain('| acta deposits-spread | 600 |');
    expect(withFindings).to.contain('0.60×');
    expect(withFindings.indexOf('- a hand-written line')).to.be.greaterThan(withFindings.indexOf('| acta deposits-spread'));
    expect(formatResultsMarkdown(rows, baseline, settings, machine, null)).not.to.contain('Findings');
  });
});

describe('bench report: CPU per request', () => {
  it('shows each part and the box total per request, median over rounds', () => {
    // 5 s at 1,000 req/s = 5,000 requests: 1,000 ms ÷ 5,000 = 200 µs on the server's thread.
    const acta = row('acta deposits-spread', [1000, 1000, 1000], 0.75, 2000);
    expect(medianPerRequest(acta, 'server')).to.equal(200);
    expect(medianPerRequest(acta, 'client')).to.equal(100);
    expect(medianPerRequest(acta, 'others')).to.equal(20);
    expect(medianPerRequest(acta, 'pg')).to.equal(400);
    expect(medianPerRequest(acta, 'box')).to.equal(720);
    const table = formatBenchTable([row('express-baseline', [2000, 2000, 2000]), acta], row('express-baseline', [2000, 2000, 2000]));
    const [header, , actaLine] = table.split('\n');
    expect(header).to.match(/server CPU µs\/req +client thread µs\/req +other threads µs\/req +pg CPU µs\/req +box CPU µs\/req +vs baseline/);
    expect(actaLine).to.match(/^acta deposits-spread +1000 +200 +100 +20 +400 +720 +0\.50×/);
  });

  it('says n/a, never NaN, for a part that could not be read or a round without requests', () => {
    const unread: BenchRow = { ...row('acta deposits-hot', [1000], 0.6), boxCpuMs: [{ clientMs: null, otherThreadsMs: null, pgMs: null }] };
    expect(medianPerRequest(unread, 'pg')).to.equal(null);
    expect(medianPerRequest(unread, 'box')).to.equal(null);
    const idle: BenchRow = { ...row('acta deposits-hot', [0], 0.6) };
    const table = formatBenchTable([unread, idle], row('express-baseline', [1000]));
    expect(table).to.contain('n/a').and.not.to.contain('NaN');
    const unsampled: BenchRow = { label: 'old', description: '', rounds: [stats(1000)], serverBusyMs: [1000] };
    expect(medianPerRequest(unsampled, 'box')).to.equal(null);
    expect(formatCeilingLines([unread, idle], row('express-baseline', [1000]), 2).join('\n')).to.contain('n/a').and.not.to.contain('NaN');
  });

  it('writes one box ceiling line per row with a target, into RESULTS.md too', () => {
    const baseline = row('express-baseline', [2000, 2000, 2000]);
    const rows = [baseline, row('acta deposits-spread', [1000, 1000, 1000], 0.75, 2000)];
    const lines = formatCeilingLines(rows, baseline, 2);
    // 2 cores × 1e6 ÷ 720 µs = 2778 req/s = 1.39× of 2,000.
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('2 cores ÷ 720 µs/req = 2778 req/s = 1.39×').and.to.contain('within reach');
    expect(formatResultsMarkdown(rows, baseline, settings, machine)).to.contain(`- ${lines[0]}`).and.to.contain('| box CPU µs/req |');
  });
});

describe('projection lag', () => {
  const exposition = (counts: number[]) =>
    ['0.01', '0.05', '0.1', '+Inf']
      .map((le, index) => `acta_projection_lag_seconds_bucket{le="${le}"} ${counts[index]}`)
      .concat(['acta_projection_lag_seconds_sum 1', 'acta_projection_lag_seconds_count 9', 'other_bucket{le="0.05"} 99'])
      .join('\n');

  it('reads the run as the difference of two scrapes and bounds p99 by a bucket', () => {
    const before = parseHistogramBuckets(exposition([5, 10, 10, 10]), 'acta_projection_lag_seconds');
    const after = parseHistogramBuckets(exposition([5, 10 + 990, 10 + 999, 10 + 1000]), 'acta_projection_lag_seconds');
    expect(summarizeLag(before, after, 0.05)).to.deep.equal({ events: 1000, p99AtMostS: 0.05, shareWithin: 0.99 });
  });

  it('reports a p99 beyond the 50 ms bucket when more than 1 % of the run is slower', () => {
    const before = parseHistogramBuckets(exposition([0, 0, 0, 0]), 'acta_projection_lag_seconds');
    const slower = parseHistogramBuckets(exposition([0, 980, 995, 1000]), 'acta_projection_lag_seconds');
    expect(summarizeLag(before, slower, 0.05)).to.deep.equal({ events: 1000, p99AtMostS: 0.1, shareWithin: 0.98 });
    const beyondEveryBucket = parseHistogramBuckets(exposition([0, 980, 985, 1000]), 'acta_projection_lag_seconds');
    expect(summarizeLag(before, beyondEveryBucket, 0.05).p99AtMostS).to.equal(Infinity);
  });

  it('sends the rate asked, or 90 % of what the spread row sustained when that is less', () => {
    expect(lagRunRate(400, 735)).to.equal(400);
    expect(lagRunRate(1_000, 735)).to.equal(661);
    expect(lagRunRate(1_000, null)).to.equal(1_000);
    expect(lagRunRate(1_000, 0)).to.equal(1_000);
  });

  it('holds 400 writes/s to a 50 ms p99 and higher rates to 100 ms (issue #13)', () => {
    expect(lagTargetP99S(400)).to.equal(0.05);
    expect(lagTargetP99S(401)).to.equal(0.1);
    expect(lagTargetP99S(1_000)).to.equal(0.1);
  });

  it('says when the rate was capped, how late the client ran and what the deposits that failed got', () => {
    const lag: LagRow = {
      askedRatePerSec: 1_000,
      targetRatePerSec: 661,
      sustainedPerSec: 735,
      achievedRatePerSec: 660,
      events: 6_600,
      p99AtMostS: 0.1,
      shareWithin: 0.9,
      targetP99S: 0.1,
      failed: 3,
      failures: { '503': 2, error: 1 },
      lateMaxMs: 12,
    };
    expect(formatLagLine(lag)).to.equal(
      'projection lag at 661 writes/s (asked 1000/s; the spread row sustained 735 req/s, so 90 % of that) (achieved 660/s, 6600 events): ' +
        'p99 ≤ 100 ms, 90.00 % within 100 ms, target p99 ≤ 100 ms PASS (paced client at most 12 ms behind schedule, 3 not answered 201: 2 × 503, 1 × error)',
    );
    expect(formatLagLine({ ...lag, askedRatePerSec: 400, targetRatePerSec: 400, sustainedPerSec: null, failed: 0, failures: {}, p99AtMostS: 0.25 })).to.match(
      /^projection lag at 400 writes\/s \(achieved .* MISS \(paced client at most 12 ms behind schedule\)$/,
    );
  });

  it('has nothing to say about a run that applied no event', () => {
    const buckets = parseHistogramBuckets(exposition([1, 2, 3, 4]), 'acta_projection_lag_seconds');
    expect(summarizeLag(buckets, buckets, 0.05)).to.deep.equal({ events: 0, p99AtMostS: null, shareWithin: null });
  });
});

describe('bench report: Acta ÷ Emmett and the balance checks', () => {
  const pair = (acta: number[], peer: number[]): PeerPair => ({ scenario: 'deposits-spread', acta: row('acta deposits-spread', acta), peer: row('emmett deposits-spread', peer), targetRatio: 1 });

  it('divides Acta by the peer round by round, takes the median and judges it against 1.00', () => {
    expect(formatPeerLine(pair([300, 100, 300], [200, 200, 100]))).to.match(/^Acta ÷ Emmett, deposits-spread: 1\.50× deposits acknowledged per second \(per round 1\.50 0\.50 3\.00\);.*target ≥ 1\.00 PASS$/);
    expect(formatPeerLine(pair([100, 100, 100], [200, 200, 200]))).to.match(/0\.50× deposits acknowledged per second.*MISS$/);
  });

  it('tolerates the peer\'s 412s as its own answer, counts them, and never acknowledges them as deposits', () => {
    const peer = row('emmett deposits-hot', [100]);
    peer.rounds = [stats(100, { non2xx: 40, statusCodes: { 201: 460, 412: 40 } })];
    expect(isCleanRow(peer)).to.equal(false);
    peer.toleratedStatuses = [412];
    expect(isCleanRow(peer)).to.equal(true);
    peer.rounds = [stats(100, { non2xx: 41, statusCodes: { 201: 459, 412: 40, 500: 1 } })];
    expect(isCleanRow(peer)).to.equal(false);
    peer.rounds = [stats(100, { non2xx: 40, statusCodes: { 201: 460, 412: 40 } })];
    const line = formatPeerLine({ scenario: 'deposits-hot', acta: row('acta deposits-hot', [920]), peer, targetRatio: 1 });
    expect(line).to.match(/^Acta ÷ Emmett, deposits-hot: 10\.00× deposits acknowledged per second.*the peer answered 40 of its requests 412/);
  });

  it('says why when one side was not measured', () => {
    const missing = pair([300], []);
    missing.peer.skipped = 'peer did not start';
    expect(formatPeerLine(missing)).to.equal('Acta ÷ Emmett, deposits-spread: not measured (peer did not start)');
  });

  it('puts the pairs, the balance lines and what each stack does per deposit into RESULTS.md', () => {
    const baseline = row('express-baseline', [1000]);
    const acta = row('acta deposits-spread', [500]);
    const peer = row('emmett deposits-spread', [250]);
    const ledger = new DepositLedger(100);
    ledger.record(stats(10, { totalRequests: 10, requestsSent: 10, statusCodes: { 201: 10 } }));
    acta.balanceChecks = [ledger.settle(1_000)];
    ledger.record(stats(10, { totalRequests: 10, requestsSent: 10, statusCodes: { 201: 10 } }));
    peer.balanceChecks = [ledger.settle(1_900)];
    const markdown = formatResultsMarkdown([baseline, acta, peer], baseline, settings, machine, null, [], null, [{ scenario: 'deposits-spread', acta, peer, targetRatio: 1 }]);
    expect(markdown).to.contain('- Acta ÷ Emmett, deposits-spread: 2.00× deposits acknowledged per second');
    expect(markdown).to.contain('- balances of acta deposits-spread: verified after every measured run (1 run(s), 10 deposits answered 2xx, 0 unanswered when a run ended)');
    expect(markdown).to.contain('- balances of emmett deposits-spread: MISMATCH in 1 of 1 checks, first: sum 1900, expected 2000..2000');
    expect(markdown).to.contain('### What each stack does per deposit');
    expect(formatBalanceLines([baseline])).to.deep.equal([]);
  });
});

describe('bench balance ledger', () => {
  it('is exact when nothing was left in flight, and widens by the unanswered requests', () => {
    const ledger = new DepositLedger(100, 1_000);
    ledger.record(stats(5, { totalRequests: 5, requestsSent: 5, statusCodes: { 201: 5 } }));
    expect(ledger.expected()).to.deep.equal({ atLeast: 1_500, atMost: 1_500 });
    ledger.record(stats(5, { totalRequests: 6, requestsSent: 8, statusCodes: { 201: 5, 503: 1 } }));
    expect(ledger.expected()).to.deep.equal({ atLeast: 2_000, atMost: 2_200 });
  });

  it('refuses a sum off the amount grid and starts the next window from the sum read', () => {
    const ledger = new DepositLedger(100);
    ledger.record(stats(2, { totalRequests: 2, requestsSent: 3, statusCodes: { 201: 2 } }));
    expect(ledger.settle(250)).to.deep.include({ ok: false, observed: 250 });
    expect(ledger.expected()).to.deep.equal({ atLeast: 250, atMost: 250 });
    expect(ledger.settle(250).ok).to.equal(true);
    expect(ledger.settle(null, 'GET balance answered 503').ok).to.equal(false);
  });
});
