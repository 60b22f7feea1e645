// The in-memory outbox over the event store's outbox table, with the Postgres adapter's semantics:
// rows claimed oldest first under an expiring lease, never past a row another live owner holds,
// rows the claimant holds passed over, whole rows up to eventsMax events; deletes and releases only
// by the owner named on the row; claims of an owner that ended (MemoryOwners.kill) are void at once,
// and an ended owner claims nothing.
import { Outbox, OutboxRow, OutboxStats } from '../../ports/outbox';
import { Owner } from '../../ports/ownerPresence';
import { assertClaim } from '../storeAssertions';
import { MemoryEventStore } from './memoryEventStore';
import { MemoryOutboxRow } from './memoryOutboxTable';
import { MemoryOwners } from './memoryOwners';

export class MemoryOutbox implements Outbox {
  constructor(
    private readonly store: MemoryEventStore,
    readonly owners: MemoryOwners = new MemoryOwners('relay'),
  ) {}

  acquireOwner(): Promise<Owner> {
    return this.owners.acquireOwner();
  }

  async claim(owner: string, eventsMax: number, leaseMs: number, published: readonly string[] = []): Promise<OutboxRow[]> {
    assertClaim(owner, eventsMax, leaseMs);
    await this.markPublished(owner, published);
    if (!this.owners.isLive(owner)) return [];
    const table = this.store.outboxTable;
    const now = table.now();
    const leased = (row: MemoryOutboxRow) => row.claimedUntilMs !== null && row.claimedUntilMs > now;
    const claimed: MemoryOutboxRow[] = [];
    let events = 0;
    for (const row of table.rows.values()) {
      if (events >= eventsMax) break;
      if (leased(row) && row.claimedBy === owner) continue;
      if (leased(row) && this.owners.isLive(row.claimedBy ?? '')) break;
      claimed.push(row);
      events += row.events.length;
    }
    return claimed.flatMap((row) => {
      row.claimedBy = owner;
      row.claimedUntilMs = now + leaseMs;
      return row.events.map((event) => ({ id: row.id, topic: row.topic, event: structuredClone(event), attempts: row.attempts }));
    });
  }

  async markPublished(owner: string, ids: readonly string[]): Promise<void> {
    const rows = this.store.outboxTable.rows;
    for (const id of ids) if (rows.get(id)?.claimedBy === owner) rows.delete(id);
  }

  async release(owner: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const row = this.store.outboxTable.rows.get(id);
      if (row?.claimedBy !== owner) continue;
      row.claimedBy = null;
      row.claimedUntilMs = null;
      row.attempts += 1;
    }
  }

  async stats(): Promise<OutboxStats> {
    const table = this.store.outboxTable;
    if (table.rows.size === 0) return { pending: 0, oldestAgeMs: null };
    const rows = [...table.rows.values()];
    const oldest = Math.min(...rows.map((row) => row.createdAtMs));
    return { pending: rows.reduce((sum, row) => sum + row.events.length, 0), oldestAgeMs: Math.max(0, table.now() - oldest) };
  }
}
