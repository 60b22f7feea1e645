// Weighted pick: reproducible from a seed, never picks a zero weight, roughly proportional.
import { expect } from 'chai';
import { seededRandom, deriveSeed } from '../../load/shared/prng';
import { weightedPick, WeightedEntries } from '../../load/scenario/weightedPick';

const testSeed = 20260101;

describe('load/weightedPick', () => {
  const mix: WeightedEntries<string> = [
    ['deposit', 35],
    ['withdraw', 30],
    ['balance', 20],
    ['history', 10],
    ['create', 5],
    ['transfer', 0],
    ['transferStatus', 0],
  ];

  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 50 }, () => weightedPick(mix, random));
    };
    expect(draw(testSeed)).to.deep.equal(draw(testSeed));
    expect(draw(testSeed)).to.not.deep.equal(draw(testSeed + 1));
  });

  it('gives each worker its own stream', () => {
    const a = seededRandom(deriveSeed(testSeed, 1));
    const b = seededRandom(deriveSeed(testSeed, 2));
    expect([a(), a(), a()]).to.not.deep.equal([b(), b(), b()]);
  });

  it('never picks a zero weight, even at the edges of the random range', () => {
    const zeroFirst: WeightedEntries<string> = [
      ['never-first', 0],
      ['a', 1],
      ['never-middle', 0],
      ['b', 1],
      ['never-last', 0],
    ];
    expect(weightedPick(zeroFirst, () => 0)).to.equal('a');
    expect(weightedPick(zeroFirst, () => 0.5)).to.equal('b');
    expect(weightedPick(zeroFirst, () => 0.9999999999)).to.equal('b');
    const random = seededRandom(testSeed);
    for (let i = 0; i < 20_000; i += 1) expect(weightedPick(mix, random)).to.not.match(/^transfer/);
  });

  it('is roughly proportional to the weights over many draws', () => {
    const draws = 100_000;
    const random = seededRandom(testSeed);
    const counts = new Map<string, number>();
    for (let i = 0; i < draws; i += 1) {
      const pick = weightedPick(mix, random);
      counts.set(pick, (counts.get(pick) ?? 0) + 1);
    }
    for (const [name, weight] of mix) {
      const expected = (weight / 100) * draws;
      // Generous bound (±15 % of the expectation, plus slack): catches a broken pick, not noise.
      expect(counts.get(name) ?? 0, `${name} with seed ${testSeed}`).to.be.closeTo(expected, expected * 0.15 + 50);
    }
  });

  it('refuses a mix with no positive weight', () => {
    expect(() => weightedPick([['a', 0]], () => 0.5)).to.throw(/positive weight/);
  });
});
