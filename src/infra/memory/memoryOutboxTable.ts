// The in-memory outbox table. The event store inserts into it in the same step as the events (the
// in-memory "transaction"); MemoryOutbox claims, leases and deletes its rows.
import { StoredEvent } from '../../ports/storedEvent';

export interface MemoryOutboxRow {
  id: string;
  streamId: string;
  streamVersion: number;
  topic: string;
  event: StoredEvent;
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
    const createdAtMs = this.now();
    for (const event of events) {
      const id = String(this.nextId++);
      this.rows.set(id, {
        id,
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        topic,
        event: structuredClone(event),
        createdAtMs,
        claimedBy: null,
        claimedUntilMs: null,
        attempts: 0,
      });
    }
  }
}
