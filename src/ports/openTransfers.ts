// Finds transfers that have not reached a terminal event, from the write side (the event store),
// never from a read model: recovery must not depend on a projection being current.

export interface OpenTransferFinder {
  /** Ids of transfers whose stream has no TransferCompleted/TransferFailed, oldest first, at most `limit`. */
  openTransferIds(limit: number): Promise<string[]>;
}
