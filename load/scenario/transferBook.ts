// Transfers the workload started, kept for status polls and to settle the local balances:
// the source was debited locally when the transfer was sent; COMPLETED credits the destination,
// FAILED gives the source its money back. Each transfer settles at most once.
import { PoolAccount } from './accountPool';
import { loadLimits } from '../shared/limits';
import { Random, randomIntInclusive } from '../shared/prng';

export interface TrackedTransfer {
  transferId: string;
  source: PoolAccount;
  destination: PoolAccount;
  amount: number;
  /** The version the 202 carried, passed as minVersion on status reads with --read-your-writes. */
  version?: number;
  settled: boolean;
}

export type TransferStatus = 'PENDING' | 'COMPLETED' | 'FAILED';

export class TransferBook {
  private readonly transfers: TrackedTransfer[] = [];

  constructor(private readonly capacity: number = loadLimits.knownTransfersMax) {}

  /** Past capacity the oldest transfer is forgotten; its debit stays reserved, keeping balances a lower bound. */
  add(transfer: TrackedTransfer): void {
    if (this.transfers.length >= this.capacity) this.transfers.shift();
    this.transfers.push(transfer);
  }

  pick(random: Random): TrackedTransfer | undefined {
    if (this.transfers.length === 0) return undefined;
    return this.transfers[randomIntInclusive(random, 0, this.transfers.length - 1)];
  }

  /** Applies a terminal status to the local balances once; returns whether the transfer is terminal. */
  settle(transfer: TrackedTransfer, status: TransferStatus): boolean {
    if (status === 'PENDING') return false;
    if (!transfer.settled) {
      transfer.settled = true;
      if (status === 'COMPLETED') transfer.destination.localBalance += transfer.amount;
      else transfer.source.localBalance += transfer.amount;
    }
    return true;
  }

  remove(transfer: TrackedTransfer): void {
    const index = this.transfers.indexOf(transfer);
    if (index !== -1) this.transfers.splice(index, 1);
  }

  get size(): number {
    return this.transfers.length;
  }
}
