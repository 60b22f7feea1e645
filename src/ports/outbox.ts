// The transactional outbox: one row per committed event, written in the event's own transaction,
// published by the outbox relay in stream order and deleted once the bus has acknowledged it.
// Relays claim under lock-backed owners (ownerPresence.ts): a relay that dies loses its claims at
// once, and the lease stays as the backstop for an end the database has not noticed yet.
import { OwnerSource } from './ownerPresence';
import { StoredEvent } from './storedEvent';

export interface OutboxRow {
  /** Outbox row id, a bigint kept as a decimal string. */
  id: string;
  topic: string;
  event: StoredEvent;
  attempts: number;
}

export interface OutboxStats {
  pending: number;
  /** Age of the oldest unpublished row, null when none is pending. */
  oldestAgeMs: number | null;
}

export interface Outbox extends OwnerSource {
  /**
   * Claims whole streams: every unpublished row of up to `streamsMax` streams that no live owner
   * holds an unexpired lease on, leased to `owner` for `leaseMs`. Rows come back ordered by stream,
   * then stream version, so the caller can publish each stream in order. `owner` is the id of a live
   * owner from acquireOwner(); a claim under an owner that has ended takes nothing. Rows leased to
   * an owner that has ended are claimable at once; rows whose lease expired are claimable whatever
   * their owner (the backstop).
   *
   * `published` are rows of earlier claims the bus has acknowledged: they are removed first, as
   * markPublished would, in the same step (the relay saves a round trip per round, and the claim
   * sees their streams free).
   */
  claim(owner: string, streamsMax: number, leaseMs: number, published?: readonly string[]): Promise<OutboxRow[]>;
  /** Removes published rows. Only rows still leased to `owner` are removed. */
  markPublished(owner: string, ids: readonly string[]): Promise<void>;
  /** Gives rows back (publish failed): clears the lease and counts an attempt. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  stats(): Promise<OutboxStats>;
}
