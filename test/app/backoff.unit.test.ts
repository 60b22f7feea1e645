// The one backoff rule: none before a failure, base after the first, doubling, capped at max; and
// the per-child restart record, bounded, reset by a success.
import { expect } from 'chai';
import { RestartBackoff, backoffDelayMs } from '../../src/app/backoff';

const policy = { baseMs: 100, maxMs: 1_000 };

describe('backoff', () => {
  it('waits nothing before the first failure, then base, doubling, never past max', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((failures) => backoffDelayMs(policy, failures))).to.deep.equal([0, 100, 200, 400, 800, 1_000, 1_000]);
  });

  it('stays finite and at max after very many failures', () => {
    expect(backoffDelayMs(policy, 10_000)).to.equal(1_000);
  });

  it('refuses a negative or fractional failure count and a policy whose max is below its base', () => {
    expect(() => backoffDelayMs(policy, -1)).to.throw(/count/);
    expect(() => backoffDelayMs(policy, 1.5)).to.throw(/count/);
    expect(() => new RestartBackoff({ baseMs: 10, maxMs: 5 }, 1)).to.throw(/max/);
  });

  it('counts consecutive failures per child, and a success starts it over', () => {
    const restarts = new RestartBackoff<string>(policy, 10);
    expect(restarts.delayMs('a')).to.equal(0);
    expect([restarts.failed('a'), restarts.failed('a'), restarts.failed('b')]).to.deep.equal([100, 200, 100]);
    expect(restarts.delayMs('a')).to.equal(200);
    restarts.succeeded('a');
    expect([restarts.delayMs('a'), restarts.delayMs('b')]).to.deep.equal([0, 100]);
  });

  it('remembers at most keysMax children, forgetting the one that failed longest ago', () => {
    const restarts = new RestartBackoff<string>(policy, 2);
    restarts.failed('a');
    restarts.failed('b');
    restarts.failed('a');
    restarts.failed('c');
    expect(restarts.size).to.equal(2);
    expect([restarts.delayMs('a'), restarts.delayMs('b'), restarts.delayMs('c')]).to.deep.equal([200, 0, 100]);
  });
});
