// The passivation memory arithmetic: ratios, bytes retained per extra account, the flat verdict and
// its markdown, including a run that could not finish.
import { expect } from 'chai';
import { BenchRow, formatResultsMarkdown } from '../../load/bench/benchReport';
import { MemoryStep, formatMemoryGrowthLine, formatMemoryGrowthMarkdown, summarizeMemoryGrowth } from '../../load/bench/memoryGrowth';

const mib = 1024 ** 2;

function step(accountsTouched: number, heapMiB: number, rssMiB = 2 * heapMiB): MemoryStep {
  return { accountsTouched, liveActorsPeak: Math.min(accountsTouched, 50), liveActors: 0, heapUsedBytes: heapMiB * mib, rssBytes: rssMiB * mib, touchSeconds: 1 };
}

describe('passivation memory growth', () => {
  it('is flat when the heap barely moves while accounts grow 100×', () => {
    const summary = summarizeMemoryGrowth(step(100, 40), step(10_000, 41));
    expect(summary.factor).to.equal(100);
    expect(summary.heapRatio).to.be.closeTo(1.025, 1e-9);
    expect(summary.retainedBytesPerAccount).to.be.closeTo(mib / 9_900, 1e-9);
    expect(summary.flat).to.equal(true);
  });

  it('is not flat when every account touched leaves 2 KiB behind, even if the ratio looks small', () => {
    // 2 KiB × 9,900 accounts ≈ 19 MiB on a 400 MiB heap: ratio 1.05, but it grows without bound.
    const summary = summarizeMemoryGrowth(step(100, 400), step(10_000, 400 + (9_900 * 2048) / mib));
    expect(summary.heapRatio).to.be.below(1.25);
    expect(summary.retainedBytesPerAccount).to.be.closeTo(2048, 1e-6);
    expect(summary.flat).to.equal(false);
  });

  it('is not flat when the heap doubles', () => {
    const summary = summarizeMemoryGrowth(step(1_000, 40), step(100_000, 80));
    expect(summary.heapRatio).to.equal(2);
    expect(summary.flat).to.equal(false);
  });

  it('treats a shrinking heap as flat', () => {
    const summary = summarizeMemoryGrowth(step(100, 50), step(10_000, 45));
    expect(summary.retainedBytesPerAccount).to.be.below(0);
    expect(summary.flat).to.equal(true);
  });

  it('renders both steps and the verdict, and says why when a step is missing', () => {
    const row = { idleMs: 200, gc: 'global.gc', small: step(100, 40), large: step(10_000, 41) };
    const markdown = formatMemoryGrowthMarkdown(row).join('\n');
    expect(markdown).to.contain('| N | 100 | 50 | 0 | 40.0 | 80.0 | 1.0 |');
    expect(markdown).to.contain('| factor × N | 10000 | 50 | 0 | 41.0 | 82.0 | 1.0 |');
    expect(markdown).to.contain('(×100)');
    expect(markdown).to.contain('PASS');
    const failed = formatMemoryGrowthLine({ idleMs: 200, gc: null, small: step(100, 40), large: null, skipped: 'server never became healthy' });
    expect(failed).to.equal('passivation memory not measured: server never became healthy');
  });

  it('appears in RESULTS.md only when measured', () => {
    const baseline: BenchRow = { label: 'baseline', description: '', rounds: [], serverBusyMs: [] };
    const machine = { cpuModel: 'cpu', cores: 2, totalMemoryGiB: 1, node: 'v20', platform: 'linux', date: '2026-01-01T00:00:00.000Z' };
    const settings = { durationS: 5, warmupS: 1, rounds: 1, connections: 1, accounts: 1, workers: 1 };
    const memory = { idleMs: 200, gc: 'global.gc', small: step(100, 40), large: step(10_000, 41) };
    expect(formatResultsMarkdown([baseline], baseline, settings, machine, null, [], memory)).to.contain('| factor × N | 10000 |');
    expect(formatResultsMarkdown([baseline], baseline, settings, machine, null, [], null)).not.to.contain('| factor × N |');
  });
});
