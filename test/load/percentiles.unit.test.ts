// Nearest-rank percentiles (rank = ceil(p/100 · n), clamped to 1..n) and the bounded reservoir.
import { expect } from 'chai';
import { latencyPercentiles, nearestRank } from '../../load/shared/percentiles';
import { seededRandom } from '../../load/shared/prng';
import { Reservoir } from '../../load/shared/reservoir';

describe('load/percentiles', () => {
  it('matches hand-computed ranks for 1..100', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyPercentiles(samples)).to.deep.equal({ p50: 50, p95: 95, p99: 99, max: 100 });
  });

  it('matches hand-computed ranks for 1..10 (high percentiles reach the max)', () => {
    const samples = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    expect(latencyPercentiles(samples)).to.deep.equal({ p50: 5, p95: 10, p99: 10, max: 10 });
  });

  it('sorts numerically, not as strings', () => {
    expect(latencyPercentiles([100, 9, 20])).to.deep.equal({ p50: 20, p95: 100, p99: 100, max: 100 });
  });

  it('returns only observed values (no interpolation)', () => {
    expect(latencyPercentiles([10, 20])).to.deep.equal({ p50: 10, p95: 20, p99: 20, max: 20 });
  });

  it('returns null for no samples', () => {
    expect(latencyPercentiles([])).to.equal(null);
    expect(nearestRank([], 50)).to.equal(undefined);
  });

  it('returns the value itself for a single sample', () => {
    expect(latencyPercentiles([4.25])).to.deep.equal({ p50: 4.25, p95: 4.25, p99: 4.25, max: 4.25 });
  });

  it('clamps p0 to the smallest sample', () => {
    expect(nearestRank([1, 2, 3], 0)).to.equal(1);
  });
});

describe('load/reservoir', () => {
  it('keeps every sample up to capacity', () => {
    const reservoir = new Reservoir(5, seededRandom(1));
    [1, 2, 3].forEach((v) => reservoir.add(v));
    expect(reservoir.values()).to.deep.equal([1, 2, 3]);
  });

  it('never holds more than capacity but counts everything offered', () => {
    const reservoir = new Reservoir(100, seededRandom(1));
    for (let i = 0; i < 10_000; i += 1) reservoir.add(i);
    expect(reservoir.values()).to.have.length(100);
    expect(reservoir.offered).to.equal(10_000);
    // A uniform sample of 0..9999 reaches well past the first 100 values.
    expect(Math.max(...reservoir.values())).to.be.above(1_000);
  });
});
