// The transactional outbox: one row per committed transaction and topic, naming the events that
// transaction wrote under that topic, written in the same transaction; published by the outbox
// relay in commit order (so every stream in version order) and deleted once the bus has
// acknowledged it.
// Relays claim under lock-backed owners (ownerPresence.ts): a relay that dies loses its claims at
// once, and the lease stays as the backstop for an end the database has not noticed yet.
import { OwnerSource } from './ownerPresence';
import { StoredEvent } from './storedEvent';

/** One event to publish. Events written together under one topic share their outbox row's id. */
export interface OutboxRow {
  /** Id of the outbox row the event belongs to, a bigint kept as a decimal string. */
  id: string;
  topic: string;
  event: StoredEvent;
  attempts: number;
}

export interface OutboxStats {
  /** Events not yet published. */
  pending: number;
  /** Age of the oldest unpublished row, null when none is pending. */
  oldestAgeMs: number | null;
}

export interface Outbox extends OwnerSource {
  /**
   * Claims rows oldest first (commit order): walking the outbox from its oldest row, takes every
   * row no live owner holds an unexpired lease on, leased to `owner` for `leaseMs`, and stops at the
   * first row another live owner holds (so no later event of a stream it holds can be published
   * first) or once `eventsMax` events are taken (whole rows; at least one). Rows the claimant holds
   * itself (a round still in flight) are passed over: the caller publishes in claim order. Events
   * come back row by row, each row's in position order. `owner` is the id of a live owner from
   * acquireOwner(); a claim under an owner that has ended takes nothing. Rows leased to an owner
   * that has ended are claimable at once; rows whose lease expired are claimable whatever their
   * owner (the backstop).
   *
   * `published` are row ids of earlier claims the bus has acknowledged: they are removed first, as
   * markPublished would, in the same step (the relay saves a round trip per round).
   */
  claim(owner: string, eventsMax: number, leaseMs: number, published?: readonly string[]): Promise<OutboxRow[]>;
  /** Removes published rows. Only rows still leased to `owner` are removed. */
  markPublished(owner: string, ids: readonly string[]): Promise<void>;
  /** Gives rows back (publish failed): clears the lease and counts an attempt. */
  release(owner: string, ids: readonly string[]): Promise<void>;
  stats(): Promise<OutboxStats>;
}
