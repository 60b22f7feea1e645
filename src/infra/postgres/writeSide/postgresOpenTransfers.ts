// Unfinished transfers straight from the events table: a TransferRequested (partial index
// events_transfer_requested_idx) whose stream has no terminal event. And their drivers, in
// transfer_owners (migration 4): a row names the lock-backed owner (ownerPresence.ts) that drives the
// transfer, and counts only while that owner's session holds its advisory lock.
//
// A transfer that is terminal stays terminal, so each sweep starts at a watermark instead of the
// first transfer ever made: the position of the oldest open transfer the last sweep found, or, when
// it found none, the lowest position a transaction that has not committed yet could still write
// (snapshot xmin × positions per transaction, as readAll reasons). Every transfer below the
// watermark was seen terminal, so the sweep's cost follows the open transfers, not all of history.
// The watermark follows every open transfer, those other owners drive included: one of them may be
// orphaned later, and must still be found.
import type { Pool } from 'pg';
import { terminalTransferEventTypes } from '../../../domain/transfer/transferEvents';
import { OpenTransferFinder } from '../../../ports/openTransfers';
import { Owner } from '../../../ports/ownerPresence';
import { positionsPerTransaction } from '../schema/writeSideMigrations';
import { acquireOwnerPresence, liveOwnerKeysSql, ownerKeySql } from '../presence/ownerPresence';

const openText = `
with open as materialized (
  select r.data->>'transferId' as transfer_id, r.global_position
  from events r
  where r.event_type = 'TransferRequested'
    and r.global_position >= $3::bigint
    and not exists (
      select 1 from events t where t.stream_id = r.stream_id and t.event_type = any($1::text[])
    )
),
live_owners as materialized (${liveOwnerKeysSql}
)
select (select min(global_position)::text from open) as oldest_open,
       array(
         select o.transfer_id from open o
         where $4::text is null or not exists (
           select 1 from transfer_owners w
           where w.transfer_id = o.transfer_id and w.owner <> $4::text
             and ${ownerKeySql('w.owner')} in (select key from live_owners))
         order by o.global_position
         limit $2
       ) as ids`;

// Taken when the row is new, already ours, or its owner has ended. Under READ COMMITTED two
// claimants of one orphan serialize on the row: the second re-checks the row the first wrote, finds
// a live owner and takes nothing.
const claimText = `
insert into transfer_owners as w (transfer_id, owner)
select $2::text, $1::text
where ${ownerKeySql('$1::text')} in (${liveOwnerKeysSql})
on conflict (transfer_id) do update set owner = excluded.owner, claimed_at = now()
  where w.owner = excluded.owner or ${ownerKeySql('w.owner')} not in (${liveOwnerKeysSql})
returning w.owner`;

const orphanedText = `
select w.transfer_id from transfer_owners w
where ${ownerKeySql('w.owner')} not in (${liveOwnerKeysSql})
order by w.claimed_at
limit $1`;

export class PostgresOpenTransfers implements OpenTransferFinder {
  private watermark = 0n;

  constructor(
    private readonly pool: Pool,
    /** The node this registry runs on, recorded with each owner (cluster view). */
    private readonly node?: { nodeId: string },
  ) {}

  /** An owner for a transfer registry: one connection of this pool holds its lock until it ends. */
  acquireOwner(): Promise<Owner> {
    return acquireOwnerPresence(this.pool, 'transfers', this.node ? { node: this.node } : {});
  }

  async openTransferIds(limit: number, owner?: string): Promise<string[]> {
    // Taken before the search: a transaction that commits later has an id at least this xmin.
    const { rows: snapshot } = await this.pool.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
    const safe = BigInt(snapshot[0]!.xmin) * BigInt(positionsPerTransaction);
    const { rows } = await this.pool.query<{ oldest_open: string | null; ids: string[] }>({
      name: 'acta_open_transfers_v3',
      text: openText,
      values: [terminalTransferEventTypes, limit, this.watermark.toString(), owner ?? null],
    });
    const row = rows[0]!;
    const oldestOpen = row.oldest_open === null ? safe : BigInt(row.oldest_open);
    this.watermark = oldestOpen < safe ? oldestOpen : safe;
    return row.ids;
  }

  async orphanedTransferIds(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ transfer_id: string }>({ name: 'acta_orphaned_transfers_v1', text: orphanedText, values: [limit] });
    return rows.map((row) => row.transfer_id);
  }

  async claimTransfer(owner: string, transferId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ owner: string }>({ name: 'acta_claim_transfer_v1', text: claimText, values: [owner, transferId] });
    return rows.length === 1;
  }

  async releaseTransfer(owner: string, transferId: string): Promise<void> {
    await this.pool.query({
      name: 'acta_release_transfer_v1',
      text: 'delete from transfer_owners where transfer_id = $2 and owner = $1',
      values: [owner, transferId],
    });
  }

  /** Where the next sweep starts (observability and tests). */
  sweepsFrom(): bigint {
    return this.watermark;
  }
}
