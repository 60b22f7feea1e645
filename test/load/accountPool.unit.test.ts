// The account pool: the seed's hot slice, affordable picks, and transfers settling local balances once.
import { expect } from 'chai';
import { AccountPool, PoolAccount } from '../../load/scenario/accountPool';
import { seededRandom } from '../../load/shared/prng';
import { TransferBook } from '../../load/scenario/transferBook';

const seed = 99;

function poolOf(count: number, ratio: number, selectionRate: number, balance = 0): AccountPool {
  const pool = new AccountPool({ ratio, selectionRate });
  for (let i = 0; i < count; i += 1) pool.add({ id: `a-${i}`, localBalance: balance });
  return pool;
}

describe('load/accountPool', () => {
  it('draws only from the first max(1, floor(n·ratio)) accounts when the selection rate is 1', () => {
    const pool = poolOf(100, 0.05, 1);
    const random = seededRandom(seed);
    const picked = new Set(Array.from({ length: 2_000 }, () => pool.pick(random).id));
    expect([...picked].sort()).to.deep.equal(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
  });

  it('keeps a hot slice of one account for a tiny ratio', () => {
    const pool = poolOf(10, 0.01, 1);
    const random = seededRandom(seed);
    expect(new Set(Array.from({ length: 100 }, () => pool.pick(random).id))).to.deep.equal(new Set(['a-0']));
  });

  it('finds an affordable account beyond the hot slice, or none', () => {
    const pool = poolOf(50, 0.1, 1, 0);
    (pool.all()[42] as PoolAccount).localBalance = 500;
    expect(pool.findAffordable(seededRandom(seed), 500)?.id).to.equal('a-42');
    expect(pool.findAffordable(seededRandom(seed), 501)).to.equal(undefined);
  });

  it('picks a different account for a transfer destination', () => {
    const pool = poolOf(2, 0.5, 1);
    const random = seededRandom(seed);
    for (let i = 0; i < 50; i += 1) expect(pool.pickOther(random, 'a-0')?.id).to.equal('a-1');
    expect(poolOf(1, 1, 1).pickOther(random, 'a-0')).to.equal(undefined);
  });

  it('refuses accounts past its capacity', () => {
    const pool = new AccountPool({ ratio: 0.1, selectionRate: 0.8 }, 1);
    expect(pool.add({ id: 'x', localBalance: 0 })).to.equal(true);
    expect(pool.add({ id: 'y', localBalance: 0 })).to.equal(false);
    expect(pool.size).to.equal(1);
  });
});

describe('load/transferBook', () => {
  const transfer = () => {
    const source: PoolAccount = { id: 's', localBalance: 0 };
    const destination: PoolAccount = { id: 'd', localBalance: 0 };
    return { transferId: 't', source, destination, amount: 70, settled: false };
  };

  it('credits the destination once on COMPLETED', () => {
    const book = new TransferBook();
    const t = transfer();
    book.add(t);
    expect(book.settle(t, 'PENDING')).to.equal(false);
    expect(book.settle(t, 'COMPLETED')).to.equal(true);
    expect(book.settle(t, 'COMPLETED')).to.equal(true);
    expect(t.destination.localBalance).to.equal(70);
    expect(t.source.localBalance).to.equal(0);
  });

  it('gives the source its reservation back once on FAILED', () => {
    const t = transfer();
    const book = new TransferBook();
    book.settle(t, 'FAILED');
    book.settle(t, 'FAILED');
    expect(t.source.localBalance).to.equal(70);
    expect(t.destination.localBalance).to.equal(0);
  });

  it('forgets the oldest transfer past its capacity', () => {
    const book = new TransferBook(2);
    const [a, b, c] = [transfer(), transfer(), transfer()];
    [a, b, c].forEach((t) => book.add(t));
    expect(book.size).to.equal(2);
    const random = seededRandom(seed);
    const seen = new Set(Array.from({ length: 50 }, () => book.pick(random)));
    expect(seen.has(a)).to.equal(false);
  });
});
