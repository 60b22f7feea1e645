// The accounts the workload targets, with the runner's local view of each balance and the hot slice.
//
// `localBalance` is kept a LOWER BOUND of the server's balance (assuming no other client moves
// money): credits are added only after a 2xx; debits are subtracted before sending and given back
// only on a definite 4xx rejection; a transfer credits its destination only once its status reads
// COMPLETED. So a withdrawal the runner believes affordable really is, and insufficient_funds stays
// rare, unlike the seed, which ignored transfers and inflated those failures.
import { loadLimits } from '../shared/limits';
import { Random, randomIntInclusive } from '../shared/prng';

export interface PoolAccount {
  id: string;
  localBalance: number;
  /** The version the account had when it joined the pool; every client that knows the account knows it. */
  knownVersion?: number;
}

export interface HotSpot {
  /** Share of the pool treated as hot: the first max(1, floor(size · ratio)) accounts, as the seed did. */
  ratio: number;
  /** Chance that a pick draws from the hot slice. */
  selectionRate: number;
}

export class AccountPool {
  private readonly accounts: PoolAccount[] = [];

  constructor(
    private readonly hotSpot: HotSpot,
    private readonly capacity: number = loadLimits.poolAccountsMax,
  ) {}

  /** False when the pool is full; the account then exists on the server but is not reused. */
  add(account: PoolAccount): boolean {
    if (this.accounts.length >= this.capacity) return false;
    this.accounts.push(account);
    return true;
  }

  get size(): number {
    return this.accounts.length;
  }

  all(): readonly PoolAccount[] {
    return this.accounts;
  }

  /** A random account, from the hot slice with probability `selectionRate`. The pool must not be empty. */
  pick(random: Random): PoolAccount {
    const size = this.accounts.length;
    const hotCount = Math.max(1, Math.floor(size * this.hotSpot.ratio));
    const fromHot = size > 1 && random() < this.hotSpot.selectionRate;
    const index = fromHot ? randomIntInclusive(random, 0, hotCount - 1) : randomIntInclusive(random, 0, size - 1);
    return this.accounts[index];
  }

  /** An account other than `notId`, hot selection applied independently; undefined if none was found. */
  pickOther(random: Random, notId: string): PoolAccount | undefined {
    for (let attempt = 0; attempt < loadLimits.transferPairAttemptsMax; attempt += 1) {
      const account = this.pick(random);
      if (account.id !== notId) return account;
    }
    return this.accounts.find((account) => account.id !== notId);
  }

  /**
   * An account whose local balance covers `amount`: a few hot-aware draws first (so the hot spot
   * still gets its share of debits), then a bounded scan from a random start.
   */
  findAffordable(random: Random, amount: number): PoolAccount | undefined {
    for (let attempt = 0; attempt < loadLimits.withdrawPickAttemptsMax; attempt += 1) {
      const account = this.pick(random);
      if (account.localBalance >= amount) return account;
    }
    const size = this.accounts.length;
    const start = randomIntInclusive(random, 0, size - 1);
    const scan = Math.min(size, loadLimits.withdrawScanAccountsMax);
    for (let offset = 0; offset < scan; offset += 1) {
      const account = this.accounts[(start + offset) % size];
      if (account.localBalance >= amount) return account;
    }
    return undefined;
  }
}
