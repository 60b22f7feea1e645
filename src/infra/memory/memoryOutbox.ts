// The in-memory outbox over the event store's outbox table, with the Postgres adapter's semantics:
// whole streams claimed oldest first under an expiring lease, rows grouped by stream in version
// order, deletes and releases only by the owner named on the row; claims of an owner that ended
// (MemoryOwners.kill) are void at once, and an ended owner claims nothing.
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

  async claim(owner: string, streamsMax: number, leaseMs: number, published: readonly string[] = []): Promise<OutboxRow[]> {
    assertClaim(owner, streamsMax, leaseMs);
    await this.markPublished(owner, published);
    if (!this.owners.isLive(owner)) return [];
    const table = this.store.outboxTable;
    const now = table.now();
    const held = (row: MemoryOutboxRow) =>
      row.claimedUntilMs !== null && row.claimedUntilMs > now && (row.claimedBy === owner || this.owners.isLive(row.claimedBy ?? ''));
    // Rows are visited in id order, so streams are met oldest row first.
    const streams = new Map<string, MemoryOutboxRow[]>();
    for (const row of table.rows.values()) streams.set(row.streamId, [...(streams.get(row.streamId) ?? []), row]);
    const claimable = [...streams.values()]
      .filter((rows) => !rows.some(held))
      .slice(0, streamsMax);
    return claimable.flatMap((rows) =>
      [...rows]
        .sort((a, b) => a.streamVersion - b.streamVersion)
        .map((row) => {
          row.claimedBy = owner;
          row.claimedUntilMs = now + leaseMs;
          return { id: row.id, topic: row.topic, event: structuredClone(row.event), attempts: row.attempts };
        }),
    );
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
    const oldest = Math.min(...[...table.rows.values()].map((row) => row.createdAtMs));
    return { pending: table.rows.size, oldestAgeMs: Math.max(0, table.now() - oldest) };
  }
}
