// Lock-backed owner ids. A process claims shared work (outbox streams, unfinished transfers) under
// an owner id whose life is tied to something that ends when the process dies: in Postgres, a
// session advisory lock held on a connection kept for the owner's lifetime. Claims name their owner;
// a claim whose owner has ended is void at once, so a restarted or surviving node takes that work
// without waiting out a lease, while a live owner's claims are never taken.
//
// Adapters: src/infra/postgres/presence/ownerPresence.ts, src/infra/memory/memoryOwners.ts.

export interface Owner {
  /** The id claims are recorded under. */
  readonly id: string;
  /** False once the owner has ended: claim nothing more under this id, acquire a new owner. */
  isLive(): boolean;
  /** Resolves when the owner ends: its backing failed (connection lost) or release() was called. */
  readonly ended: Promise<void>;
  /** Ends the owner now; its claims become takeable at once. Never rejects. */
  release(): Promise<void>;
}

export interface OwnerSource {
  /** A fresh live owner (a new id each time: an owner that ended never comes back). */
  acquireOwner(): Promise<Owner>;
}
