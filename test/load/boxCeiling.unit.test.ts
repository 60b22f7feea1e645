// The box ceiling's arithmetic and wording: what the cores could serve at a measured CPU per request,
// and the n/a (never NaN) when something was not measured.
import { expect } from 'chai';
import { CeilingInput, boxCeiling, formatCeilingLine, formatUs, perRequestUs, sumOrNull } from '../../load/bench/boxCeiling';

const spread: CeilingInput = { label: 'acta deposits-spread', cores: 2, boxUsPerRequest: 800, serverUsPerRequest: 400, baselineRps: 5000, targetRatio: 0.75 };

describe('box ceiling', () => {
  it('divides the cores by the box CPU per request and compares with target × baseline', () => {
    const ceiling = boxCeiling(spread);
    expect(ceiling).to.deep.equal({ ceilingRps: 2500, ceilingRatio: 0.5, budgetUsPerRequest: 2e6 / 3750, threadCeilingRps: 2500, withinReach: false });
  });

  it('is within reach exactly at the target, and not a hair below it', () => {
    // 2 cores × 1e6 ÷ 400 µs = 5000 req/s = 1.0× of 5000.
    expect(boxCeiling({ ...spread, boxUsPerRequest: 400, targetRatio: 1 })?.withinReach).to.equal(true);
    expect(boxCeiling({ ...spread, boxUsPerRequest: 400.01, targetRatio: 1 })?.withinReach).to.equal(false);
  });

  it('prints the verdict, the budget and the thread ceiling', () => {
    expect(formatCeilingLine(spread)).to.equal(
      "box ceiling for acta deposits-spread: 2 cores ÷ 800 µs/req = 2500 req/s = 0.50× of the baseline's 5000 req/s (target 0.75×): " +
        'the target cannot be met on this box at this CPU per request; the target needs ≤ 533 box µs/req; ' +
        'thread ceiling 1e6 ÷ 400 µs/req = 2500 req/s = 0.50×',
    );
    expect(formatCeilingLine({ ...spread, boxUsPerRequest: 200 })).to.contain('= 10000 req/s = 2.00×').and.to.contain('within reach');
  });

  it('says n/a rather than dividing by zero or by a missing number', () => {
    for (const missing of [{ boxUsPerRequest: null }, { boxUsPerRequest: 0 }, { baselineRps: null }, { baselineRps: 0 }, { cores: 0 }]) {
      const input = { ...spread, ...missing };
      expect(boxCeiling(input)).to.equal(null);
      expect(formatCeilingLine(input)).to.match(/^box ceiling for acta deposits-spread: n\/a/).and.not.to.contain('NaN');
    }
    const noThread = formatCeilingLine({ ...spread, serverUsPerRequest: null });
    expect(noThread).to.contain('thread ceiling n/a').and.not.to.contain('NaN');
  });
});

describe('CPU per request', () => {
  it('is ms × 1000 ÷ requests, and null without requests or a reading', () => {
    expect(perRequestUs(5, 1000)).to.equal(5);
    expect(perRequestUs(0, 1000)).to.equal(0);
    expect(perRequestUs(5, 0)).to.equal(null);
    expect(perRequestUs(null, 1000)).to.equal(null);
    expect(perRequestUs(undefined, 1000)).to.equal(null);
    expect(perRequestUs(NaN, 1000)).to.equal(null);
  });

  it('sums a round only when every part is known, and formats unknowns as n/a', () => {
    expect(sumOrNull([1, 2, 3])).to.equal(6);
    expect(sumOrNull([1, null, 3])).to.equal(null);
    expect(sumOrNull([])).to.equal(0);
    expect(formatUs(812.4)).to.equal('812');
    expect(formatUs(null)).to.equal('n/a');
    expect(formatUs(NaN)).to.equal('n/a');
  });
});
