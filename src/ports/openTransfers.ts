// Finds transfers that have not reached a terminal event, from the write side (the event store),
// never from a read model: recovery must not depend on a projection being current. And records who
// drives each one: a lock-backed owner (ownerPresence.ts), so that several nodes never drive one
// transfer at once while a dead node's transfers are taken over within seconds.
import { OwnerSource } from './ownerPresence';

export interface OpenTransferFinder extends OwnerSource {
  /**
   * Ids of transfers whose stream has no TransferCompleted/TransferFailed, oldest first, at most
   * `limit`. Given an `owner`, leaves out those another live owner drives (the recovery sweep);
   * without one, every open transfer (observability, tests).
   */
  openTransferIds(limit: number, owner?: string): Promise<string[]>;
  /** Transfers recorded as driven by an owner that has ended (its node died), at most `limit`. */
  orphanedTransferIds(limit: number): Promise<string[]>;
  /**
   * Makes `owner` the transfer's driver unless another live owner is: true when `owner` drives it
   * now (it took it, or already had it). An owner that has ended takes nothing.
   */
  claimTransfer(owner: string, transferId: string): Promise<boolean>;
  /** Gives the transfer up (it is terminal, or its actor stopped) if `owner` still drives it. */
  releaseTransfer(owner: string, transferId: string): Promise<void>;
}
