// The in-memory outbox table. The event store inserts into it in the same step as the events (the
// in-memory "transaction"), one row per committed batch and topic, as Postgres does; MemoryOutbox
// claims, leases and deletes its rows.
import { StoredEvent } from '../../ports/storedEvent';

export interface MemoryOutboxRow {
  id: string;
  topic: string;
  /** The row's events in position order. */
  events: StoredEvent[];
  createdAtMs: number;
  claimedBy: string | null;
  claimedUntilMs: number | null;
  attempts: number;
}

export class MemoryOutboxTable {
  /** Rows by id; a Map keeps insertion order, which is id order. */
  readonly rows = new Map<string, MemoryOutboxRow>();
  private nextId = 1;

  /** `now` is read on every call (never captured), so sinon fake timers drive leases and ages. */
  constructor(readonly now: () => number = () => Date.now()) {}

  insert(topic: string, events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const id = String(this.nextId++);
    this.rows.set(id, {
      id,
      topic,
      events: structuredClone([...events]),
      createdAtMs: this.now(),
      claimedBy: null,
      claimedUntilMs: null,
      attempts: 0,
    });
  }
}
